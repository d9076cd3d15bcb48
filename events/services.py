"""Every write to events goes through these functions, whichever door it comes
from (site, API or admin), so each rule and side effect lives in one place.

Each one calls `content_changed()`, so that no cache serves what it replaced.
"""

import functools
import hashlib
import itertools
import logging
import smtplib
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import covers, metrics
from .database_errors import is_conflict
from .edit_tokens import derive_edit_token, hash_edit_token, new_edit_token
from .models import (
    Event,
    FormerTechnologySlug,
    RecoveryLink,
    Report,
    Series,
    StatusChange,
    Technology,
    technology_slug,
    validate_not_duplicate,
)
from .recurrence import occurrences
from .signals import content_changed
from .time_zones import time_zone_for_city, wall_clock_in_zone

logger = logging.getLogger(__name__)


class Channel:
    WEB = "web"
    API = "api"
    ADMIN = "admin"
    DEMO = "demo"  # the seed_demo command


def edit_link(request, token):
    """The private, absolute edit link that a token gives its holder."""
    return request.build_absolute_uri(reverse("events:edit", kwargs={"token": token}))


def technologies_from_names(names):
    """Technologies for the given names, created when new, matched case-insensitively."""
    technologies = {}
    for name in names:
        if name.strip():
            technology = Technology.objects.get_or_create_by_name(name)
            technologies[technology.pk] = technology
    return list(technologies.values())


