from django import template
from django.utils import timezone

from events.dates import event_zone, format_period, format_skeleton, zone_label

register = template.Library()


@register.filter
def html_datetime(moment):
    """The value of <time datetime>: local ISO 8601 in whole seconds (HTML allows at
    most milliseconds, Python writes microseconds)."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


@register.simple_tag
def event_period(event):
    """ "sex., 4 de dezembro de 2026, 19:00–22:00 (horário de Brasília)"."""
    return format_period(event)


@register.simple_tag
def event_zone_label(event):
    """ "horário de Brasília": the event's zone, named as event_period names it."""
    return zone_label(event_zone(event))


@register.inclusion_tag("events/_date_chip.html")
def date_chip(event):
    """The day, month and weekday of the start, in the event's zone, for event cards."""
    zone = event_zone(event)
    parts = {
        skeleton: format_skeleton(skeleton, event.starts_at, zone)
        for skeleton in ("d", "MMM", "EEE")
    }
    return {
        "day": parts["d"],
        "month": parts["MMM"].rstrip("."),
        "weekday": parts["EEE"].rstrip("."),
    }
