import logging
from contextlib import contextmanager

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView
from django_ratelimit.decorators import ratelimit

from . import services, social_card
from .calendar import google_calendar_url
from .filters import (
    feed_title,
    public_filterset,
    subscription_links,
    upcoming_filterset,
    with_query,
)
from .forms import (
    EventCancelForm,
    EventEditForm,
    EventSubmissionForm,
    RecoveryRequestForm,
    ReportForm,
)
from .models import (
    DuplicateEvent,
    Event,
    RecoveryLink,
    Series,
    Technology,
    public_events,
    technology_slug,
)
from .structured_data import event_json_ld

logger = logging.getLogger(__name__)


def submission_rate(group, request):
    return settings.EVENTS_SUBMISSION_RATE


def edit_token_rate(group, request):
    return settings.EVENTS_EDIT_TOKEN_RATE


class FilteredEventListView(ListView):
    """A list of public events narrowed by the query string (see EventFilter)."""

    paginate_by = 20
    past = False

    def get_queryset(self):
        self.filterset = public_filterset(self.request, past=self.past)
        return self.filterset.qs

    def get_paginator(self, queryset, *args, **kwargs):
        return super().get_paginator(self.filterset.paged(), *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filterset=self.filterset,
            past=self.past,
            is_filtered=bool(self.filterset.names_in_use()),
            filters_summary=" · ".join(self.filterset.describe()),
            removable_filters=self.filterset.removable_filters(),
            shortcuts=[] if self.past else self.filterset.shortcuts(timezone.localdate()),
            **self.filterset.menus,
            canonical_url=self._canonical_url(context["page_obj"]),
        )
        if not self.past:
            context.update(subscription_links(self.request, self.filterset))
        return context

    def _canonical_url(self, page):
        """The filters in a fixed order and the page number; tracking parameters dropped."""
        extra = {"page": page.number} if page and page.number > 1 else {}
        query_string = self.filterset.query_string(**extra)
        return self.request.build_absolute_uri(with_query(self.request.path, query_string))


class EventDetailView(DetailView):
    queryset = public_events()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event, language = self.object, get_language()
        page_url = self.request.build_absolute_uri(event.get_absolute_url())
        card = self.request.build_absolute_uri(social_card.card_url(event, language))
        images = [card]
        if sources := event.cover_sources():
            images.insert(0, self.request.build_absolute_uri(sources["jpg"][-1][0]))
        context.update(
            technologies=self.object.technology_list,
            canonical_url=page_url,
            google_calendar_url=google_calendar_url(event, page_url=page_url),
            json_ld=event_json_ld(event, page_url=page_url, image_urls=images),
            next_dates=event.next_dates(),
            card_url=card,
            card_alt=social_card.card_alt(event, language),
            card_width=social_card.WIDTH,
            card_height=social_card.HEIGHT,
        )
        return context


# A card's address changes with what it shows: browsers and caches keep it for a year.
CARD_CACHE_CONTROL = "public, max-age=31536000, immutable"
CARD_RENDER_CACHE_SECONDS = 24 * 60 * 60


def event_card(request, slug, version):
    """The event's link-preview picture in the language of its address (see events.social_card)."""
    language = get_language()
    event = get_object_or_404(public_events(), slug=slug)
    if version != social_card.card_version(event, language):
        return redirect(social_card.card_url(event, language))
    key = f"social-card:{event.pk}:{language}:{version}"
    png = cache.get(key)
    if png is None:
        png = social_card.render_card(event, language)
        cache.set(key, png, CARD_RENDER_CACHE_SECONDS)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = CARD_CACHE_CONTROL
    return response