def _take_turns(*key):
    """Make the other transactions that pass the same key wait until this one ends
    (a PostgreSQL advisory lock): what one of them reads is then what the others
    wrote. SQLite, for development only, has no such lock."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
        )


def unique_slug(*, title, starts_at):
    """The first free slug made of an event's title and day, numbered when taken."""
    base = slugify(f"{title} {starts_at:%Y-%m-%d}")[:200].strip("-") or "event"
    # Events of one title and day take turns until their transaction ends, so each
    # one sees the slugs taken before it.
    _take_turns("slug", base)
    taken = set(Event.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    candidates = itertools.chain([base], (f"{base}-{number}" for number in itertools.count(2)))
    return next(slug for slug in candidates if slug not in taken)


def _save_with_slug(event):
    """Save a new event under the first free slug made of its title and day."""
    event.slug = unique_slug(title=event.title, starts_at=event.starts_at)
    event.save()


def _store_search_text(event):
    event.search_text = event.build_search_text()
    Event.objects.filter(pk=event.pk).update(search_text=event.search_text)


def refresh_search_text(event):
    """Recompute the normalised search text of an event whose technologies were
    saved after it (the admin saves them last)."""
    _store_search_text(event)
    content_changed()


@transaction.atomic
def event_create(
    *, event, channel, technology_names=None, moderated=True, user=None, series_token=None
):
    """Save a new event and return its edit token (the only time it exists in clear).

    A moderated submission (anyone's but staff's) waits as pending when the
    site requires approval. A date of a series (`event.series` set) gets the
    edit token derived from the series' token and its slug.
    """
    if moderated:
        event.status = (
            Event.Status.PENDING if settings.EVENTS_REQUIRE_APPROVAL else Event.Status.PUBLISHED
        )
    event.language = translation.get_language() or settings.LANGUAGE_CODE
    event.full_clean(exclude=["slug", "edit_token_hash", "technologies"])
    event.slug = unique_slug(title=event.title, starts_at=event.starts_at)
    token = derive_edit_token(series_token, event.slug) if series_token else new_edit_token()
    event.edit_token_hash = hash_edit_token(token)
    event.save()
    if technology_names is not None:
        event.technologies.set(technologies_from_names(technology_names))
    _store_search_text(event)
    _status_changed(event=event, from_status=None, channel=channel, user=user)
    content_changed()
    logger.info("event created", extra={"event_id": event.pk, "channel": channel})
    metrics.events_created.labels(channel=channel).inc()
    return token


# What an organizer changes without review: the e-mail, which the public never
# reads, and the cancellation reason, their own word on a cancellation, public
# without review as when they cancel (event_cancel). The status has rules of its
# own (cancelling is not a change of content).
UNREVIEWED_FIELDS = {"organizer_email", "cancellation_reason", "status"}


def _changes_reviewed_content(current, changes, technology_names):
    """Whether the changes to this (locked) event alter what staff review of it:
    what the public reads, but UNREVIEWED_FIELDS."""
    if any(
        getattr(current, name) != value
        for name, value in changes.items()
        if name not in UNREVIEWED_FIELDS
    ):
        return True
    if technology_names is None:
        return False
    slugs = {technology_slug(" ".join(name.split())) for name in technology_names if name.strip()}
    return slugs != set(current.technologies.values_list("slug", flat=True))


def _alters_cancelled_event(current, changes, technology_names):
    """Whether the changes alter what staff review of this (locked) cancelled event.
    Its organizer may not make them before undoing the cancellation (event_restore):
    in approval mode the change would wait for review, and approving it would
    publish the event again, the cancellation silently lost."""
    return current.is_cancelled and _changes_reviewed_content(current, changes, technology_names)


@dataclass(frozen=True)
class Submission:
    """What the organizer sees after submitting: the only time the token is shown."""

    event: Event
    edit_token: str
    edit_url: str
    email_sent: bool


def event_submit(
    *, event, channel, technology_names, request, moderated=True, confirm_duplicate=False
):
    """A new event sent through the site or the API: refused as a DuplicateEvent
    unless confirmed, then saved, and its edit link e-mailed to the organizer."""
    with transaction.atomic():
        # Duplicates share their start: submissions of one start take turns, so
        # that of a burst of the same event only the first is saved.
        _take_turns("starts_at", event.starts_at.timestamp())
        if not confirm_duplicate:
            validate_not_duplicate(event)
        token = event_create(
            event=event, channel=channel, technology_names=technology_names, moderated=moderated
        )
        # Without a mail server the link could never arrive: nothing waits for it.
        confirmation_token = (
            _require_email_confirmation(event)
            if event.is_pending and event.organizer_email and settings.EMAIL_ENABLED
            else None
        )
    edit_url = edit_link(request, token)
    page_url = request.build_absolute_uri(event.get_absolute_url())
    confirm_url = confirmation_token and email_confirmation_url(request, confirmation_token)
    email_sent = send_edit_link(
        event=event, edit_url=edit_url, page_url=page_url, confirm_url=confirm_url
    )
    return Submission(event=event, edit_token=token, edit_url=edit_url, email_sent=email_sent)


def email_confirmation_url(request, token):
    return request.build_absolute_uri(reverse("events:confirm-email", kwargs={"token": token}))


def _require_email_confirmation(*events):
    """Hold new pending events (one, or the dates of a series) until their organizer
    clicks the link sent to the address they gave; returns the link's token."""
    token = new_edit_token()
    for event in events:
        event.email_confirmation_hash = hash_edit_token(token)
    Event.objects.filter(pk__in=[event.pk for event in events]).update(
        email_confirmation_hash=hash_edit_token(token)
    )
    return token


def series_edit_link(request, token):
    return request.build_absolute_uri(reverse("events:series-edit", kwargs={"token": token}))


def _occurrence(event, *, starts_at, ends_at):
    """An unsaved copy of an unsaved event, on another date of its series."""
    values = {
        field.attname: getattr(event, field.attname)
        for field in Event._meta.concrete_fields
        if not field.primary_key
    }
    return Event(**{**values, "starts_at": starts_at, "ends_at": ends_at})


@dataclass(frozen=True)
class SeriesSubmission:
    """What the organizer sees after submitting a series: its one edit link."""

    series: Series
    events: list
    edit_token: str
    edit_url: str
    email_sent: bool

    @property
    def event(self):
        return self.events[0]


def new_series_dates(*, event, rule):
    """The dates a new series of `event` (unsaved) would have: unsaved copies of it
    on each date of the rule (events.recurrence), each validated like a single
    event. What series_create saves, and what the submission preview lists. A
    ValidationError names the rule's part to change (a later date that cannot
    be saved, under the rule's end), or the event's field."""
    if not event.time_zone:
        event.time_zone = time_zone_for_city(event.city)
    dates = []
    for starts_at, ends_at in occurrences(
        rule, starts_at=event.starts_at, ends_at=event.ends_at, time_zone=event.time_zone
    ):
        date = _occurrence(event, starts_at=starts_at, ends_at=ends_at)
        try:
            date.full_clean(exclude=["slug", "edit_token_hash", "technologies"])
        except ValidationError as error:
            if not dates:
                raise
            raise _later_date_refused(rule, date, error) from error
        dates.append(date)
    return dates


def series_create(*, event, rule, channel, technology_names=None, moderated=True):
    """Save a new series: one Event per date of the rule (new_series_dates), in one
    transaction. Returns the series, its events, and the series' edit token (the
    only time it exists in clear)."""
    dates = new_series_dates(event=event, rule=rule)
    series_token = new_edit_token()
    with transaction.atomic():
        series = Series(
            frequency=rule.frequency,
            interval=rule.interval,
            weekday_position=rule.weekday_position,
            until=rule.until,
            count=rule.count,
            edit_token_hash=hash_edit_token(series_token),
        )
        series.full_clean(exclude=["edit_token_hash"])
        series.save()
        for date in dates:
            date.series = series
            event_create(
                event=date,
                channel=channel,
                technology_names=technology_names,
                moderated=moderated,
                series_token=series_token,
            )
    logger.info("series created", extra={"series_id": series.pk, "events": len(dates)})
    return series, dates, series_token


def _later_date_refused(rule, date, error):
    """The error of a new series whose first date is valid but a later one is not
    (e.g. past the last year events may have): named by that date, under the end
    of the rule, which is what to change."""
    return ValidationError(
        {
            "until" if rule.until else "count": _(
                "The series reaches %(date)s, which cannot be saved (%(reason)s): end it earlier."
            )
            % {
                "date": date_format(date.local_starts_at, "SHORT_DATE_FORMAT"),
                "reason": " ".join(dict.fromkeys(error.messages)),
            }
        }
    )


def series_submit(
    *, event, rule, channel, technology_names, request, moderated=True, confirm_duplicate=False
):
    """A new recurring event sent through the site or the API (see series_create):
    refused as a DuplicateEvent when a date repeats an existing event, unless
    confirmed; then the series' edit link is e-mailed to the organizer.

    Approval and the organizer's confirmation go by date, as for single events:
    every date waits as pending when the site requires approval (staff publish
    a whole series from its admin page), and one confirmation link confirms them
    all. The organizer gets one edit link, for the series.
    """
    with transaction.atomic():
        if not confirm_duplicate:
            _refuse_duplicate_dates(event, rule)
        series, events, series_token = series_create(
            event=event,
            rule=rule,
            channel=channel,
            technology_names=technology_names,
            moderated=moderated,
        )
        # Without a mail server the link could never arrive: nothing waits for it.
        confirmation_token = (
            _require_email_confirmation(*events)
            if events[0].is_pending and events[0].organizer_email and settings.EMAIL_ENABLED
            else None
        )
    edit_url = series_edit_link(request, series_token)
    confirm_url = confirmation_token and email_confirmation_url(request, confirmation_token)
    email_sent = send_edit_link(
        event=events[0],
        edit_url=edit_url,
        page_url=request.build_absolute_uri(events[0].get_absolute_url()),
        confirm_url=confirm_url,
    )
    return SeriesSubmission(
        series=series,
        events=events,
        edit_token=series_token,
        edit_url=edit_url,
        email_sent=email_sent,
    )


def _refuse_duplicate_dates(event, rule):
    """DuplicateEvent when a date of the series repeats an existing event; the
    submissions of each start take turns, as in event_submit."""
    if not event.time_zone:
        event.time_zone = time_zone_for_city(event.city)
    dates = occurrences(
        rule, starts_at=event.starts_at, ends_at=event.ends_at, time_zone=event.time_zone
    )
    for starts_at, ends_at in dates:
        _take_turns("starts_at", starts_at.timestamp())
        validate_not_duplicate(_occurrence(event, starts_at=starts_at, ends_at=ends_at))


def series_date_edit_tokens(*, series, token):
    """[(event, its edit token)] of the series' dates, for the holder of the series'
    token, soonest first."""
    return [
        (event, derive_edit_token(token, event.slug))
        for event in series.events.order_by("starts_at", "pk")
    ]


def _local(moment, zone):
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)


