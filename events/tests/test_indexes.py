"""Reads that stay cheap as events grow: the stored effective end, and on
PostgreSQL the indexes that "upcoming", "past" and search use."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from events.models import DEFAULT_DURATION, Event

from .factories import EventFactory

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


@on_postgresql
@pytest.mark.parametrize("read", ["upcoming", "past"])
def test_upcoming_and_past_use_the_effective_end_index(read):
    # Most events on the other side of now, as on a site running for years.
    add_events(3000, days_from_now=-30 if read == "upcoming" else 30)
    EventFactory.create_batch(
        3, starts_at=timezone.now() + timedelta(days=-5 if read == "past" else 5)
    )
    explained = plan(getattr(Event.objects.published(), read)())
    assert "events_even_status_715053_idx" in explained
