"""Event dates as people read them, in the page's language, with Babel (CLDR):
"sex., 4 de dezembro de 2026, 19:00 (horário de Brasília)"."""

from babel.dates import format_skeleton, format_time, get_timezone_name
from django.conf import settings
from django.utils.translation import get_language, to_locale


def event_zone(event):
    """The time zone the event's times are given in: its own (Event.zone)."""
    return event.zone


def _locale(language=None):
    return to_locale(language or get_language() or settings.LANGUAGE_CODE)


def zone_label(zone, *, language=None):
    """ "horário de Brasília", "Amazon Time"."""
    name = get_timezone_name(zone, "long", locale=_locale(language), zone_variant="generic")
    # Portuguese writes it in lowercase inside a sentence; English names are proper nouns.
    return name[:1].lower() + name[1:] if _locale(language).startswith("pt") else name


def format_day(moment, zone, *, language=None):
    """ "sex., 4 de dezembro de 2026"."""
    return format_skeleton("yMMMMEd", moment, tzinfo=zone, locale=_locale(language))


def format_time_of_day(moment, zone, *, language=None):
    return format_time(moment, "short", tzinfo=zone, locale=_locale(language))


def format_start(event, *, language=None):
    """ "sex., 4 de dezembro de 2026, 19:00 (horário de Brasília)"."""
    zone = event_zone(event)
    return (
        f"{format_day(event.starts_at, zone, language=language)}, "
        f"{format_time_of_day(event.starts_at, zone, language=language)} "
        f"({zone_label(zone, language=language)})"
    )


def format_period(event, *, language=None):
    """The start, and the end: only its time when on the same day."""
    zone = event_zone(event)
    start = (
        f"{format_day(event.starts_at, zone, language=language)}, "
        f"{format_time_of_day(event.starts_at, zone, language=language)}"
    )
    label = f"({zone_label(zone, language=language)})"
    if not event.ends_at:
        return f"{start} {label}"
    end_time = format_time_of_day(event.ends_at, zone, language=language)
    if event.ends_at.astimezone(zone).date() == event.starts_at.astimezone(zone).date():
        return f"{start}–{end_time} {label}"
    end_day = format_day(event.ends_at, zone, language=language)
    return f"{start} – {end_day}, {end_time} {label}"