@transaction.atomic
def series_update_following(
    *,
    event,
    channel,
    changes,
    technology_names=None,
    expected_revision=None,
    moderated=True,
    user=None,
):
    """Change this date of a series and the following ones, each like event_update.

    A new start or end moves every following date by the same wall-clock change
    (one hour later, two days earlier), on each date's clock (the new time zone,
    when the change sets one): 19:00 becomes 20:00 on every date, whatever the
    daylight saving time. A date that lands on a time that does not exist there,
    or that the change would make invalid, refuses the whole change, named by its
    day. Outside a series, it is event_update.

    A moderated change leaves the following dates that are cancelled as they are
    (event_update would refuse them); this date, when cancelled, refuses it.
    Returns the cancelled dates left as they are, soonest first.
    """
    current = _lock_current(event, expected_revision=expected_revision)
    new_zone = changes.get("time_zone", current.time_zone)
    new_start = changes.get("starts_at", current.starts_at)
    shift = None
    if "starts_at" in changes:
        shift = _local(new_start, new_zone) - _local(current.starts_at, current.time_zone)
    new_duration = None
    if changes.get("ends_at") is not None:
        new_duration = _local(changes["ends_at"], new_zone) - _local(new_start, new_zone)
    following = list(current.following_in_series().select_for_update().order_by("starts_at", "pk"))
    left_cancelled = []
    for date in following:
        zone = changes.get("time_zone", date.time_zone)
        own = dict(changes)
        local_start = _local(date.starts_at, date.time_zone) + (shift or timedelta())
        if shift is not None:
            own["starts_at"] = wall_clock_in_zone(local_start, zone)
        if "ends_at" in changes:
            own["ends_at"] = (
                wall_clock_in_zone(local_start + new_duration, zone)
                if new_duration is not None
                else None
            )
        elif shift is not None and date.ends_at is not None:
            own["ends_at"] = wall_clock_in_zone(_local(date.ends_at, date.time_zone) + shift, zone)
        if (
            moderated
            and date.pk != current.pk
            and _alters_cancelled_event(date, own, technology_names)
        ):
            left_cancelled.append(date)
            continue
        try:
            # Each date's row is locked by the query that read it.
            _update_locked(
                date,
                date,
                channel=channel,
                changes=own,
                technology_names=technology_names,
                moderated=moderated,
                user=user,
            )
        except ValidationError as error:
            if date.pk == current.pk:
                raise
            raise ValidationError(
                _("The date of %(date)s cannot take these changes: %(reason)s")
                % {
                    "date": date_format(date.local_starts_at, "SHORT_DATE_FORMAT"),
                    "reason": " ".join(dict.fromkeys(error.messages)),
                },
                code="following_date_refused",
            ) from error
    _show_current(event, Event.objects.get(pk=event.pk))
    return left_cancelled


def _drop_if_empty(series_id):
    if series_id is not None:
        Series.objects.filter(pk=series_id, events__isnull=True).delete()


@transaction.atomic
def series_delete_following(*, event, channel, expected_revision=None):
    """Delete this date of a series and the following ones; EventChanged, deleting
    nothing, when this date is no longer at `expected_revision`."""
    current = _lock_current(event, expected_revision=expected_revision)
    following = list(current.following_in_series().order_by("starts_at", "pk"))
    for date in following:
        event_delete(event=date, channel=channel)
    _drop_if_empty(current.series_id)
    return len(following)