@method_decorator(xframe_options_exempt, name="dispatch")
class EmbeddedEventListView(ListView):
    """/embed/: a compact list of upcoming events for an iframe on another site,
    with the list page's filters. The only pages that other sites may frame."""

    template_name = "events/embed.html"
    paginate_by = 10

    def get_queryset(self):
        self.filterset = upcoming_filterset(self.request)
        return self.filterset.qs

    def get_paginator(self, queryset, *args, **kwargs):
        return super().get_paginator(self.filterset.paged(), *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        list_url = with_query(reverse("events:list"), self.filterset.query_string())
        context.update(
            calendar_name=feed_title(self.filterset),
            list_url=self.request.build_absolute_uri(list_url),
        )
        return context


def _event_for_token(token):
    try:
        return Event.objects.with_technologies().by_edit_token(token).get()
    except Event.DoesNotExist:
        raise Http404 from None


COVER_NOT_STORED = gettext_lazy(
    "The image could not be stored right now (the rest is saved). "
    "Please try again in a few minutes from the edit page."
)


def _attach_cover(event, cover):
    """Whether the cover, if one was sent, is now the event's."""
    if cover is None:
        return True
    return services.event_attach_cover(event=event, cover=cover, channel=services.Channel.WEB)


def _preview(request, form):
    """The event's page as it will look, from the form's valid data, and for a
    series the dates it will have; nothing saved. A series whose dates cannot
    all be saved gets the form back with the reason, as publishing would."""
    event = form.instance
    rule = form.cleaned_data["recurrence"]
    series_dates = None
    if rule is not None:
        try:
            series_dates = services.new_series_dates(event=event, rule=rule)
        except ValidationError as error:
            form.add_series_error(error)
            return render(request, "events/event_form.html", {"form": form})
    technologies = [
        Technology(name=name, slug=technology_slug(name))
        for name in form.cleaned_data["technology_names"]
    ]
    return render(
        request,
        "events/event_preview.html",
        {
            "event": event,
            "technologies": technologies,
            "series_dates": series_dates,
            "form": form,
            "preview": True,
        },
    )


@contextmanager
def _deleted_meanwhile_is_not_found():
    """An event deleted between loading the page and saving: the not-found page."""
    try:
        yield
    except Event.DoesNotExist:
        raise Http404 from None


@ratelimit(key="ip", rate=submission_rate, method="POST")
def event_create(request):
    if request.method == "POST":
        form = EventSubmissionForm(request.POST, request.FILES)
    else:
        form = EventSubmissionForm()
    if request.method == "POST" and "edit" in request.POST:
        # Back from the preview: the filled form, without judging it yet.
        return render(request, "events/event_form.html", {"form": form})
    if request.method == "POST" and "preview" in request.POST and form.is_valid():
        return _preview(request, form)
    if request.method == "POST" and form.is_valid():
        rule = form.cleaned_data["recurrence"]
        try:
            if rule is None:
                submission = services.event_submit(
                    event=form.save(commit=False),
                    channel=services.Channel.WEB,
                    technology_names=form.cleaned_data["technology_names"],
                    request=request,
                    confirm_duplicate=form.cleaned_data["confirm_duplicate"],
                )
                dates = [submission.event]
            else:
                submission = services.series_submit(
                    event=form.save(commit=False),
                    rule=rule,
                    channel=services.Channel.WEB,
                    technology_names=form.cleaned_data["technology_names"],
                    request=request,
                    confirm_duplicate=form.cleaned_data["confirm_duplicate"],
                )
                dates = submission.events
        except DuplicateEvent as duplicate:
            form.duplicate = duplicate.existing
            form.add_error(None, duplicate)
        except ValidationError as error:
            # A later date of the series that cannot be saved (see services.series_create).
            form.add_series_error(error)
        else:
            cover = form.cleaned_data["cover_image"]
            cover_failed = not all(_attach_cover(date, cover) for date in dates)
            return render(
                request,
                "events/event_created.html",
                {
                    "event": submission.event,
                    "series_dates": dates if rule else None,
                    "edit_url": submission.edit_url,
                    "email_sent": submission.email_sent,
                    "cover_failed": cover_failed,
                    "email_enabled": settings.EMAIL_ENABLED,
                    "hide_language_switch": True,
                },
            )
    return render(request, "events/event_form.html", {"form": form})


@ratelimit(key="ip", rate=edit_token_rate, method=ratelimit.ALL)
def event_edit(request, token):
    event = _event_for_token(token)
    if request.method == "POST":
        form = EventEditForm(request.POST, request.FILES, instance=event)
    else:
        form = EventEditForm(instance=event)
    if request.method == "POST" and form.is_valid():
        was_pending = event.is_pending
        change = {
            "event": event,
            "channel": services.Channel.WEB,
            "changes": form.changes(),
            "technology_names": form.cleaned_data["technology_names"],
            "expected_revision": form.cleaned_data["revision"],
        }
        left_cancelled = []
        try:
            with _deleted_meanwhile_is_not_found():
                if form.for_following_dates:
                    left_cancelled = services.series_update_following(**change)
                else:
                    services.event_update(**change)
                cover_stored = _attach_cover(event, form.cleaned_data["cover_image"])
                if form.cleaned_data.get("remove_cover") and not form.cleaned_data["cover_image"]:
                    services.event_remove_cover(event=event, channel=services.Channel.WEB)
        except services.EventChanged as changed:
            form.warn_changed_meanwhile(changed.event)
        except ValidationError as error:
            # A cancelled event, or a following date that the change would put on a
            # time the clocks skip.
            form.add_error(None, error)
        else:
            if event.is_pending and not was_pending:
                messages.warning(
                    request,
                    _(
                        "Your changes were saved. The event is hidden until our team reviews "
                        "them; it will be public again as soon as they are approved."
                    ),
                )
            else:
                messages.success(request, _("Your changes were saved."))
            if left_cancelled:
                messages.info(request, _left_cancelled_message(left_cancelled))
            if not cover_stored:
                messages.error(request, COVER_NOT_STORED)
            return redirect("events:edit", token=token)
    return render(
        request,
        "events/event_edit.html",
        {
            "form": form,
            "event": event,
            "token": token,
            "can_restore": event.organizer_can_restore(),
        },
    )


def _left_cancelled_message(dates):
    days = ", ".join(date_format(date.local_starts_at, "SHORT_DATE_FORMAT") for date in dates)
    return ngettext(
        "The cancelled date (%(days)s) was left as it is: undo its cancellation to change it.",
        "The cancelled dates (%(days)s) were left as they are: undo their cancellation "
        "to change them.",
        len(dates),
    ) % {"days": days}


@ratelimit(key="ip", rate=edit_token_rate, method=ratelimit.ALL)
def series_edit(request, token):
    """The organizer's page of a series: every date, each with its own edit link."""
    series = Series.objects.by_edit_token(token).first()
    if series is None:
        raise Http404
    dates = services.series_date_edit_tokens(series=series, token=token)
    if not dates:
        raise Http404
    return render(
        request,
        "events/series_edit.html",
        {"series": series, "dates": dates, "first": dates[0][0]},
    )


@ratelimit(key="ip", rate=edit_token_rate, method=ratelimit.ALL)
def event_cancel(request, token):
    """Asks for confirmation and an optional public reason, then cancels."""
    event = _event_for_token(token)
    form = EventCancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with _deleted_meanwhile_is_not_found():
                services.event_cancel(
                    event=event, channel=services.Channel.WEB, reason=form.cleaned_data["reason"]
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The event is now marked as cancelled."))
        return redirect("events:edit", token=token)
    return render(
        request, "events/event_confirm_cancel.html", {"event": event, "token": token, "form": form}
    )


@require_POST
@ratelimit(key="ip", rate=edit_token_rate, method=ratelimit.ALL)
def event_restore(request, token):
    event = _event_for_token(token)
    try:
        with _deleted_meanwhile_is_not_found():
            services.event_restore(event=event, channel=services.Channel.WEB)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The cancellation was undone: the event is back on."))
    return redirect("events:edit", token=token)


@ratelimit(key="ip", rate=edit_token_rate, method=ratelimit.ALL)
def event_delete(request, token):
    event = _event_for_token(token)
    if request.method == "POST":
        with _deleted_meanwhile_is_not_found():
            if event.series_id and request.POST.get("scope") == EventEditForm.FOLLOWING:
                services.series_delete_following(event=event, channel=services.Channel.WEB)
            else:
                services.event_delete(event=event, channel=services.Channel.WEB)
        messages.success(request, _("The event “%(title)s” was deleted.") % {"title": event.title})
        return redirect("events:list")
    return render(request, "events/event_confirm_delete.html", {"event": event, "token": token})


def report_rate(group, request):
    return settings.EVENTS_REPORT_RATE


@ratelimit(key="ip", rate=report_rate, method="POST")
def event_report(request, slug):
    """Visitors tell staff that something is wrong with a public event; no account needed."""
    event = get_object_or_404(Event.objects.public(), slug=slug)
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.report_create(event=event, **form.cleaned_data)
        return render(request, "events/report_received.html", {"event": event})
    return render(request, "events/report_form.html", {"event": event, "form": form})


def recovery_rate(group, request):
    return settings.EVENTS_RECOVERY_RATE


def recovery_address_rate(group, request):
    return settings.EVENTS_RECOVERY_ADDRESS_RATE


def recovery_address(group, request):
    """The address asked for, as the per-address limit counts it (one count per
    mailbox whatever the case or spacing)."""
    return request.POST.get("email", "").strip().casefold()


class AnswerThenRun(HttpResponse):
    """An answer that runs `then` once it has been sent (a WSGI server closes the
    response after writing it), so that its duration tells nothing about what
    `then` does."""

    def __init__(self, content, *, then, **kwargs):
        super().__init__(content, **kwargs)
        self.then = then

    def close(self):
        super().close()
        try:
            self.then()
        except Exception:
            # The visitor already has the answer: a failure here can only be logged.
            logger.exception("deferred work after the answer failed")


@ratelimit(key="ip", rate=recovery_rate, method="POST")
@ratelimit(key=recovery_address, rate=recovery_address_rate, method="POST")
def recovery_request(request):
    """Lost your edit link? The answer is the same whether or not the address
    registered events: nothing tells a visitor whose address it is."""
    form = RecoveryRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        language = translation.get_language()
        content = render_to_string(
            "events/recovery_sent.html",
            {"email": email, "hours": RecoveryLink.lifetime_hours()},
            request=request,
        )
        return AnswerThenRun(
            content,
            then=lambda: services.send_recovery_links(
                email=email, request=request, language=language
            ),
        )
    return render(request, "events/recovery_form.html", {"form": form})


def _usable_recovery_link(token):
    try:
        return RecoveryLink.objects.usable().by_token(token).select_related("event", "series").get()
    except RecoveryLink.DoesNotExist:
        raise Http404 from None


@ratelimit(key="ip", rate=edit_token_rate, method=ratelimit.ALL)
def recovery_use(request, token):
    """Asks for a click (a POST) before spending the link: mail scanners that open
    every link in a message must not spend it."""
    link = _usable_recovery_link(token)
    if request.method != "POST":
        return render(request, "events/recovery_confirm.html", {"link": link})
    try:
        recovered = services.recover_edit_link(token=token)
    except (RecoveryLink.DoesNotExist, Event.DoesNotExist):
        raise Http404 from None
    return render(
        request,
        "events/recovery_done.html",
        {
            "link": recovered.link,
            "edit_url": recovered.edit_url(request),
            "hide_language_switch": True,
        },
    )


def edit_link_key(group, request):
    return request.resolver_match.kwargs["token"]


@require_POST
@ratelimit(key="ip", rate=edit_token_rate, method=ratelimit.ALL)
# Each message goes to the address on the event: counted like recovery messages
# to one address, so an edit link cannot flood someone else's mailbox.
@ratelimit(key=edit_link_key, rate=recovery_address_rate, method=ratelimit.ALL)
def email_confirmation_resend(request, token):
    event = _event_for_token(token)
    with _deleted_meanwhile_is_not_found():
        sent = services.event_send_email_confirmation_again(event=event, request=request)
    if sent:
        messages.success(
            request,
            _("We sent a new confirmation link to %(email)s.") % {"email": event.organizer_email},
        )
    elif event.awaiting_email_confirmation:
        messages.error(request, _("The message could not be sent. Please try again later."))
    return redirect("events:edit", token=token)


@ratelimit(key="ip", rate=edit_token_rate, method=ratelimit.ALL)
def email_confirm(request, token):
    """Asks for a click (a POST) before confirming, like recovery_use: a mail
    scanner opening the link must not confirm an address for its owner."""
    if not Event.objects.awaiting_email_confirmation().by_email_confirmation(token).exists():
        raise Http404
    if request.method != "POST":
        return render(request, "events/email_confirm.html", {"confirmed": False})
    try:
        event = services.event_confirm_email(token=token)
    except Event.DoesNotExist:
        raise Http404 from None
    return render(request, "events/email_confirm.html", {"confirmed": True, "event": event})
