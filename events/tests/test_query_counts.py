"""Every public read runs the same number of queries at 5 and at 500 events,
rendered on a cold cache (what a miss costs)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event

from .factories import EventFactory, TechnologyFactory
from .test_indexes import add_events

pytestmark = pytest.mark.django_db

PUBLIC_READS = [
    "/",
    "/en/",
    "/events/past/",
    "/?search=encontro+natal",
    "/?city=natal&technology=python",
    "/embed/",
    "/feeds/events.ics",
    "/feeds/events.atom",
    "/feeds/events.rss",
    "/sitemap.xml",
    "/sitemap-events.xml",
    "/robots.txt",
    "/api/events/",
    "/api/events/?search=encontro",
    "/api/events/?past=true",
    "/api/technologies/",
    "/api/cities/",
]


def queries_of(client, url, cold_caches):
    cold_caches()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def test_public_reads_run_as_many_queries_at_500_events_as_at_5(client, cold_caches):
    python = TechnologyFactory(name="Python", slug="python")
    EventFactory(city="Natal", technologies=[python])
    EventFactory(city="Natal", technologies=[python], starts_at=timezone.now() - timedelta(days=7))
    add_events(3, days_from_now=7)
    few = {url: queries_of(client, url, cold_caches) for url in PUBLIC_READS}
    detail = Event.objects.first().get_absolute_url()
    few[detail] = queries_of(client, detail, cold_caches)

    add_events(250, days_from_now=14)
    add_events(250, days_from_now=-14)
    for event in Event.objects.all()[:50]:
        event.technologies.add(python)
    many = {url: queries_of(client, url, cold_caches) for url in few}

    assert Event.objects.count() > 500
    assert many == few