@transaction.atomic
def series_delete(*, series, channel):
    """Delete every date of a series, and the series."""
    for date in list(series.events.order_by("starts_at", "pk")):
        event_delete(event=date, channel=channel)
    Series.objects.filter(pk=series.pk).delete()


@transaction.atomic
def series_set_status(*, series, status, channel, user=None, now=None):
    """Staff publish or cancel a series as a whole: the dates that can move there
    (pending upcoming ones to published, published upcoming ones to cancelled),
    each recorded in its history. Past dates stay as they were, and so do
    cancelled ones: a cancellation ends only by its organizer's restore or by
    staff choosing that date's status. Returns the number of dates changed."""
    source = {
        Event.Status.PUBLISHED: Event.Status.PENDING,
        Event.Status.CANCELLED: Event.Status.PUBLISHED,
    }[status]
    dates = series.events.filter(status=source).upcoming(now=now)
    changed = 0
    for date in dates:
        event_set_status(event=date, status=status, channel=channel, user=user)
        changed += 1
    return changed


def _atomic_retried_once_on_conflict(service):
    """transaction.atomic for the writers of one event, run a second time when the
    database rolled the first run back for a conflict with a concurrent
    transaction (a deadlock, a serialization failure): the second run sees what
    the other one wrote. Only as the outermost transaction: inside another one,
    the whole enclosing transaction is lost and its caller decides."""

    @functools.wraps(service)
    def run(*args, **kwargs):
        try:
            with transaction.atomic():
                return service(*args, **kwargs)
        except OperationalError as error:
            if not is_conflict(error) or transaction.get_connection().in_atomic_block:
                raise
            logger.warning(
                "database conflict in %s, running it again: %s",
                service.__name__,
                type(error.__cause__).__name__,
            )
        with transaction.atomic():
            return service(*args, **kwargs)

    return run


class EventChanged(Exception):
    """The event is no longer at the revision the writer read: someone changed it since."""

    def __init__(self, event):
        super().__init__(f"event {event.pk} is at revision {event.revision}")
        self.event = event


def _lock_current(event, *, expected_revision=None):
    """The event's row as it is now, locked until the transaction ends, so that
    concurrent writers of one event take turns.

    Raises Event.DoesNotExist once the event is deleted (a write never brings it
    back), and EventChanged when it is no longer at `expected_revision`.
    """
    current = Event.objects.select_for_update().filter(pk=event.pk).first()
    if current is None:
        raise Event.DoesNotExist(f"event {event.pk} was deleted")
    if expected_revision is not None and current.revision != expected_revision:
        raise EventChanged(current)
    return current


def _save_revision(current, fields):
    """Write these fields of a locked event as its next revision."""
    current.revision = F("revision") + 1
    current.save(update_fields=[*fields, "revision", "updated_at"])
    current.refresh_from_db(fields=["revision", "updated_at"])


def _show_current(event, current):
    """Give the caller's copy of an event the stored values (and no stale technologies)."""
    for field in Event._meta.concrete_fields:
        setattr(event, field.attname, getattr(current, field.attname))
    event.__dict__.pop("technology_list", None)


@_atomic_retried_once_on_conflict
def event_update(
    *,
    event,
    channel,
    changes,
    technology_names=None,
    expected_revision=None,
    moderated=True,
    user=None,
):
    """Change these fields of an event (and its technologies, when given), and only
    these: writers of other fields at the same time keep their changes.

    With `expected_revision`, refuse (EventChanged) when the event changed since
    the writer read it. `event` ends up holding the stored values.

    When the site requires approval, a moderated change (anyone's but staff's)
    to what staff review of a public event sends it back to pending: it
    disappears from the site until staff publish it again, so that the public
    never reads what staff have not approved, but for a cancellation's reason.

    A moderated change to what staff review of a cancelled event is refused
    (ValidationError, nothing changed) until its organizer undoes the cancellation:
    only that, or staff choosing its status, ends a cancellation.
    """
    current = _lock_current(event, expected_revision=expected_revision)
    return _update_locked(
        event,
        current,
        channel=channel,
        changes=changes,
        technology_names=technology_names,
        moderated=moderated,
        user=user,
    )


def _update_locked(
    event, current, *, channel, changes, technology_names=None, moderated=True, user=None
):
    """event_update once `current`, the event's row, is locked (_lock_current)."""
    if moderated and _alters_cancelled_event(current, changes, technology_names):
        raise ValidationError(
            _(
                "This event is cancelled, so its details cannot be changed. Undo the "
                "cancellation first (possible until the event starts), then change them."
            ),
            code="cancelled",
        )
    from_status = current.status
    sent_back = (
        moderated
        and settings.EVENTS_REQUIRE_APPROVAL
        and current.status != Event.Status.PENDING
        and _changes_reviewed_content(current, changes, technology_names)
    )
    if sent_back:
        changes = {**changes, "status": Event.Status.PENDING}
    for name, value in changes.items():
        setattr(current, name, value)
    current.full_clean(exclude=["slug", "edit_token_hash", "technologies"])
    _save_revision(current, changes)
    _status_changed(event=current, from_status=from_status, channel=channel, user=user)
    if technology_names is not None:
        current.technologies.set(technologies_from_names(technology_names))
    _store_search_text(current)
    _show_current(event, current)
    content_changed()
    logger.info("event updated", extra={"event_id": event.pk, "channel": channel})
    metrics.events_updated.labels(channel=channel).inc()
    if sent_back:
        logger.info("event sent back for approval", extra={"event_id": event.pk})
    if event.status != from_status:
        metrics.events_status_changed.labels(status=event.status, channel=channel).inc()
    return event


