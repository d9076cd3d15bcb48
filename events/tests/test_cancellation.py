"""Organizers cancel with a confirmation and an optional public reason, and can
undo it until the event starts; a cancelled page offers no way to register or join."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Event
from events.services import new_edit_token

from .factories import EventFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TOKEN = new_edit_token()


def url(name):
    return reverse(name, kwargs={"token": TOKEN})


@pytest.fixture
def event():
    return EventFactory(
        edit_token=TOKEN,
        mode=Event.Mode.HYBRID,
        online_url="https://stream.example.org/live",
        url="https://meetup.example.org/register",
        tickets_url="https://tickets.example.org/buy",
    )


def test_confirmation_page_asks_for_an_optional_reason(client, event):
    response = client.get(url("events:cancel"))

    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_cancelling_shows_the_reason_on_the_public_page(client, event):
    response = client.post(url("events:cancel"), {"reason": "The venue flooded.\nSorry!"})

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    page = client.get(event.get_absolute_url()).content.decode()
    assert "The venue flooded.<br>Sorry!" in page


def test_cancelled_page_hides_registration_tickets_and_stream(client, event):
    before = client.get(event.get_absolute_url()).content.decode()
    client.post(url("events:cancel"), {"reason": ""})
    after = client.get(event.get_absolute_url()).content.decode()

    for link in [event.url, event.tickets_url, event.online_url]:
        assert f'href="{link}"' in before
        assert f'href="{link}"' not in after


def test_a_reason_with_control_characters_changes_nothing(client, event):
    response = client.post(url("events:cancel"), {"reason": "bad\x00reason"})

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert Event.objects.get().status == Event.Status.PUBLISHED


def test_an_overlong_reason_changes_nothing(client, event):
    response = client.post(url("events:cancel"), {"reason": "x" * 501})

    assert response.status_code == 200
    assert Event.objects.get().status == Event.Status.PUBLISHED


def test_undo_puts_the_event_back_on_and_drops_the_reason(client, event):
    client.post(url("events:cancel"), {"reason": "Speaker ill."})
    assert "Undo the cancellation" in client.get(url("events:edit")).content.decode()

    response = client.post(url("events:restore"))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert event.cancellation_reason == ""


def test_undo_is_refused_once_the_event_has_started(client):
    started = EventFactory(
        edit_token=TOKEN,
        status=Event.Status.CANCELLED,
        starts_at=timezone.now() - timedelta(minutes=5),
    )

    assert "Undo the cancellation" not in client.get(url("events:edit")).content.decode()
    client.post(url("events:restore"))

    started.refresh_from_db()
    assert started.status == Event.Status.CANCELLED


def test_undo_needs_post(client, event):
    assert client.get(url("events:restore")).status_code == 405


def test_undo_is_refused_for_events_that_are_not_cancelled(event):
    with pytest.raises(ValidationError):
        services.event_restore(event=event, channel=services.Channel.WEB)


def test_pending_events_cannot_be_cancelled_by_the_service(event):
    event.status = Event.Status.PENDING
    with pytest.raises(ValidationError):
        services.event_cancel(event=event, channel=services.Channel.WEB)


def filled_edit_form(client, **changes):
    """The edit form's data as the page shows it, with these changes."""
    form = client.get(url("events:edit")).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    for name in ("starts_at", "ends_at"):
        data[name] = form[name].value().strftime("%Y-%m-%dT%H:%M")
    return {**data, **changes}


def test_an_organizer_cannot_change_a_cancelled_events_details(event, settings):
    settings.EVENTS_REQUIRE_APPROVAL = True
    services.event_cancel(event=event, channel=services.Channel.WEB, reason="Rain.")

    with pytest.raises(ValidationError) as error:
        services.event_update(
            event=event, channel=services.Channel.WEB, changes={"title": "Back on, renamed"}
        )

    assert error.value.code == "cancelled"
    stored = Event.objects.get()
    assert (stored.status, stored.title, stored.revision) == (
        Event.Status.CANCELLED,
        event.title,
        event.revision,
    )


def test_the_edit_form_of_a_cancelled_event_refuses_changes_and_says_why(client, event, settings):
    settings.EVENTS_REQUIRE_APPROVAL = True
    client.post(url("events:cancel"), {"reason": "Rain."})

    response = client.post(url("events:edit"), filled_edit_form(client, title="Renamed"))

    assert response.status_code == 200
    assert "Undo the cancellation first" in response.content.decode()
    stored = Event.objects.get()
    assert (stored.status, stored.title) == (Event.Status.CANCELLED, event.title)


def test_the_edit_page_of_a_cancelled_event_says_its_details_wait_for_the_undo(client, event):
    client.post(url("events:cancel"), {"reason": "Rain."})

    page = client.get(url("events:edit")).content.decode()

    assert "its details cannot be changed" in page
    assert "Undo the cancellation" in page
