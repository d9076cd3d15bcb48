"""The dates of a recurring meetup, from its first date and a rule.

Rules are computed by dateutil.rrule on wall-clock times in the event's time
zone, so "every 2nd Thursday at 19:00" stays at 19:00 local time when the UTC
offset changes (daylight saving time), and only then turned into moments.
"""

import itertools
import zoneinfo
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .time_zones import wall_clock_in_zone

# No series generates more dates than this, nor dates further than HORIZON
# after its first one: a typo in an end date must not flood the list.
MAX_OCCURRENCES = 53
HORIZON = relativedelta(months=12)
MAX_INTERVAL = 12


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Every week (or every few weeks)")
    MONTHLY_DAY = "monthly_day", _("Every month, on the same day of the month")
    MONTHLY_WEEKDAY = "monthly_weekday", _("Every month, on the same weekday (e.g. 2nd Thursday)")


class WeekdayPosition(models.IntegerChoices):
    FIRST = 1, _("1st")
    SECOND = 2, _("2nd")
    THIRD = 3, _("3rd")
    FOURTH = 4, _("4th")
    FIFTH = 5, _("5th")
    LAST = -1, _("Last")


@dataclass(frozen=True)
class Rule:
    """How a meetup repeats. It ends on `until` (a local date, inclusive) or after
    `count` dates, and in any case within the bounds above."""

    frequency: str
    interval: int = 1
    weekday_position: int | None = None
    until: date | None = None
    count: int | None = None

    def __post_init__(self):
        # Only a rule "on the same weekday" has a position in the month: kept on
        # another one, it would describe what its dates do not follow.
        if self.frequency != Frequency.MONTHLY_WEEKDAY:
            object.__setattr__(self, "weekday_position", None)

    def validate(self, first_local_start):
        """Refuse a rule that cannot describe a series starting on that date."""
        errors = {}
        if self.frequency not in Frequency.values:
            errors["frequency"] = _("Choose how the event repeats.")
        if not 1 <= self.interval <= MAX_INTERVAL:
            errors["interval"] = _("Repeat every 1 to %(max)s weeks or months.") % {
                "max": MAX_INTERVAL
            }
        if self.frequency == Frequency.MONTHLY_WEEKDAY:
            if self.weekday_position not in WeekdayPosition.values:
                errors["weekday_position"] = _("Choose which weekday of the month.")
            elif not matches_position(first_local_start.date(), self.weekday_position):
                day = first_local_start.date()
                errors["weekday_position"] = _(
                    "The first date is not at that position in its month: "
                    "for %(date)s, choose “%(position)s”."
                ) % {
                    "date": date_format(day, "SHORT_DATE_FORMAT"),
                    "position": WeekdayPosition((day.day - 1) // 7 + 1).label,
                }
        if (self.until is None) == (self.count is None):
            errors["until"] = _("End the series on a date or after a number of dates.")
        elif self.until is not None and self.until < first_local_start.date():
            errors["until"] = _("The series cannot end before its first date.")
        elif self.count is not None and not 2 <= self.count <= MAX_OCCURRENCES:
            errors["count"] = _("A series has 2 to %(max)s dates.") % {"max": MAX_OCCURRENCES}
        if errors:
            raise ValidationError(errors)


# The parts of a rule: the names under which a refused rule gives its errors.
RULE_FIELDS = tuple(field.name for field in fields(Rule))


def matches_position(day, position):
    """Whether `day` is the nth (1-5) or the last (-1) of its weekday in its month."""
    if position == WeekdayPosition.LAST:
        return (day + timedelta(weeks=1)).month != day.month
    return (day.day - 1) // 7 + 1 == position


def local_starts(rule, first_local_start):
    """The naive wall-clock starts of the series, the first one included.

    Months without the day (the 31st) or the position (a 5th Thursday) are
    skipped, as dateutil does.
    """
    limit = first_local_start + HORIZON
    if rule.until is not None:
        limit = min(limit, datetime.combine(rule.until, datetime.max.time()))
    day = first_local_start.date()
    if rule.frequency == Frequency.WEEKLY:
        by = {"freq": WEEKLY}
    elif rule.frequency == Frequency.MONTHLY_DAY:
        by = {"freq": MONTHLY, "bymonthday": day.day}
    else:
        by = {"freq": MONTHLY, "byweekday": weekday(day.weekday(), rule.weekday_position)}
    dates = rrule(dtstart=first_local_start, interval=rule.interval, until=limit, **by)
    return list(itertools.islice(dates, min(rule.count or MAX_OCCURRENCES, MAX_OCCURRENCES)))


def occurrences(rule, *, starts_at, ends_at, time_zone):
    """(starts_at, ends_at) moments of each date of the series whose first date is
    given: the same wall-clock times, in the time zone, on each date.

    A ValidationError names a date whose time does not exist there (or happens
    twice) because of daylight saving time, under "frequency": the rule put it there.
    """
    zone = zoneinfo.ZoneInfo(time_zone)
    first_local = starts_at.astimezone(zone).replace(tzinfo=None)
    rule.validate(first_local)
    duration = None
    if ends_at is not None:
        duration = ends_at.astimezone(zone).replace(tzinfo=None) - first_local
    result = []
    try:
        for local_start in local_starts(rule, first_local):
            start = wall_clock_in_zone(local_start, time_zone)
            end = (
                wall_clock_in_zone(local_start + duration, time_zone)
                if duration is not None
                else None
            )
            result.append((start, end))
    except ValidationError as error:
        raise ValidationError({"frequency": error}) from error
    if len(result) < 2:
        raise ValidationError(
            {"until": _("This rule gives a single date: make the series end later.")}
        )
    return result