def _status_changed(*, event, from_status, channel, user=None):
    """Record a change of status in the event's history and tell whom it concerns:
    the organizer of a decision, the moderators of a new pending event."""
    if from_status == event.status:
        return
    StatusChange.objects.create(
        event=event,
        from_status=from_status or "",
        to_status=event.status,
        channel=channel,
        user=user if user is not None and user.is_authenticated else None,
    )
    decided = event.status == Event.Status.REJECTED or (
        from_status == Event.Status.PENDING and event.status == Event.Status.PUBLISHED
    )
    if decided:
        transaction.on_commit(lambda: _notify_organizer_of_decision(event))
    elif event.status == Event.Status.PENDING:
        transaction.on_commit(notify_moderators)


@_atomic_retried_once_on_conflict
def event_update_and_set_status(
    *,
    event,
    channel,
    changes,
    status,
    technology_names=None,
    following=False,
    expected_revision=None,
    moderated=True,
    user=None,
):
    """Change fields (of this date and the following ones, with `following`), then
    move the event to `status` when that is another step, as one write: a refused
    step (e.g. cancelling an event that the change sent back for approval) leaves
    the fields unchanged too.

    A moderated writer (the organizer) cancels and restores under the site's
    rules; staff set any status.
    """
    status_before = event.status
    update = series_update_following if following else event_update
    update(
        event=event,
        channel=channel,
        changes=changes,
        technology_names=technology_names,
        expected_revision=expected_revision,
        moderated=moderated,
        user=user,
    )
    # Only a status the writer asked for: the update itself may have sent the
    # event back for approval.
    if status in (status_before, event.status):
        return
    if not moderated:
        event_set_status(event=event, status=status, channel=channel, user=user)
    elif status == Event.Status.CANCELLED:
        event_cancel(event=event, channel=channel, reason=event.cancellation_reason)
    else:
        event_restore(event=event, channel=channel)


@_atomic_retried_once_on_conflict
def event_set_status(*, event, status, channel, user=None, changes=None):
    """Move an event to a status (with these other field changes, e.g. a reason)."""
    current = _lock_current(event)
    from_status = current.status
    current.status = status
    for name, value in (changes or {}).items():
        setattr(current, name, value)
    _save_revision(current, ["status", *(changes or {})])
    _show_current(event, current)
    _status_changed(event=current, from_status=from_status, channel=channel, user=user)
    content_changed()
    logger.info("event status set to %s", status, extra={"event_id": event.pk, "channel": channel})
    metrics.events_status_changed.labels(status=status, channel=channel).inc()
    return event


def event_cancel(*, event, channel, reason=""):
    """The organizer calls the event off; it stays public, marked cancelled, with the
    reason they give."""
    if not event.organizer_can_cancel:
        raise ValidationError(_("Only published events can be cancelled."), code="not_cancellable")
    reason = Event._meta.get_field("cancellation_reason").clean(reason.strip(), event)
    return event_set_status(
        event=event,
        status=Event.Status.CANCELLED,
        channel=channel,
        changes={"cancellation_reason": reason},
    )


def event_attach_cover(*, event, cover, channel, moderated=True):
    """Store a processed cover (events.covers.process_upload) and make it the event's
    next revision, under the rules of any other change (event_update): reviewed
    in approval mode, refused on a cancelled event for a moderated writer. The
    previous cover's files are deleted once that is saved.

    Returns False, changing nothing, when the file storage fails: the event and
    its current cover stay as they are, and the door tells the visitor.
    """
    try:
        prefix = covers.store(cover)
    except covers.CoverStorageError:
        return False
    try:
        return _set_cover(
            event, (prefix, cover.width, cover.height), channel=channel, moderated=moderated
        )
    except Exception:
        # E.g. the event was deleted meanwhile, or is cancelled: its new files would
        # be orphans.
        covers.delete_files(covers.variant_names(prefix, cover.width))
        raise


def event_remove_cover(*, event, channel, moderated=True):
    _set_cover(event, ("", None, None), channel=channel, moderated=moderated)


@transaction.atomic
def _set_cover(event, cover, *, channel, moderated):
    # The files replaced are those of the row this change locks and updates.
    current = _lock_current(event)
    old_files = current.cover_files()
    prefix, width, height = cover
    _update_locked(
        event,
        current,
        channel=channel,
        changes={"cover": prefix, "cover_width": width, "cover_height": height},
        moderated=moderated,
    )
    transaction.on_commit(partial(covers.delete_files, old_files))
    logger.info("event cover changed", extra={"event_id": event.pk, "channel": channel})
    return True


