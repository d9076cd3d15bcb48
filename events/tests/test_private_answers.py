"""Answers that carry an edit token or private fields are never stored by a cache,
and nothing private leaks through the public filters."""

import pytest
from django.urls import reverse

from events.models import Event

from .factories import EventFactory, TechnologyFactory
from .helpers import EDIT_TOKEN

pytestmark = pytest.mark.django_db

EVENT = {
    "title": "Python Recife",
    "description": "Talks.",
    "starts_at": "2030-06-10T19:00:00-03:00",
    "mode": "online",
    "online_url": "https://example.org/live",
    "organizer_name": "Grupy PE",
    "organizer_email": "org@example.org",
}


def test_the_creation_answer_is_not_stored(client):
    response = client.post(reverse("api:event-list"), EVENT, "application/json")

    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"


def test_reads_by_token_are_not_stored(client):
    event = EventFactory(edit_token=EDIT_TOKEN)

    by_token = client.get(reverse("api:event-by-token-detail", args=[EDIT_TOKEN]))
    with_header = client.get(
        reverse("api:event-detail", args=[event.slug]), headers={"X-Edit-Token": EDIT_TOKEN}
    )

    assert by_token["Cache-Control"] == "no-store"
    assert with_header["Cache-Control"] == "no-store"


def test_public_reads_may_be_cached(client):
    event = EventFactory()

    response = client.get(reverse("api:event-detail", args=[event.slug]))

    assert "no-store" not in response.get("Cache-Control", "")


def test_the_trailing_slash_redirect_of_an_edit_link_is_not_stored(client):
    EventFactory(edit_token=EDIT_TOKEN)
    edit_url = reverse("events:edit", kwargs={"token": EDIT_TOKEN})

    response = client.get(edit_url.rstrip("/"))

    assert response.status_code == 301
    assert response["Location"] == edit_url
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "strict-origin"


def test_technologies_of_pending_events_only_are_unknown_to_the_filters(client):
    secret = TechnologyFactory(name="Stealth Startup", slug="stealth-startup")
    EventFactory(status=Event.Status.PENDING, technologies=[secret])
    EventFactory()

    page = client.get(reverse("events:list"), {"technology": "stealth-startup"})
    calendar = client.get(reverse("events:calendar"), {"technology": "stealth-startup"})
    api = client.get(reverse("api:event-list"), {"technology": "stealth-startup"})

    # The pages ignore an unknown technology (a stale link), the API refuses it.
    assert page.status_code == calendar.status_code == 200
    assert api.status_code == 400
    assert b"Stealth Startup" not in page.content + calendar.content + api.content


def test_technologies_of_public_events_still_filter(client):
    python = TechnologyFactory(name="Python", slug="python")
    EventFactory(technologies=[python])

    assert client.get(reverse("events:calendar"), {"technology": "python"}).status_code == 200
