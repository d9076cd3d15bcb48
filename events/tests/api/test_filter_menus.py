"""The technologies and cities lists that clients use to build filter menus."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from events.tests.factories import EventFactory, TechnologyFactory

pytestmark = pytest.mark.django_db


def test_technologies_come_with_their_number_of_upcoming_events(api_client):
    python = TechnologyFactory(name="Python", slug="python")
    go = TechnologyFactory(name="Go", slug="go")
    EventFactory.create_batch(2, technologies=[python])
    EventFactory(technologies=[python, go], starts_at=timezone.now() - timedelta(days=30))
    EventFactory(technologies=[go], status=Event.Status.CANCELLED)

    response = api_client.get(reverse("api:technology-list"))

    assert response.status_code == 200
    assert response.json() == [
        {"name": "Go", "slug": "go", "upcoming_event_count": 0},
        {"name": "Python", "slug": "python", "upcoming_event_count": 2},
    ]


def test_technologies_of_pending_or_unused_events_are_not_listed(api_client):
    EventFactory(technologies=[TechnologyFactory(name="Spam")], status=Event.Status.PENDING)
    TechnologyFactory(name="Unused")

    assert api_client.get(reverse("api:technology-list")).json() == []


def test_cities_come_with_their_number_of_public_events(api_client):
    EventFactory.create_batch(2, city="Recife")
    EventFactory(city="Natal", status=Event.Status.CANCELLED)
    EventFactory(city="Secret City", status=Event.Status.PENDING)
    EventFactory(city="", venue="", mode=Event.Mode.ONLINE, online_url="https://example.org")

    response = api_client.get(reverse("api:city-list"))

    assert response.status_code == 200
    assert response.json() == [
        {"city": "Natal", "event_count": 1},
        {"city": "Recife", "event_count": 2},
    ]


def test_a_city_from_the_menu_filters_the_events(api_client):
    EventFactory(city="São Luís", title="There")
    EventFactory(city="Belém", title="Elsewhere")
    city = api_client.get(reverse("api:city-list")).json()[1]["city"]

    results = api_client.get(reverse("api:event-list"), {"city": city}).json()["results"]

    assert [event["title"] for event in results] == ["There"]