def event_restore(*, event, channel):
    """Undo a cancellation, while the event has not started."""
    if not event.organizer_can_restore():
        raise ValidationError(
            _("Only a cancelled event that has not started can be restored."),
            code="not_restorable",
        )
    return event_set_status(
        event=event,
        status=Event.Status.PUBLISHED,
        channel=channel,
        changes={"cancellation_reason": ""},
    )


def report_create(*, event, reason, text=""):
    """A visitor's report about a public event, for staff to look at in the admin."""
    report = Report(event=event, reason=reason, text=text.strip())
    report.full_clean()
    report.save()
    logger.info("event reported", extra={"event_id": event.pk})
    return report


@_atomic_retried_once_on_conflict
def event_delete(*, event, channel, expected_revision=None):
    """Delete an event (and its series with its last date); Event.DoesNotExist when
    someone else already did."""
    # Locking the event first, like every writer, orders the writers of one event
    # the same way: no deadlock between a deletion and a change of technologies.
    current = _lock_current(event, expected_revision=expected_revision)
    transaction.on_commit(partial(covers.delete_files, current.cover_files()))
    current.delete()
    _drop_if_empty(current.series_id)
    content_changed()
    logger.info("event deleted", extra={"event_id": event.pk, "channel": channel})
    metrics.events_deleted.labels(channel=channel).inc()


@_atomic_retried_once_on_conflict
def event_confirm_email(*, token):
    """The organizer clicked the link sent to their address: the event can now reach
    the moderators (and the public once approved). Event.DoesNotExist for an
    unknown or already used link. The link of a series confirms all its dates;
    the first one is returned."""
    waiting = list(
        Event.objects.select_for_update()
        .awaiting_email_confirmation()
        .by_email_confirmation(token)
        .order_by("starts_at", "pk")
    )
    if not waiting:
        raise Event.DoesNotExist("no event awaits this confirmation")
    for current in waiting:
        current.email_confirmation_hash = ""
        _save_revision(current, ["email_confirmation_hash"])
        logger.info("organizer address confirmed", extra={"event_id": current.pk})
    content_changed()
    transaction.on_commit(notify_moderators)
    return waiting[0]


def event_send_email_confirmation_again(*, event, request):
    """The organizer did not receive (or lost) the message with the link that
    confirms their address: send a new one to the address the event has now. The
    previous confirmation link stops working. Returns whether it was sent; False
    also when the event no longer waits for a confirmation."""
    with transaction.atomic():
        current = _lock_current(event)
        if not current.awaiting_email_confirmation or not current.organizer_email:
            return False
        # The dates of a series wait for one link: the new one replaces it for all.
        waiting = Event.objects.select_for_update().filter(
            email_confirmation_hash=current.email_confirmation_hash
        )
        token = _require_email_confirmation(*waiting)
    return _send_mail(
        template="events/email/confirm_address.txt",
        subject=lambda: _("Confirm your address for “%(title)s”") % {"title": current.title},
        recipients=[current.organizer_email],
        context={"event": current, "confirm_url": email_confirmation_url(request, token)},
        language=translation.get_language() or settings.LANGUAGE_CODE,
        event_id=current.pk,
    )


@_atomic_retried_once_on_conflict
def event_issue_edit_token(*, event):
    """Replace the event's edit token; the previous edit link stops working."""
    token = new_edit_token()
    current = _lock_current(event)
    current.edit_token_hash = hash_edit_token(token)
    _save_revision(current, ["edit_token_hash"])
    _show_current(event, current)
    content_changed()
    logger.info("event edit link reissued", extra={"event_id": event.pk})
    return token


@transaction.atomic
def event_duplicate(*, event):
    """A pending copy of the event, for staff to adjust and publish (e.g. a monthly meetup)."""
    technologies = list(event.technologies.all())
    copy = Event.objects.get(pk=event.pk)
    copy.pk = None
    title_length = Event._meta.get_field("title").max_length
    copy.title = _("%(title)s (copy)") % {"title": event.title}
    if len(copy.title) > title_length:
        suffix = copy.title[len(event.title) :]
        copy.title = Truncator(event.title).chars(title_length - len(suffix)) + suffix
    copy.status = Event.Status.PENDING
    copy.series = None
    copy.edit_token_hash = hash_edit_token(new_edit_token())
    _save_with_slug(copy)
    copy.technologies.set(technologies)
    _store_search_text(copy)
    content_changed()
    logger.info("event duplicated", extra={"event_id": copy.pk, "channel": Channel.ADMIN})
    return copy


def _refresh_search_text_of(events):
    for event in events.prefetch_related("technologies"):
        _store_search_text(event)


@transaction.atomic
def technology_delete(*, technology):
    """Delete a technology; its events are no longer found by its name."""
    event_ids = list(technology.events.values_list("pk", flat=True))
    technology.delete()
    _refresh_search_text_of(Event.objects.filter(pk__in=event_ids))
    content_changed()


@transaction.atomic
def technology_save(*, technology):
    """Save a (renamed) technology and the search text of its events.

    A rename keeps the old slug working: links, widgets and calendar subscriptions
    made with it still find the technology.
    """
    old_slug = (
        Technology.objects.filter(pk=technology.pk).values_list("slug", flat=True).first()
        if technology.pk
        else None
    )
    technology.full_clean()
    technology.save()
    # A slug in use now means that technology, whoever had it before.
    FormerTechnologySlug.objects.filter(slug=technology.slug).delete()
    if old_slug and old_slug != technology.slug:
        FormerTechnologySlug.objects.update_or_create(
            slug=old_slug, defaults={"technology": technology}
        )
    _refresh_search_text_of(technology.events.all())
    content_changed()


