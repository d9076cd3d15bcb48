"""Reads that stay cheap as events grow: the stored effective end, and on
PostgreSQL the indexes that "upcoming", "past" and search use."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import DEFAULT_DURATION, Event
from events.sitemaps import EventSitemap

from .factories import EventFactory, TechnologyFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL indexes (CI runs the suite on both)"
)


def test_the_effective_end_is_the_end_or_the_start_plus_the_default_duration():
    ends = EventFactory()
    open_ended = EventFactory(ends_at=None)
    assert ends.effective_end == ends.ends_at
    assert open_ended.effective_end == open_ended.starts_at + DEFAULT_DURATION
    assert Event.objects.get(pk=open_ended.pk).effective_end == open_ended.effective_end


def test_saving_only_the_dates_keeps_the_effective_end():
    event = EventFactory()
    event.ends_at = event.ends_at + timedelta(days=1)
    event.save(update_fields=["ends_at"])
    assert Event.objects.get(pk=event.pk).effective_end == event.ends_at


def test_an_event_happening_now_is_upcoming_until_its_effective_end():
    now = timezone.now()
    started = EventFactory(starts_at=now - timedelta(hours=2), ends_at=None)
    over = EventFactory(starts_at=now - timedelta(hours=4), ends_at=None)
    assert list(Event.objects.upcoming(now=now)) == [started]
    assert list(Event.objects.past(now=now)) == [over]


def test_a_long_event_that_started_long_ago_is_upcoming_until_it_ends():
    now = timezone.now()
    festival = EventFactory(starts_at=now - timedelta(days=40), ends_at=now + timedelta(days=2))
    tonight = EventFactory(starts_at=now + timedelta(hours=5), ends_at=None)
    over = EventFactory(starts_at=now - timedelta(days=41), ends_at=now - timedelta(days=39))
    assert list(Event.objects.upcoming(now=now)) == [festival, tonight]
    assert list(Event.objects.past(now=now)) == [over]
    assert list(Event.objects.upcoming(now=now + timedelta(days=3))) == []


def test_upcoming_is_empty_without_events():
    assert list(Event.objects.upcoming()) == []


# Starts and durations in minutes around a fixed now.
EVENT_TIMES = st.lists(
    st.tuples(
        st.integers(min_value=-60 * 24 * 400, max_value=60 * 24 * 400),
        st.one_of(st.none(), st.integers(min_value=0, max_value=60 * 24 * 400)),
    ),
    max_size=8,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(times=EVENT_TIMES)
def test_upcoming_and_past_split_every_set_of_events_by_their_effective_end(times):
    """The bound on the start (see EventQuerySet.upcoming) never drops an event."""
    Event.objects.all().delete()
    now = timezone.now().replace(microsecond=0)
    events = [
        EventFactory(
            starts_at=now + timedelta(minutes=start),
            ends_at=None if length is None else now + timedelta(minutes=start + length),
        )
        for start, length in times
    ]
    expected_upcoming = sorted(
        (event for event in events if event.effective_end >= now),
        key=lambda event: (event.starts_at, event.pk),
    )
    expected_past = sorted(
        (event for event in events if event.effective_end < now),
        key=lambda event: (event.starts_at, event.pk),
        reverse=True,
    )
    assert list(Event.objects.upcoming(now=now)) == expected_upcoming
    assert list(Event.objects.past(now=now)) == expected_past


def test_the_trigram_index_exists_only_on_postgresql():
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Event._meta.db_table)
    assert ("event_search_text_trgm" in indexes) == (connection.vendor == "postgresql")


def add_events(count, *, days_from_now):
    """Many events at once (bulk_create skips save(): set the effective end here)."""
    starts_at = timezone.now() + timedelta(days=days_from_now)
    Event.objects.bulk_create(
        Event(
            title=f"Encontro {number}",
            slug=f"encontro-{days_from_now}-{number}",
            description="Palestras.",
            starts_at=starts_at,
            effective_end=starts_at + DEFAULT_DURATION,
            city="Natal",
            venue="Centro",
            organizer_name="Grupo",
            edit_token_hash=f"{days_from_now}-{number}",
            search_text=f"encontro {number} palestras natal centro grupo",
        )
        for number in range(count)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Event._meta.db_table}")


def plan(queryset, *, scanning_allowed=True):
    """The query plan PostgreSQL chooses for a query."""
    with connection.cursor() as cursor:
        if not scanning_allowed:
            cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@on_postgresql
def test_search_uses_the_trigram_index():
    add_events(3000, days_from_now=7)
    EventFactory(title="Python em São Paulo")
    # A few thousand rows fit in memory, where scanning costs less; at 100,000
    # the planner prefers the index by itself (docs/performance.md).
    explained = plan(Event.objects.search("python são paulo"), scanning_allowed=False)
    assert "event_search_text_trgm" in explained


def plan_of_last_query(read, *, scanning_allowed=True):
    """The query plan PostgreSQL chooses for the last query that `read()` runs."""
    with CaptureQueriesContext(connection) as queries:
        read()
    with connection.cursor() as cursor:
        if not scanning_allowed:
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {queries.captured_queries[-1]['sql']}")
        return "\n".join(row[0] for row in cursor.fetchall())


@on_postgresql
@pytest.mark.parametrize("read", ["upcoming", "past"])
@pytest.mark.parametrize("events", [Event.objects.public, Event.objects.published])
def test_a_public_list_s_first_page_and_count_read_the_start_index(read, events):
    # Half the events on each side of now, as on a site running for years: the
    # case where a condition on the effective end alone matches half the table.
    add_events(3000, days_from_now=-30)
    add_events(3000, days_from_now=30)
    listed = getattr(events(), read)()
    first_page = plan(listed[:20])
    assert "event_public_start_idx" in first_page
    # Read in the order of the index: no sort of every match.
    assert "Sort" not in first_page
    # A count of half the table in memory may still be cheaper to scan (and at
    # 100,000 events it reads the index only: docs/performance.md); the
    # conditions bound an index range.
    counted = plan_of_last_query(listed.count, scanning_allowed=False)
    assert "Index Cond" in counted
    assert "Seq Scan" not in counted


@on_postgresql
def test_the_longest_duration_is_read_from_its_index():
    add_events(3000, days_from_now=-30)
    explained = plan(Event.objects.upcoming()[:20])
    assert "event_duration_idx" in explained


@on_postgresql
def test_the_city_filter_uses_the_city_index():
    add_events(3000, days_from_now=30)
    EventFactory(city="Recife")
    explained = plan(Event.objects.public().upcoming().filter(city__iexact="recife")[:20])
    assert "event_public_city_start_idx" in explained


@on_postgresql
def test_a_count_by_city_and_technology_reads_indexes_only():
    # Every upcoming event of the city is checked for the technology: the count
    # reads both from indexes, with no table access however many there are.
    add_events(3000, days_from_now=30)
    python = TechnologyFactory(name="Python")
    Event.technologies.through.objects.bulk_create(
        Event.technologies.through(event_id=pk, technology_id=python.pk)
        for pk in Event.objects.values_list("pk", flat=True)[::7]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Event.technologies.through._meta.db_table}")
    filtered = Event.objects.public().upcoming().filter(city__iexact="natal")
    counted = plan_of_last_query(
        filtered.with_any_technology([python]).count, scanning_allowed=False
    )
    assert "Index Only Scan using event_public_city_start_idx" in counted


def test_a_technology_s_events_are_read_from_one_index():
    # (technology, event): a technology's events without reading the table. Which
    # plan a few thousand rows get varies; at 100,000 events the count above
    # reads this index only (docs/performance.md).
    through = Event.technologies.through._meta.db_table
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, through)
    assert indexes["event_technology_by_technology_idx"]["columns"] == [
        "technology_id",
        "event_id",
    ]
    # It replaces the index on the technology alone.
    alone = [
        name
        for name, index in indexes.items()
        if index["index"] and index["columns"] == ["technology_id"]
    ]
    assert alone == []


@on_postgresql
def test_a_filtered_page_finds_its_rows_in_indexes_before_reading_them():
    add_events(3000, days_from_now=30)
    python = TechnologyFactory(name="Python")
    filtered = Event.objects.public().upcoming().filter(city__iexact="natal")
    page = plan(filtered.with_any_technology([python]).rows(0, 20), scanning_allowed=False)
    assert "Index Only Scan using event_public_city_start_idx" in page


@pytest.mark.parametrize("past", [False, True])
def test_every_slice_read_keys_first_is_the_slice_of_the_list(past):
    # Ties on the start are ordered by key: the same rows in the same order.
    now, side = timezone.now(), -1 if past else 1
    for number in range(12):
        starts_at = now + timedelta(days=side * (number // 3 + 1))
        EventFactory(starts_at=starts_at, ends_at=None, title=f"Encontro {number}")
    events = Event.objects.public().past() if past else Event.objects.public().upcoming()
    whole = list(events)
    assert len(whole) == 12
    for start in range(14):
        for stop in range(start, 15):
            assert list(events.rows(start, stop)) == whole[start:stop]


def page_query(client, url):
    """The SQL of the query that reads the listed events' rows."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    (page,) = [
        query["sql"] for query in queries if query["sql"].startswith('SELECT "events_event"."id"')
    ]
    return page


@pytest.mark.parametrize("list_url", ["/", "/embed/", "/api/events/"])
def test_a_filtered_list_reads_its_page_keys_first_and_the_whole_list_in_index_order(
    client, list_url
):
    EventFactory(city="Natal")
    keys_first = '"events_event"."id" IN (SELECT'
    assert keys_first in page_query(client, f"{list_url}?city=natal")
    assert keys_first not in page_query(client, list_url)


@on_postgresql
def test_the_sitemap_s_lastmod_reads_the_latest_change_from_an_index():
    add_events(3000, days_from_now=30)
    explained = plan_of_last_query(EventSitemap().get_latest_lastmod)
    assert "event_public_updated_idx" in explained
