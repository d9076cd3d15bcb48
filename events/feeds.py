"""Subscriptions to upcoming events: an iCalendar feed, Atom and RSS.

They honour the list page's query string (see EventFilter), so the Recife
Python list and the Recife Python calendar are the same events.
"""

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .calendar import build_calendar
from .filters import feed_title, upcoming_filterset, with_query
from .models import Series, public_events

# Subscribed calendars fetch the whole feed every hour: keep it bounded.
CALENDAR_MAX_EVENTS = 200
FEED_MAX_ITEMS = 50
ICALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _icalendar_response(content, *, filename=None):
    response = HttpResponse(content, content_type=ICALENDAR_CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def upcoming_calendar(request):
    """/feeds/events.ics: a calendar to subscribe to, e.g. ?city=recife&technology=python."""
    filterset = upcoming_filterset(request)
    content = build_calendar(
        filterset.qs[:CALENDAR_MAX_EVENTS],
        name=feed_title(filterset),
        request=request,
        calendar_url=request.build_absolute_uri(),
    )
    return _icalendar_response(content)


def event_calendar(request, slug):
    """One event as an .ics file to add to any calendar application."""
    event = get_object_or_404(public_events(), slug=slug)
    content = build_calendar(
        [event],
        name=event.title,
        request=request,
        calendar_url=request.build_absolute_uri(event.get_absolute_url()),
    )
    return _icalendar_response(content, filename=f"{event.slug}.ics")


def series_calendar(request, pk):
    """Every public date of a series, one VEVENT each with the UID of its event.

    Not an RRULE with EXDATEs: each date is an event of its own that can be
    edited or cancelled alone, and calendar applications apply a per-date
    change (a RECURRENCE-ID override) far less reliably than they update or
    cancel (STATUS:CANCELLED) a plain event by its UID.
    """
    series = get_object_or_404(Series, pk=pk)
    events = series.events.public().with_technologies().order_by("starts_at", "pk")
    first = events.first()
    if first is None:
        raise Http404
    content = build_calendar(
        events,
        name=first.title,
        request=request,
        calendar_url=request.build_absolute_uri(),
    )
    return _icalendar_response(content, filename=f"{first.slug}-series.ics")


class UpcomingEventsFeed(Feed):
    """RSS 2.0 of upcoming events, narrowed by the filters of the query string."""

    description_template = "events/feeds/event_description.html"
    url_name = "events:rss"

    def get_object(self, request):
        return upcoming_filterset(request)

    def title(self, filterset):
        return feed_title(filterset)

    def description(self, filterset):
        return _("Upcoming tech events, soonest first.")

    def link(self, filterset):
        return with_query(reverse("events:list"), filterset.query_string())

    def feed_url(self, filterset):
        return with_query(reverse(self.url_name), filterset.query_string())

    def items(self, filterset):
        return filterset.qs[:FEED_MAX_ITEMS]

    def item_title(self, event):
        title = event.title
        if event.is_cancelled:
            title = _("Cancelled: %(title)s") % {"title": title}
        # Plain text: the feed writer escapes it once for XML.
        return title

    def item_author_name(self, event):
        return event.organizer_name

    def item_pubdate(self, event):
        return event.created_at

    def item_updateddate(self, event):
        return event.updated_at

    def item_categories(self, event):
        return [technology.name for technology in event.technology_list]


class UpcomingEventsAtomFeed(UpcomingEventsFeed):
    feed_type = Atom1Feed
    url_name = "events:atom"

    def subtitle(self, filterset):
        return self.description(filterset)