def _send_mail(*, template, subject, recipients, context, language, event_id=None):
    """One message in the reader's language, through the configured backend.

    A mail server failure never undoes the change that caused the message: it is
    logged (without addresses or bodies) and reported as not sent. Without a
    mail server (settings.EMAIL_ENABLED) nothing is sent.
    """
    if not settings.EMAIL_ENABLED:
        return False
    with translation.override(language):
        context = {**context, "APP_TITLE": settings.APP_TITLE}
        message = render_to_string(template, context)
        subject = " ".join(str(subject() if callable(subject) else subject).split())
    try:
        send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients)
    except (smtplib.SMTPException, OSError) as error:
        logger.error(
            "e-mail %s failed: %s", template, type(error).__name__, extra={"event_id": event_id}
        )
        return False
    logger.info("e-mail %s sent", template, extra={"event_id": event_id})
    return True


def send_edit_link(*, event, edit_url, page_url, confirm_url=None):
    """E-mail the private edit link to the organizer, in the language of the request.

    Returns whether it was sent. A mail server failure must not hide the link
    from the organizer, who still sees it on the page: it is logged, not raised.
    """
    if not event.organizer_email:
        return False
    return _send_mail(
        template="events/email/edit_link.txt",
        subject=lambda: _("Your edit link for “%(title)s”") % {"title": event.title},
        recipients=[event.organizer_email],
        context={
            "event": event,
            "edit_url": edit_url,
            "page_url": page_url,
            "confirm_url": confirm_url,
        },
        language=translation.get_language() or settings.LANGUAGE_CODE,
        event_id=event.pk,
    )


def _site_url(path):
    return settings.SITE_URL + path


def _notify_organizer_of_decision(event):
    """Tell the organizer that staff approved or rejected their event."""
    if not event.organizer_email:
        return False
    approved = event.status == Event.Status.PUBLISHED
    with translation.override(event.language):
        page_url = _site_url(event.get_absolute_url())
    return _send_mail(
        template=f"events/email/{'approved' if approved else 'rejected'}.txt",
        subject=lambda: (
            (_("“%(title)s” is published") if approved else _("“%(title)s” was not accepted"))
            % {"title": event.title}
        ),
        recipients=[event.organizer_email],
        context={"event": event, "page_url": page_url},
        language=event.language,
        event_id=event.pk,
    )


def moderators():
    """Staff who may approve events and have an address: the "Event managers"."""
    users = get_user_model().objects.with_perm(
        "events.change_event",
        include_superusers=True,
        # Permissions come from the model backend (the other one refuses locked-out logins).
        backend="django.contrib.auth.backends.ModelBackend",
    )
    return users.filter(is_active=True).exclude(email="")


def notify_moderators(*, now=None):
    """E-mail the moderators the pending events they have not heard about, at most
    once per digest window; the events that arrive meanwhile wait for the next one.

    Runs after each new pending event and from `manage.py notify_moderators`
    (scheduled every few minutes), which sends what is left at the end of a burst.
    The window is read from the events already announced, so it holds without the
    cache. Returns the number of events announced.
    """
    if not settings.EVENTS_REQUIRE_APPROVAL:
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        # One digest at a time: a concurrent call waits, then sees this one's marks.
        _take_turns("moderators-digest")
        window_start = now - timedelta(seconds=settings.EVENTS_MODERATION_DIGEST_SECONDS)
        if Event.objects.filter(moderators_notified_at__gt=window_start).exists():
            return 0
        waiting = list(
            Event.objects.pending().filter(
                moderators_notified_at__isnull=True, email_confirmation_hash=""
            )
        )
        recipients = sorted(moderators().values_list("email", flat=True))
        if not waiting or not recipients:
            return 0
        sent = _send_mail(
            template="events/email/pending_digest.txt",
            subject=lambda: (
                ngettext(
                    "%(count)d event waits for approval",
                    "%(count)d events wait for approval",
                    len(waiting),
                )
                % {"count": len(waiting)}
            ),
            recipients=recipients,
            context={
                "lines": _digest_lines(waiting),
                "changelist_url": _site_url(reverse("admin:events_event_changelist"))
                + "?status__exact=pending",
            },
            language=settings.LANGUAGE_CODE,
        )
        if not sent:
            return 0
        Event.objects.filter(pk__in=[event.pk for event in waiting]).update(
            moderators_notified_at=now
        )
    return len(waiting)


@dataclass(frozen=True)
class DigestLine:
    """A line of the moderators' digest: a pending event, or the first of a series'
    pending dates and their number, with the admin page that acts on them."""

    event: Event
    dates: int
    admin_url: str


def _digest_lines(events):
    """One line per single event, and one per series with several pending dates
    (published as a whole from the series' admin page), soonest first."""
    groups = {}
    for event in events:
        key = ("series", event.series_id) if event.series_id else ("event", event.pk)
        groups.setdefault(key, []).append(event)
    lines = []
    for dates in groups.values():
        first = dates[0]
        if len(dates) > 1:
            admin_url = reverse("admin:events_series_change", args=[first.series_id])
        else:
            admin_url = reverse("admin:events_event_change", args=[first.pk])
        lines.append(DigestLine(event=first, dates=len(dates), admin_url=_site_url(admin_url)))
    return lines


