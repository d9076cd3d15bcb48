"""Every write to events goes through these functions, whichever door it comes
from (site, API or admin), so each rule and side effect lives in one place.

Each one calls `content_changed()`, so that no cache serves what it replaced.
"""

import hashlib
import itertools
import logging
import smtplib
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _

from encontros.public_cache import content_changed

from . import covers, metrics
from .edit_tokens import hash_edit_token, new_edit_token
from .models import Event, FormerTechnologySlug, Technology, validate_not_duplicate

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


def refresh_search_text(event):
    """Recompute the normalised search text; call after the technologies change."""
    event.search_text = event.build_search_text()
    Event.objects.filter(pk=event.pk).update(search_text=event.search_text)
    content_changed()


@transaction.atomic
def event_create(*, event, channel, technology_names=None, moderated=True):
    """Save a new event and return its edit token (the only time it exists in clear).

    A moderated submission (anyone's but staff's) waits as pending when the
    site requires approval.
    """
    token = new_edit_token()
    if moderated:
        event.status = (
            Event.Status.PENDING if settings.EVENTS_REQUIRE_APPROVAL else Event.Status.PUBLISHED
        )
    event.edit_token_hash = hash_edit_token(token)
    event.full_clean(exclude=["slug", "edit_token_hash", "technologies"])
    _save_with_slug(event)
    if technology_names is not None:
        event.technologies.set(technologies_from_names(technology_names))
    refresh_search_text(event)
    content_changed()
    logger.info("event created", extra={"event_id": event.pk, "channel": channel})
    metrics.events_created.labels(channel=channel).inc()
    return token


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
    edit_url = edit_link(request, token)
    email_sent = send_edit_link(event=event, edit_url=edit_url)
    return Submission(event=event, edit_token=token, edit_url=edit_url, email_sent=email_sent)


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
    getattr(event, "_prefetched_objects_cache", {}).pop("technologies", None)


@transaction.atomic
def event_update(*, event, channel, changes, technology_names=None, expected_revision=None):
    """Change these fields of an event (and its technologies, when given), and only
    these: writers of other fields at the same time keep their changes.

    With `expected_revision`, refuse (EventChanged) when the event changed since
    the writer read it. `event` ends up holding the stored values.
    """
    current = _lock_current(event, expected_revision=expected_revision)
    for name, value in changes.items():
        setattr(current, name, value)
    current.full_clean(exclude=["slug", "edit_token_hash", "technologies"])
    _save_revision(current, changes)
    if technology_names is not None:
        current.technologies.set(technologies_from_names(technology_names))
    refresh_search_text(current)
    _show_current(event, current)
    content_changed()
    logger.info("event updated", extra={"event_id": event.pk, "channel": channel})
    metrics.events_updated.labels(channel=channel).inc()
    return event


@transaction.atomic
def event_set_status(*, event, status, channel):
    current = _lock_current(event)
    current.status = status
    _save_revision(current, ["status"])
    _show_current(event, current)
    content_changed()
    logger.info("event status set to %s", status, extra={"event_id": event.pk, "channel": channel})
    metrics.events_status_changed.labels(status=status, channel=channel).inc()
    return event


def event_cancel(*, event, channel):
    """The organizer's cancellation, refused unless Event.organizer_can_cancel."""
    if not event.organizer_can_cancel:
        raise ValidationError(_("Only published events can be cancelled."), code="not_cancellable")
    return event_set_status(event=event, status=Event.Status.CANCELLED, channel=channel)


def event_attach_cover(*, event, cover, channel):
    """Store a processed cover (events.covers.process_upload) and make it the event's
    next revision; the previous cover's files are deleted once that is saved.

    Returns False, changing nothing, when the file storage fails: the event and
    its current cover stay as they are, and the door tells the visitor.
    """
    try:
        prefix = covers.store(cover)
    except covers.CoverStorageError:
        return False
    try:
        return _set_cover(event, (prefix, cover.width, cover.height), channel=channel)
    except Exception:
        # E.g. the event was deleted meanwhile: its new files would be orphans.
        covers.delete_files(covers.variant_names(prefix, cover.width))
        raise


def event_remove_cover(*, event, channel):
    _set_cover(event, ("", None, None), channel=channel)


@transaction.atomic
def _set_cover(event, cover, *, channel):
    current = _lock_current(event)
    old_files = current.cover_files()
    current.cover, current.cover_width, current.cover_height = cover
    _save_revision(current, ["cover", "cover_width", "cover_height"])
    _show_current(event, current)
    content_changed()
    transaction.on_commit(partial(covers.delete_files, old_files))
    logger.info("event cover changed", extra={"event_id": event.pk, "channel": channel})
    return True


@transaction.atomic
def event_delete(*, event, channel, expected_revision=None):
    """Delete an event; Event.DoesNotExist when someone else already did."""
    # Locking the event first, like every writer, orders the writers of one event
    # the same way: no deadlock between a deletion and a change of technologies.
    current = _lock_current(event, expected_revision=expected_revision)
    transaction.on_commit(partial(covers.delete_files, current.cover_files()))
    current.delete()
    content_changed()
    logger.info("event deleted", extra={"event_id": event.pk, "channel": channel})
    metrics.events_deleted.labels(channel=channel).inc()


@transaction.atomic
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
    copy.edit_token_hash = hash_edit_token(new_edit_token())
    _save_with_slug(copy)
    copy.technologies.set(technologies)
    refresh_search_text(copy)
    content_changed()
    logger.info("event duplicated", extra={"event_id": copy.pk, "channel": Channel.ADMIN})
    return copy


def _refresh_search_text_of(events):
    for event in events.prefetch_related("technologies"):
        refresh_search_text(event)


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


def send_edit_link(*, event, edit_url):
    """E-mail the private edit link to the organizer, in the language of the request.

    Returns whether it was sent. A mail server failure must not hide the link
    from the organizer, who still sees it on the page: it is logged, not raised.
    """
    if not event.organizer_email:
        return False
    context = {"event": event, "edit_url": edit_url, "APP_TITLE": settings.APP_TITLE}
    subject = _("Your edit link for “%(title)s”") % {"title": event.title}
    try:
        send_mail(
            subject=" ".join(subject.split()),
            message=render_to_string("events/email/edit_link.txt", context),
            from_email=None,
            recipient_list=[event.organizer_email],
        )
    except (smtplib.SMTPException, OSError) as error:
        logger.error(
            "edit link e-mail failed: %s", type(error).__name__, extra={"event_id": event.pk}
        )
        return False
    logger.info("edit link e-mailed", extra={"event_id": event.pk})
    return True
