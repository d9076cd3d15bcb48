"""Every write to events goes through these functions, whichever door it comes
from (site, API or admin), so each rule and side effect lives in one place."""

import logging
import smtplib
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _

from . import covers, metrics
from .edit_tokens import hash_edit_token, new_edit_token
from .models import Event, FormerTechnologySlug, Technology, validate_not_duplicate

logger = logging.getLogger(__name__)


class Channel:
    WEB = "web"
    API = "api"
    ADMIN = "admin"


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


def _unique_slug(event):
    base = slugify(f"{event.title} {event.starts_at:%Y-%m-%d}")[:200].strip("-") or "event"
    slug, suffix = base, 2
    while Event.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def _save_with_slug(event):
    # Two submissions with the same title and day may race for one slug: retry.
    for _attempt in range(5):
        event.slug = _unique_slug(event)
        try:
            with transaction.atomic():
                event.save()
            return
        except IntegrityError:
            if not Event.objects.filter(slug=event.slug).exists():
                raise
    raise IntegrityError("Could not find a free slug")


def refresh_search_text(event):
    """Recompute the normalised search text; call after the technologies change."""
    event.search_text = event.build_search_text()
    Event.objects.filter(pk=event.pk).update(search_text=event.search_text)


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
    if not confirm_duplicate:
        validate_not_duplicate(event)
    token = event_create(
        event=event, channel=channel, technology_names=technology_names, moderated=moderated
    )
    edit_url = edit_link(request, token)
    email_sent = send_edit_link(event=event, edit_url=edit_url)
    return Submission(event=event, edit_token=token, edit_url=edit_url, email_sent=email_sent)


@transaction.atomic
def event_update(*, event, channel, technology_names=None):
    """Save the changes made to an event's fields (and technologies, when given)."""
    event.full_clean(exclude=["slug", "edit_token_hash", "technologies"])
    event.save()
    if technology_names is not None:
        event.technologies.set(technologies_from_names(technology_names))
    refresh_search_text(event)
    logger.info("event updated", extra={"event_id": event.pk, "channel": channel})
    metrics.events_updated.labels(channel=channel).inc()
    return event


def event_set_status(*, event, status, channel):
    event.status = status
    event.save(update_fields=["status", "updated_at"])
    logger.info("event status set to %s", status, extra={"event_id": event.pk, "channel": channel})
    metrics.events_status_changed.labels(status=status, channel=channel).inc()
    return event


def event_cancel(*, event, channel):
    """The organizer's cancellation, refused unless Event.organizer_can_cancel."""
    if not event.organizer_can_cancel:
        raise ValidationError(_("Only published events can be cancelled."), code="not_cancellable")
    return event_set_status(event=event, status=Event.Status.CANCELLED, channel=channel)


def event_attach_cover(*, event, cover, channel):
    """Store a processed cover (events.covers.process_upload) and make it the event's;
    the previous cover's files are deleted once that is saved.

    Returns False, changing nothing, when the file storage fails: the event and
    its current cover stay as they are, and the door tells the visitor.
    """
    try:
        prefix = covers.store(cover)
    except covers.CoverStorageError:
        return False
    old_files = event.cover_files()
    event.cover, event.cover_width, event.cover_height = prefix, cover.width, cover.height
    try:
        event.save(update_fields=["cover", "cover_width", "cover_height", "updated_at"])
    except Exception:
        covers.delete_files(Event(cover=prefix, cover_width=cover.width).cover_files())
        raise
    transaction.on_commit(lambda: covers.delete_files(old_files))
    logger.info("event cover set", extra={"event_id": event.pk, "channel": channel})
    return True


def event_remove_cover(*, event, channel):
    old_files = event.cover_files()
    event.cover, event.cover_width, event.cover_height = "", None, None
    event.save(update_fields=["cover", "cover_width", "cover_height", "updated_at"])
    transaction.on_commit(lambda: covers.delete_files(old_files))
    logger.info("event cover removed", extra={"event_id": event.pk, "channel": channel})


def event_delete(*, event, channel):
    event_id = event.pk
    transaction.on_commit(partial(covers.delete_files, event.cover_files()))
    event.delete()
    logger.info("event deleted", extra={"event_id": event_id, "channel": channel})
    metrics.events_deleted.labels(channel=channel).inc()


def event_issue_edit_token(*, event):
    """Replace the event's edit token; the previous edit link stops working."""
    token = new_edit_token()
    event.edit_token_hash = hash_edit_token(token)
    event.save(update_fields=["edit_token_hash", "updated_at"])
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
