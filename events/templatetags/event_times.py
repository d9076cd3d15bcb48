from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.utils.formats import date_format

from events.time_zones import time_zone_name, utc_offset_label

register = template.Library()


@register.inclusion_tag("events/_event_time.html")
def event_time(event, moment, format_name="DATETIME_FORMAT", visitor_time=True):
    """A moment of an event on the event's clock, labelled with its UTC offset; with
    the site's time (Brasília) when that clock differs, and, for events followed
    from anywhere, a slot that the browser fills with the visitor's own time."""
    local = moment.astimezone(event.zone)
    site = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    site_time = None
    if site.utcoffset() != local.utcoffset():
        same_day = site.date() == local.date()
        site_time = date_format(site, "TIME_FORMAT" if same_day else format_name)
    return {
        # HTML allows at most milliseconds; Python would write microseconds.
        "iso": local.replace(microsecond=0).isoformat(),
        "shown": date_format(local, format_name),
        "offset": utc_offset_label(local),
        "zone_name": time_zone_name(event.time_zone),
        "site_time": site_time,
        "site_zone_name": time_zone_name(settings.TIME_ZONE),
        "event_time_zone": event.time_zone,
        "visitor_time": visitor_time and event.mode != event.Mode.IN_PERSON,
    }
