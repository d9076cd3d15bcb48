from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def html_datetime(moment):
    """The value of <time datetime>: local ISO 8601 in whole seconds (HTML allows at
    most milliseconds, Python writes microseconds)."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()
