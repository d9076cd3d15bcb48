"""Approval mode (EVENTS_REQUIRE_APPROVAL): the public reads only what staff approved.

An organizer's change to what the public reads of a public event sends it back to
pending, whichever door it comes through; staff's own changes do not.
"""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from events import services
from events.edit_tokens import new_edit_token
from events.models import Event

from .factories import EventFactory, TechnologyFactory
from .helpers import EDIT_TOKEN, api_client_with_token_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _approval_mode(settings):
    settings.EVENTS_REQUIRE_APPROVAL = True


@pytest.fixture
def approved_event():
    return EventFactory(
        status=Event.Status.PUBLISHED,
        edit_token=EDIT_TOKEN,
        technologies=[TechnologyFactory(name="Python", slug="python")],
    )


def reload(event):
    event.refresh_from_db()
    return event


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "Buy cheap pills"), ("description", "Spam"), ("url", "https://spam.example")],
)
def test_an_organizers_api_change_sends_a_published_event_back_to_pending(
    client, approved_event, field, value
):
    url = reverse("api:event-detail", args=[approved_event.slug])

    response = client.patch(
        url, {field: value}, "application/json", headers={"X-Edit-Token": EDIT_TOKEN}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert reload(approved_event).status == Event.Status.PENDING
    assert client.get(url).status_code == 404
    assert client.get(approved_event.get_absolute_url()).status_code == 404


def test_a_change_by_edit_token_alone_sends_the_event_back_too(client, approved_event):
    url = reverse("api:event-by-token-detail", args=[EDIT_TOKEN])

    client.patch(url, {"technologies": ["Spam"]}, "application/json")

    assert reload(approved_event).status == Event.Status.PENDING


def test_an_organizers_site_edit_sends_the_event_back_and_says_so(english, approved_event):
    client = english
    edit_url = reverse("events:edit", kwargs={"token": EDIT_TOKEN})
    form = client.get(edit_url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        title="Changed title",
        starts_at=form["starts_at"].value().strftime("%Y-%m-%dT%H:%M"),
        ends_at=form["ends_at"].value().strftime("%Y-%m-%dT%H:%M"),
    )

    response = client.post(edit_url, data, follow=True)

    assert reload(approved_event).status == Event.Status.PENDING
    assert "hidden until our team reviews" in " ".join(
        str(message) for message in response.context["messages"]
    )


def test_a_change_that_the_public_cannot_read_keeps_the_event_published(client, approved_event):
    url = reverse("api:event-detail", args=[approved_event.slug])

    client.patch(
        url,
        {"organizer_email": "new@example.org", "title": approved_event.title},
        "application/json",
        headers={"X-Edit-Token": EDIT_TOKEN},
    )

    assert reload(approved_event).status == Event.Status.PUBLISHED


def test_cancelling_keeps_the_event_public(client, approved_event):
    url = reverse("api:event-detail", args=[approved_event.slug])

    client.patch(
        url, {"status": "cancelled"}, "application/json", headers={"X-Edit-Token": EDIT_TOKEN}
    )

    assert reload(approved_event).status == Event.Status.CANCELLED


def test_cancelling_with_a_reason_through_the_api_keeps_the_event_public(client, approved_event):
    url = reverse("api:event-detail", args=[approved_event.slug])

    response = client.patch(
        url,
        {"status": "cancelled", "cancellation_reason": "Speaker ill."},
        "application/json",
        headers={"X-Edit-Token": EDIT_TOKEN},
    )

    assert response.status_code == 200
    cancelled = reload(approved_event)
    assert (cancelled.status, cancelled.cancellation_reason) == (
        Event.Status.CANCELLED,
        "Speaker ill.",
    )
    assert client.get(approved_event.get_absolute_url()).status_code == 200


def test_staff_changes_keep_the_event_published(approved_event, django_user_model):
    manager = django_user_model.objects.create_user("manager", is_staff=True, is_superuser=True)
    url = reverse("api:event-detail", args=[approved_event.slug])

    response = api_client_with_token_of(manager).patch(url, {"title": "Fixed typo"}, format="json")

    assert response.status_code == 200
    assert reload(approved_event).status == Event.Status.PUBLISHED


def test_admin_changes_keep_the_event_published(approved_event):
    services.event_update(
        event=approved_event,
        channel=services.Channel.ADMIN,
        changes={"title": "Fixed typo"},
        moderated=False,
    )

    assert reload(approved_event).status == Event.Status.PUBLISHED


def test_without_approval_mode_organizers_publish_their_changes_at_once(
    client, approved_event, settings
):
    settings.EVENTS_REQUIRE_APPROVAL = False
    url = reverse("api:event-detail", args=[approved_event.slug])

    client.patch(url, {"title": "New"}, "application/json", headers={"X-Edit-Token": EDIT_TOKEN})

    assert reload(approved_event).status == Event.Status.PUBLISHED


REVIEWED_CHANGES = {
    "title": "Python Recife, new title",
    "description": "New talks.",
    "venue": "Another place",
    "url": "https://example.org/new",
    "technologies": ["Rust"],
}


@given(changes=st.sets(st.sampled_from(sorted(REVIEWED_CHANGES)), min_size=1))
def test_a_change_whose_cancelling_step_is_refused_changes_nothing(client, cold_caches, changes):
    # The change sends the event back for approval, and a pending event cannot be
    # cancelled: the 400 must leave the event as it was, content included.
    cold_caches()  # the edit token's rate limit, between examples
    token = new_edit_token()
    event = EventFactory(
        status=Event.Status.PUBLISHED,
        edit_token=token,
        technologies=[TechnologyFactory(name="Python", slug="python")],
    )
    before = reload(event)

    response = client.patch(
        reverse("api:event-detail", args=[event.slug]),
        {name: REVIEWED_CHANGES[name] for name in changes} | {"status": "cancelled"},
        "application/json",
        headers={"X-Edit-Token": token},
    )

    assert response.status_code == 400, response.content
    after = reload(event)
    assert [getattr(after, name) for name in ("status", "revision", "title", "venue", "url")] == [
        getattr(before, name) for name in ("status", "revision", "title", "venue", "url")
    ]
    assert list(after.technologies.values_list("name", flat=True)) == ["Python"]
