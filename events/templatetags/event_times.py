from zoneinfo import ZoneInfo

from django import template
from django.conf import settings

from events.dates import format_day, format_time_of_day
from events.time_zones import time_zone_name, utc_offset_label

register = template.Library()


def _day_and_time(moment, zone, *, time_only):
    """ "sex., 4 de dezembro de 2026, 19:00", or "19:00" alone."""
    time = format_time_of_day(moment, zone)
    return time if time_only else f"{format_day(moment, zone)}, {time}"


@register.simple_tag
def event_day_and_time(event, moment):
    """ "qui., 13 de junho de 2030, 19:00": a moment on the event's clock, as plain text."""
    return _day_and_time(moment.astimezone(event.zone), event.zone, time_only=False)


@register.inclusion_tag("events/_event_time.html")
def event_time(event, moment, visitor_time=True, same_day_as=None, offset=True):
    """A moment of an event on the event's clock, labelled with its UTC offset (unless
    `offset` is False: the event page names the zone instead); with the site's time
    (Brasília) when that clock differs, and, for events followed from anywhere, a
    slot that the browser fills with the visitor's own time. `same_day_as` (the
    start, for the end) leaves the day out when it is the same."""
    zone = event.zone
    local = moment.astimezone(zone)
    site_zone = ZoneInfo(settings.TIME_ZONE)
    site = moment.astimezone(site_zone)
    time_only = same_day_as is not None and same_day_as.astimezone(zone).date() == local.date()
    site_time = None
    if site.utcoffset() != local.utcoffset():
        site_time = _day_and_time(site, site_zone, time_only=site.date() == local.date())
    return {
        # HTML allows at most milliseconds; Python would write microseconds.
        "iso": local.replace(microsecond=0).isoformat(),
        "shown": _day_and_time(local, zone, time_only=time_only),
        "offset": utc_offset_label(local) if offset else None,
        "zone_name": time_zone_name(event.time_zone),
        "site_time": site_time,
        "site_zone_name": time_zone_name(settings.TIME_ZONE),
        "event_time_zone": event.time_zone,
        "visitor_time": visitor_time and event.mode != event.Mode.IN_PERSON,
    }
