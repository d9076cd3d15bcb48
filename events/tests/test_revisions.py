"""Every change makes a new revision of an event, never a new row, and keeps what
others changed meanwhile. (The same rules under real concurrent requests:
test_races.py.)"""

import icalendar
import pytest
from django.db import OperationalError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import errors

from events import services
from events.models import Event

from .factories import EventFactory

pytestmark = pytest.mark.django_db

WEB = services.Channel.WEB
MINE = {
    "title": "My title",
    "description": "My description.",
    "venue": "My venue",
    "address": "My address",
    "organizer_name": "My organizer",
    "is_free": False,
}
THEIRS = {
    "title": "Their title",
    "description": "Their description.",
    "venue": "Their venue",
    "address": "Their address",
    "organizer_name": "Their organizer",
    "is_free": False,
}
FIELD_NAMES = st.sets(st.sampled_from(sorted(MINE)))
EVENT_CHANGES = FIELD_NAMES.map(lambda names: {name: MINE[name] for name in names})
ONE_SERVICE_CHANGE = st.one_of(
    EVENT_CHANGES.map(lambda changes: ("update", changes)),
    # Statuses that keep the calendar file public.
    st.sampled_from([("status", "cancelled"), ("status", "published"), ("token", None)]),
)
SCHEMA_EXAMPLES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def apply(event, change):
    kind, value = change
    if kind == "update":
        # As staff: its organizer may not change a cancelled event (test_cancellation.py).
        services.event_update(event=event, channel=WEB, changes=value, moderated=False)
    elif kind == "status":
        services.event_set_status(event=event, status=value, channel=WEB)
    else:
        services.event_issue_edit_token(event=event)


def calendar_sequence(client, event):
    response = client.get(reverse("events:event-calendar", kwargs={"slug": event.slug}))
    return icalendar.Calendar.from_ical(response.content).events[0]["SEQUENCE"]


@SCHEMA_EXAMPLES
@given(changes=st.lists(ONE_SERVICE_CHANGE, min_size=1, max_size=6))
def test_every_change_is_one_more_revision_and_a_higher_calendar_sequence(client, changes):
    event = EventFactory()
    sequences = [calendar_sequence(client, event)]

    for change in changes:
        apply(event, change)
        sequences.append(calendar_sequence(client, event))

    assert Event.objects.get(pk=event.pk).revision == len(changes)
    # Within one second too: calendars take a change only with a higher SEQUENCE.
    assert sequences == sorted(set(sequences))


@SCHEMA_EXAMPLES
@given(change=ONE_SERVICE_CHANGE)
def test_a_change_to_a_deleted_event_never_brings_it_back(change):
    event = EventFactory()
    stale_copy = Event.objects.get(pk=event.pk)
    services.event_delete(event=event, channel=WEB)

    with pytest.raises(Event.DoesNotExist):
        apply(stale_copy, change)

    assert not Event.objects.filter(pk=event.pk).exists()


@SCHEMA_EXAMPLES
@given(mine=FIELD_NAMES, theirs=FIELD_NAMES)
def test_a_change_keeps_the_other_fields_that_someone_changed_meanwhile(mine, theirs):
    event = EventFactory()
    my_stale_copy = Event.objects.get(pk=event.pk)
    services.event_update(event=event, channel=WEB, changes={name: THEIRS[name] for name in theirs})

    services.event_update(
        event=my_stale_copy, channel=WEB, changes={name: MINE[name] for name in mine}
    )

    stored = Event.objects.get(pk=event.pk)
    for name in theirs - mine:
        assert getattr(stored, name) == THEIRS[name]
    for name in mine:
        assert getattr(stored, name) == MINE[name]
    assert stored.revision == 2


def test_a_writer_that_names_an_old_revision_is_refused_and_changes_nothing(event):
    stale_copy = Event.objects.get(pk=event.pk)
    services.event_update(event=event, channel=WEB, changes={"venue": "Theirs"})

    with pytest.raises(services.EventChanged) as refusal:
        services.event_update(
            event=stale_copy, channel=WEB, changes={"title": "Mine"}, expected_revision=0
        )

    assert refusal.value.event.revision == 1
    stored = Event.objects.get(pk=event.pk)
    assert (stored.title, stored.venue, stored.revision) == (event.title, "Theirs", 1)


def test_a_deletion_that_names_an_old_revision_is_refused(event):
    services.event_set_status(event=event, status=Event.Status.CANCELLED, channel=WEB)

    with pytest.raises(services.EventChanged):
        services.event_delete(event=event, channel=WEB, expected_revision=0)

    assert Event.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("conflict", [errors.DeadlockDetected, errors.SerializationFailure])
def test_a_change_that_loses_a_conflict_runs_once_more(event, conflict, monkeypatch):
    attempts = []
    lock_current = services._lock_current

    def conflicting_once(event, **kwargs):
        attempts.append(event.pk)
        if len(attempts) == 1:
            raise OperationalError("conflict") from conflict()
        return lock_current(event, **kwargs)

    monkeypatch.setattr(services, "_lock_current", conflicting_once)
    services.event_update(event=event, channel=WEB, changes={"venue": "Mine"})

    assert len(attempts) == 2
    assert Event.objects.get(pk=event.pk).venue == "Mine"


@pytest.mark.django_db(transaction=True)
def test_a_statement_over_its_bound_is_not_run_again(event, monkeypatch):
    attempts = []

    def timed_out(event, **kwargs):
        attempts.append(event.pk)
        raise OperationalError("statement timeout") from errors.QueryCanceled()

    monkeypatch.setattr(services, "_lock_current", timed_out)
    with pytest.raises(OperationalError):
        services.event_update(event=event, channel=WEB, changes={"venue": "Mine"})

    assert len(attempts) == 1
