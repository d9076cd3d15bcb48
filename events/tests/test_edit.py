from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.edit_tokens import new_edit_token
from events.models import Event

from .factories import EventFactory

pytestmark = pytest.mark.django_db

TOKEN = new_edit_token()
WEB = services.Channel.WEB


@pytest.fixture
def event():
    return EventFactory(title="Django Meetup", edit_token=TOKEN, organizer_email="o@example.org")


def edit_url(name="events:edit", token=TOKEN):
    return reverse(name, kwargs={"token": token})


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def form_data(event, **overrides):
    data = {
        "title": event.title,
        "description": event.description,
        "starts_at": local(event.starts_at),
        "ends_at": local(event.ends_at),
        "mode": event.mode,
        "city": event.city,
        "venue": event.venue,
        "technology_names": "Python",
        "organizer_name": event.organizer_name,
        "organizer_email": event.organizer_email,
        "is_free": "True",
    }
    data.update(overrides)
    return data


class TestEditLink:
    def test_opens_the_edit_form_without_leaking_the_link(self, client, event):
        response = client.get(edit_url())
        assert response.status_code == 200
        assert response.context["form"].instance == event
        assert response["Referrer-Policy"] == "strict-origin"
        assert "noindex" in response["X-Robots-Tag"]

    @pytest.mark.parametrize(
        "token",
        [new_edit_token(), TOKEN[:-1] + ("A" if TOKEN[-1] != "A" else "B")],
        # Named, not shown: pytest-xdist workers must collect the same test names.
        ids=["another-token", "last-character-changed"],
    )
    def test_wrong_token_answers_404(self, client, event, token):
        assert client.get(edit_url(token=token)).status_code == 404
        assert client.post(edit_url("events:cancel", token)).status_code == 404
        assert client.post(edit_url("events:delete", token)).status_code == 404
        assert Event.objects.get().status == Event.Status.PUBLISHED

    @pytest.mark.parametrize("path", ["short", "x" * 44, "a" * 42 + "!", "%00" * 43])
    def test_malformed_tokens_answer_404(self, client, event, path):
        assert client.get(f"/events/edit/{path}/").status_code == 404

    def test_changes_the_time(self, client, event):
        new_start = event.starts_at + timedelta(days=1)
        response = client.post(
            edit_url(),
            form_data(
                event,
                starts_at=local(new_start),
                ends_at=local(new_start + timedelta(hours=3)),
            ),
        )
        assert response.status_code == 302
        event.refresh_from_db()
        assert local(event.starts_at) == local(new_start)
        assert [t.name for t in event.technologies.all()] == ["Python"]
        assert event.organizer_email == "o@example.org"

    def test_invalid_change_is_rejected_and_nothing_changes(self, client, event):
        before = Event.objects.values().get()
        response = client.post(edit_url(), form_data(event, title="", url="javascript:x"))
        assert response.status_code == 200
        assert {"title", "url"} <= set(response.context["form"].errors)
        assert Event.objects.values().get() == before

    def test_search_follows_edits(self, client, event):
        client.post(edit_url(), form_data(event, title="Encontro de Elixir"))
        assert list(Event.objects.search("elixir")) == [event]

    def test_cancel_keeps_the_event_visible_as_cancelled(self, client, event):
        response = client.post(edit_url("events:cancel"))
        assert response.status_code == 302
        event.refresh_from_db()
        assert event.status == Event.Status.CANCELLED
        page = client.get(event.get_absolute_url())
        assert page.status_code == 200
        assert "badge text-bg-danger" in page.content.decode()

    def test_cancel_asks_for_confirmation_first(self, client, event):
        assert client.get(edit_url("events:cancel")).status_code == 200
        assert Event.objects.get().status == Event.Status.PUBLISHED

    def test_pending_events_cannot_be_cancelled_into_view(self, client):
        EventFactory(status=Event.Status.PENDING, edit_token=TOKEN)
        client.post(edit_url("events:cancel"))
        assert Event.objects.get().status == Event.Status.PENDING

    def test_delete_asks_for_confirmation_then_deletes(self, client, event):
        confirm = client.get(edit_url("events:delete"))
        assert confirm.status_code == 200
        assert Event.objects.exists()
        response = client.post(edit_url("events:delete"))
        assert response.status_code == 302
        assert not Event.objects.exists()
        assert client.get(edit_url()).status_code == 404

    def test_token_attempts_are_rate_limited(self, client, event, settings):
        settings.EVENTS_EDIT_TOKEN_RATE = "3/m"
        for _ in range(3):
            client.get(edit_url(token=new_edit_token()))
        assert client.get(edit_url()).status_code == 429


class TestChangesSavedMeanwhile:
    """Two people with the edit link, or the organizer and staff, edit at once."""

    def open_form(self, client):
        return client.get(edit_url()).context["form"]["revision"].value()

    def test_the_form_warns_instead_of_overwriting_a_change_saved_meanwhile(self, client, event):
        opened_at = self.open_form(client)
        sent = form_data(event, title="My title", revision=opened_at)
        services.event_update(event=event, channel=WEB, changes={"venue": "Their venue"})

        response = client.post(edit_url(), sent)

        assert response.status_code == 200
        assert response.context["form"].changed_meanwhile
        assert 'id="changed-meanwhile"' in response.content.decode()
        stored = Event.objects.get()
        assert (stored.title, stored.venue) == ("Django Meetup", "Their venue")

    def test_sending_again_after_the_warning_saves_what_the_organizer_sees(self, client, event):
        sent = form_data(event, title="My title", revision=self.open_form(client))
        services.event_update(event=event, channel=WEB, changes={"venue": "Their venue"})
        warned = client.post(edit_url(), sent).context["form"]

        response = client.post(edit_url(), {**sent, "revision": warned["revision"].value()})

        assert response.status_code == 302
        stored = Event.objects.get()
        assert (stored.title, stored.venue) == ("My title", sent["venue"])

    def test_a_form_without_revision_saves_like_before(self, client, event):
        response = client.post(edit_url(), form_data(event, title="My title"))

        assert response.status_code == 302
        assert Event.objects.get().title == "My title"

    def test_saving_an_event_deleted_meanwhile_shows_the_not_found_page(self, client, event):
        def deleted_meanwhile(*, event, **kwargs):
            Event.objects.filter(pk=event.pk).delete()
            return original_update(event=event, **kwargs)

        original_update = services.event_update
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(services, "event_update", deleted_meanwhile)
            response = client.post(edit_url(), form_data(event, title="My title"))

        assert response.status_code == 404
        assert not Event.objects.exists()
