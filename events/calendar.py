"""Events in calendar formats: iCalendar (RFC 5545) files and Google Calendar links."""

import re
import uuid
from datetime import UTC, timedelta
from functools import lru_cache

import icalendar
from django.conf import settings
from django.utils.http import urlencode
from django.utils.text import Truncator

from . import fragments
from .models import LINE_BREAKS

# How often subscribed calendar applications are asked to fetch the feed again.
REFRESH_INTERVAL = timedelta(hours=1)
# Google Calendar receives everything in its URL: keep the details short.
GOOGLE_DETAILS_LENGTH = 1000
GOOGLE_CALENDAR_URL = "https://calendar.google.com/calendar/render"


# What calendar readers may take for the end of a content line, and other control
# characters: a value holding one could end its property and start a forged one.
_LINE_BREAK = re.compile(rf"\r\n|{LINE_BREAKS.pattern}")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")


def one_line(text):
    """The text as one line, safe in any property whatever it contains."""
    return " ".join(_CONTROL.sub("", text).split())


def multi_line(text):
    """The text with its line breaks as plain newlines, which iCalendar escapes."""
    return _LINE_BREAK.sub("\n", _CONTROL.sub("", text))


def event_uid(event):
    """Stays the same for the life of the event, so that calendars update their copy,
    whichever address (load balancer IP or domain) the calendar was fetched from."""
    return f"event-{event.pk}.{settings.ENVIRONMENT}@{settings.SERVICE_NAME}"


def event_sequence(event):
    """Grows with every change, so that calendar applications take the new version."""
    return event.revision


def event_location(event):
    if event.has_place:
        return one_line(event.full_address)
    return one_line(event.online_url)


def event_details(description, page_url):
    """The description followed by the event's page, where everything else is."""
    return multi_line(f"{description}\n\n{page_url}")


def _vevent(event, *, page_url):
    return icalendar.Event.new(
        uid=event_uid(event),
        sequence=event_sequence(event),
        summary=one_line(event.title),
        description=event_details(event.description, page_url),
        # On the event's clock: the calendar carries its zone (TZID and VTIMEZONE).
        start=event.local_starts_at,
        # Calendars need an end: events without one last the site's default duration.
        end=event.local_effective_end,
        location=event_location(event),
        url=one_line(page_url),
        categories=[one_line(technology.name) for technology in event.technology_list] or None,
        status="CANCELLED" if event.is_cancelled else "CONFIRMED",
        created=event.created_at,
        last_modified=event.updated_at,
    )


def build_calendar(events, *, name, request, calendar_url):
    """An iCalendar document of the events, with the time zone definitions it uses.

    `events` should prefetch their technologies; `calendar_url` identifies the calendar.
    """
    host = request.get_host()
    calendar = icalendar.Calendar.new(
        name=one_line(name),
        prodid=one_line(f"-//{settings.APP_TITLE}//{host}//"),
        method="PUBLISH",
        refresh_interval=REFRESH_INTERVAL,
        uid=str(uuid.uuid5(uuid.NAMESPACE_URL, calendar_url)),
        url=one_line(calendar_url),
    )
    calendar.add("X-WR-TIMEZONE", settings.TIME_ZONE)
    # Older clients read the refresh interval from this property.
    calendar.add("X-PUBLISHED-TTL", icalendar.vDuration(REFRESH_INTERVAL))
    vevents = [_kept_vevent(event, request=request) for event in events]
    # The definitions of the zones the events use, before the events, in a fixed
    # order so that every worker writes the same bytes (and ETag) for the same events.
    zones = sorted({zone for _vevent_text, event_zones in vevents for zone in event_zones})
    calendar.subcomponents = [
        definition for zone in zones if (definition := time_zone_definition(zone))
    ]
    document = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    return document.removesuffix(end) + b"".join(text for text, _zones in vevents) + end


def _kept_vevent(event, *, request):
    """The event's VEVENT as iCalendar text, and the zones it needs defined.

    Serialising a VEVENT is most of a calendar's cost, so each is kept by the
    state of its event (events.fragments): a feed of many events is rebuilt from
    the VEVENTs of the events that did not change. DTSTAMP says when the text was
    made, as it does for a whole feed that the public cache keeps.
    """

    def make():
        page_url = request.build_absolute_uri(event.get_absolute_url())
        vevent = _vevent(event, page_url=page_url)
        zones = icalendar.Calendar.new(subcomponents=[vevent]).get_missing_tzids()
        return vevent.to_ical(), tuple(sorted(zones))

    return fragments.kept_for_event("ics-vevent", event, make, request.scheme, request.get_host())


@lru_cache(maxsize=64)
def time_zone_definition(zone):
    """The VTIMEZONE of a zone, or None for a zone unknown here. Computed once per
    process: it walks every transition of the zone's history. Never modified."""
    try:
        return icalendar.Timezone.from_tzid(zone)
    except ValueError:
        return None


def google_calendar_url(event, *, page_url):
    """A link that opens Google Calendar's "new event" form filled with the event."""

    def utc(moment):
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    details = Truncator(event.description).chars(GOOGLE_DETAILS_LENGTH)
    query = urlencode(
        {
            "action": "TEMPLATE",
            "text": event.title,
            "dates": f"{utc(event.starts_at)}/{utc(event.effective_end)}",
            "ctz": event.time_zone,
            "details": event_details(details, page_url),
            "location": event_location(event),
        }
    )
    return f"{GOOGLE_CALENDAR_URL}?{query}"
