"""Event dates as people read them, in the page's language, with Babel (CLDR):
"sex., 4 de dezembro de 2026, 19:00 (horário de Brasília)"."""

from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_time, get_timezone_name, match_skeleton, parse_pattern
from django.conf import settings
from django.utils.translation import get_language, to_locale


def event_zone(event):
    """The time zone the event's times are given in: its own (Event.zone)."""
    return event.zone


def _locale(language=None):
    return to_locale(language or get_language() or settings.LANGUAGE_CODE)


@cache
def _skeleton_pattern(skeleton, locale_name):
    """The locale's pattern for a skeleton, parsed: what babel.dates.format_skeleton
    looks up (a fuzzy match when the locale lacks it) on every call."""
    locale = Locale.parse(locale_name)
    if skeleton not in locale.datetime_skeletons:
        skeleton = match_skeleton(skeleton, locale.datetime_skeletons)
    return parse_pattern(locale.datetime_skeletons[skeleton]), locale


def format_skeleton(skeleton, moment, zone, *, language=None):
    """babel.dates.format_skeleton, with the pattern looked up once per skeleton and
    language (cards format three parts of every date on a page)."""
    pattern, locale = _skeleton_pattern(skeleton, _locale(language))
    return pattern.apply(moment.astimezone(zone), locale)


@lru_cache(maxsize=256)
def _zone_label(zone, locale_name):
    name = get_timezone_name(zone, "long", locale=locale_name, zone_variant="generic")
    # Portuguese writes it in lowercase inside a sentence; English names are proper nouns.
    return name[:1].lower() + name[1:] if locale_name.startswith("pt") else name


def zone_label(zone, *, language=None):
    """ "horário de Brasília", "Amazon Time"."""
    return _zone_label(zone, _locale(language))


def format_day(moment, zone, *, language=None):
    """ "sex., 4 de dezembro de 2026"."""
    return format_skeleton("yMMMMEd", moment, zone, language=language)


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