def recovery_link_url(request, token):
    return request.build_absolute_uri(reverse("events:recover", kwargs={"token": token}))


@dataclass(frozen=True)
class RecoveryItem:
    """A line of the recovery message: a single event, or a series listed once by
    its first upcoming date (`event`) and its number of upcoming dates, with the
    link that issues a new edit link for it."""

    event: Event
    series: Series | None
    upcoming_dates: int
    url: str


def _recovery_groups(events, *, email, now):
    """The address's upcoming events as the lines of its recovery message, soonest
    first: (series, its upcoming dates) for each series whose every upcoming date
    is under the address, (None, [event]) for each other event. A series with
    dates under other addresses is not listed whole: an address given to some of
    its dates does not lead to the others."""
    series_ids = {event.series_id for event in events if event.series_id is not None}
    shared = set(
        Event.objects.filter(series_id__in=series_ids)
        .upcoming(now=now)
        .exclude(organizer_email__iexact=email)
        .values_list("series_id", flat=True)
    )
    series_by_id = Series.objects.with_title().in_bulk(series_ids - shared)
    groups = {}
    for event in events:
        series = series_by_id.get(event.series_id)
        key = ("series", series.pk) if series else ("event", event.pk)
        groups.setdefault(key, (series, []))[1].append(event)
    return list(groups.values())


def send_recovery_links(*, email, request, language, now=None):
    """E-mail the organizer who registered events under this address one message
    listing their current and upcoming events, each with a single-use link that
    issues a new edit link. Their edit links keep working until then.

    A series is listed once, with a link that issues a new edit link for the
    whole series (see series_issue_edit_token), when all its upcoming dates are
    under this address; otherwise its dates under it are listed as single events.

    Nothing is sent when no such event exists; the caller answers the same either
    way. Returns the number of lines listed.
    """
    now = now or timezone.now()
    # Spent links are deleted on use; expired ones here, so the table stays small.
    RecoveryLink.objects.filter(expires_at__lte=now).delete()
    events = list(Event.objects.filter(organizer_email__iexact=email).upcoming(now=now))
    if not events:
        return 0
    items = []
    for series, dates in _recovery_groups(events, email=email, now=now):
        token = new_edit_token()
        RecoveryLink.objects.create(
            event=None if series else dates[0],
            series=series,
            token_hash=hash_edit_token(token),
            expires_at=now + RecoveryLink.LIFETIME,
        )
        items.append(
            RecoveryItem(
                event=dates[0],
                series=series,
                upcoming_dates=len(dates),
                url=recovery_link_url(request, token),
            )
        )
    logger.info("recovery links issued", extra={"events": len(events), "links": len(items)})
    _send_mail(
        template="events/email/recovery_links.txt",
        subject=lambda: _("Your edit links on %(site)s") % {"site": settings.APP_TITLE},
        recipients=[events[0].organizer_email],
        context={"items": items, "hours": RecoveryLink.lifetime_hours()},
        language=language,
    )
    return len(items)


@transaction.atomic
def series_issue_edit_token(*, series):
    """Replace the series' edit token, and every date's token with the one derived
    from the new token: the previous series link, and every date link derived from
    it (or recovered for one date alone), stop working; the new series link leads
    to every date again. Returns the new token."""
    token = new_edit_token()
    current = Series.objects.select_for_update().get(pk=series.pk)
    current.edit_token_hash = hash_edit_token(token)
    current.save(update_fields=["edit_token_hash"])
    dates = current.events.select_for_update().order_by("starts_at", "pk")
    for date in dates:
        date.edit_token_hash = hash_edit_token(derive_edit_token(token, date.slug))
        _save_revision(date, ["edit_token_hash"])
    content_changed()
    logger.info("series edit link reissued", extra={"series_id": series.pk})
    return token


@dataclass(frozen=True)
class RecoveredEditLink:
    """What a used recovery link gives: a new edit token for its event, or for its
    whole series."""

    link: RecoveryLink
    edit_token: str

    def edit_url(self, request):
        if self.link.series_id is not None:
            return series_edit_link(request, self.edit_token)
        return edit_link(request, self.edit_token)


@transaction.atomic
def recover_edit_link(*, token, now=None):
    """Use a recovery link: it is spent, and its event or series gets a new edit
    token (the previous edit link stops working; for a series, its dates' links
    too, see series_issue_edit_token). RecoveryLink.DoesNotExist when the link is
    unknown, spent or expired."""
    # Not joined to its event or series: the database locks no nullable side of a join.
    link = RecoveryLink.objects.select_for_update().usable(now=now).by_token(token).get()
    if link.series_id is not None:
        edit_token = series_issue_edit_token(series=link.series)
        logger.info("series edit link recovered", extra={"series_id": link.series_id})
    else:
        edit_token = event_issue_edit_token(event=link.event)
        logger.info("edit link recovered", extra={"event_id": link.event_id})
    link.delete()
    return RecoveredEditLink(link=link, edit_token=edit_token)
