"""Where an event happens decides the clock its times are read on.

Each event has an IANA time zone. Times are entered and shown in it, and every
export (calendars, feeds, JSON-LD, the API) carries it, so "Java Manaus, 19:00"
is 19:00 in Manaus for everyone.
"""

import zoneinfo
from datetime import datetime, timedelta
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .search import normalize

BRASILIA = "America/Sao_Paulo"
AMAZONAS = "America/Manaus"
ACRE = "America/Rio_Branco"
NORONHA = "America/Noronha"

# Brazil's zones as people name them. The site offers these; the API accepts any IANA zone.
BRAZIL_TIME_ZONES = [
    (BRASILIA, _("Brasília")),
    (AMAZONAS, _("Amazonas/Manaus")),
    (ACRE, _("Acre")),
    (NORONHA, _("Fernando de Noronha")),
]

# Cities off Brasília time, keyed by their normalised name (see events.search):
# the capitals and larger towns of the states on Amazonas and Acre time, and the
# island. Every other city is on Brasília time, the default.
CITY_TIME_ZONES = {
    **dict.fromkeys(
        [
            # Amazonas, Rondônia, Roraima, Mato Grosso, Mato Grosso do Sul.
            "manaus",
            "parintins",
            "itacoatiara",
            "manacapuru",
            "porto velho",
            "ji-parana",
            "ariquemes",
            "vilhena",
            "boa vista",
            "cuiaba",
            "varzea grande",
            "rondonopolis",
            "sinop",
            "campo grande",
            "dourados",
            "tres lagoas",
            "corumba",
        ],
        AMAZONAS,
    ),
    **dict.fromkeys(["rio branco", "cruzeiro do sul", "sena madureira", "tabatinga"], ACRE),
    "fernando de noronha": NORONHA,
}


@cache
def available_time_zones():
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(name):
    if name not in available_time_zones():
        raise ValidationError(
            _("“%(name)s” is not a time zone. Use an IANA name such as America/Manaus."),
            code="invalid_time_zone",
            params={"name": name[:40]},
        )


def time_zone_for_city(city):
    """The zone a city in Brazil is on; Brasília time when the city is unknown."""
    return CITY_TIME_ZONES.get(normalize(city), BRASILIA)


def time_zone_name(zone):
    """The everyday name of a Brazilian zone (e.g. "Amazonas/Manaus"), else the IANA name."""
    return dict(BRAZIL_TIME_ZONES).get(zone, zone)


def utc_offset_label(moment):
    """The UTC offset of an aware moment in its own zone, e.g. "UTC−3" or "UTC+5:30"."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def wall_clock_in_zone(naive, zone):
    """The moment a naive wall-clock time means in `zone`.

    A time that the clocks skipped (the start of daylight saving time) or showed
    twice (its end) means no single moment: it is refused rather than guessed.
    """
    tz = zoneinfo.ZoneInfo(zone)
    moment = naive.replace(tzinfo=tz)
    other_fold = naive.replace(tzinfo=tz, fold=1 - moment.fold)
    if moment.utcoffset() != other_fold.utcoffset():
        skipped = _round_trip(moment) != naive
        raise ValidationError(
            _("%(time)s did not exist in this time zone (the clocks jumped forward).")
            if skipped
            else _(
                "%(time)s happened twice in this time zone (the clocks went back): "
                "choose another time."
            ),
            code="skipped_time" if skipped else "repeated_time",
            params={"time": naive.strftime("%Y-%m-%d %H:%M")},
        )
    return moment


def _round_trip(moment):
    return datetime.fromtimestamp(moment.timestamp(), moment.tzinfo).replace(tzinfo=None)
