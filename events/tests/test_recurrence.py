"""The dates of a recurring meetup (events/recurrence.py)."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st

from events.recurrence import (
    HORIZON,
    MAX_OCCURRENCES,
    Frequency,
    Rule,
    WeekdayPosition,
    matches_position,
    occurrences,
)

SAO_PAULO = "America/Sao_Paulo"


def at(zone, *args):
    return datetime(*args, tzinfo=zoneinfo.ZoneInfo(zone))


def local_starts(rule, first, zone=SAO_PAULO, ends_at=None):
    dates = occurrences(rule, starts_at=first, ends_at=ends_at, time_zone=zone)
    return [start.astimezone(zoneinfo.ZoneInfo(zone)) for start, _end in dates]


def test_weekly_dates_follow_each_other_by_a_week():
    first = at(SAO_PAULO, 2026, 3, 5, 19)
    dates = local_starts(Rule(Frequency.WEEKLY, count=4), first)
    assert [d.date() for d in dates] == [date(2026, 3, d) for d in (5, 12, 19, 26)]


def test_every_two_weeks_skips_a_week():
    first = at(SAO_PAULO, 2026, 3, 5, 19)
    dates = local_starts(Rule(Frequency.WEEKLY, interval=2, until=date(2026, 4, 2)), first)
    assert [d.date() for d in dates] == [date(2026, 3, 5), date(2026, 3, 19), date(2026, 4, 2)]


def test_monthly_by_day_skips_months_without_that_day():
    first = at(SAO_PAULO, 2026, 1, 31, 19)
    dates = local_starts(Rule(Frequency.MONTHLY_DAY, count=3), first)
    assert [d.date() for d in dates] == [date(2026, 1, 31), date(2026, 3, 31), date(2026, 5, 31)]


def test_second_thursday_of_each_month():
    first = at(SAO_PAULO, 2026, 1, 8, 19)
    rule = Rule(Frequency.MONTHLY_WEEKDAY, weekday_position=2, count=3)
    dates = local_starts(rule, first)
    assert [d.date() for d in dates] == [date(2026, 1, 8), date(2026, 2, 12), date(2026, 3, 12)]


def test_fifth_weekday_series_skips_months_without_a_fifth_one():
    # January 2026 has five Thursdays (29th); February and March do not, April does (30th).
    first = at(SAO_PAULO, 2026, 1, 29, 19)
    rule = Rule(Frequency.MONTHLY_WEEKDAY, weekday_position=5, count=2)
    assert [d.date() for d in local_starts(rule, first)] == [date(2026, 1, 29), date(2026, 4, 30)]


def test_last_weekday_of_each_month():
    first = at(SAO_PAULO, 2026, 1, 29, 19)
    rule = Rule(Frequency.MONTHLY_WEEKDAY, weekday_position=WeekdayPosition.LAST, count=3)
    dates = local_starts(rule, first)
    assert [d.date() for d in dates] == [date(2026, 1, 29), date(2026, 2, 26), date(2026, 3, 26)]


def test_wall_clock_time_is_kept_across_brazils_former_daylight_saving_time():
    # São Paulo moved its clocks forward on 2018-11-04: 19:00 stays 19:00, the UTC offset changes.
    first = at(SAO_PAULO, 2018, 10, 25, 19)
    dates = local_starts(Rule(Frequency.WEEKLY, count=3), first)
    assert [(d.hour, d.minute) for d in dates] == [(19, 0)] * 3
    assert [d.utcoffset() for d in dates] == [
        timedelta(hours=-3),
        timedelta(hours=-3),
        timedelta(hours=-2),
    ]


def test_end_keeps_its_wall_clock_time_too():
    first = at(SAO_PAULO, 2018, 10, 25, 19)
    dates = occurrences(
        Rule(Frequency.WEEKLY, count=2),
        starts_at=first,
        ends_at=first + timedelta(hours=2),
        time_zone=SAO_PAULO,
    )
    ends = [end.astimezone(zoneinfo.ZoneInfo(SAO_PAULO)) for _start, end in dates]
    assert [(end.hour, end.minute) for end in ends] == [(21, 0), (21, 0)]


def test_a_date_whose_time_the_clocks_skipped_refuses_the_series():
    # 2018-11-04 00:30 did not exist in São Paulo.
    first = at(SAO_PAULO, 2018, 10, 28, 0, 30)
    with pytest.raises(ValidationError) as error:
        occurrences(
            Rule(Frequency.WEEKLY, count=3), starts_at=first, ends_at=None, time_zone=SAO_PAULO
        )
    (refusal,) = error.value.error_dict["frequency"]
    assert refusal.code == "skipped_time"
    assert "2018-11-04 00:30" in refusal.messages[0]


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (Rule("daily", count=3), "frequency"),
        (Rule(Frequency.WEEKLY, interval=0, count=3), "interval"),
        (Rule(Frequency.WEEKLY, interval=13, count=3), "interval"),
        (Rule(Frequency.WEEKLY), "until"),
        (Rule(Frequency.WEEKLY, count=3, until=date(2026, 6, 1)), "until"),
        (Rule(Frequency.WEEKLY, until=date(2026, 1, 1)), "until"),
        (Rule(Frequency.WEEKLY, count=1), "count"),
        (Rule(Frequency.WEEKLY, count=MAX_OCCURRENCES + 1), "count"),
        (Rule(Frequency.MONTHLY_WEEKDAY, count=3), "weekday_position"),
        # 2026-03-05 is the first Thursday of March, not the second.
        (Rule(Frequency.MONTHLY_WEEKDAY, weekday_position=2, count=3), "weekday_position"),
        (Rule(Frequency.WEEKLY, until=date(2026, 3, 6)), "until"),
    ],
)
def test_invalid_rules_are_refused_with_the_field_to_fix(rule, field):
    with pytest.raises(ValidationError) as error:
        occurrences(
            rule, starts_at=at(SAO_PAULO, 2026, 3, 5, 19), ends_at=None, time_zone=SAO_PAULO
        )
    assert field in error.value.message_dict


@pytest.mark.parametrize("frequency", [Frequency.WEEKLY, Frequency.MONTHLY_DAY])
def test_a_rule_not_on_the_same_weekday_keeps_no_weekday_position(frequency):
    assert Rule(frequency, weekday_position=2, count=3).weekday_position is None


def test_a_rule_on_the_same_weekday_keeps_its_weekday_position():
    rule = Rule(Frequency.MONTHLY_WEEKDAY, weekday_position=WeekdayPosition.LAST, count=3)
    assert rule.weekday_position == WeekdayPosition.LAST


def test_matches_position():
    assert matches_position(date(2026, 3, 12), 2)
    assert not matches_position(date(2026, 3, 12), 3)
    assert matches_position(date(2026, 3, 26), WeekdayPosition.LAST)
    assert matches_position(date(2026, 3, 26), 4)
    assert not matches_position(date(2026, 3, 19), WeekdayPosition.LAST)


ZONES = [
    "America/Sao_Paulo",
    "America/Manaus",
    "America/Noronha",
    "Europe/Lisbon",
    "America/New_York",
]


@st.composite
def series_rules(draw):
    zone = draw(st.sampled_from(ZONES))
    day = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
    # Meetup hours: no zone here skips or repeats them.
    start = datetime.combine(day, datetime.min.time()).replace(
        hour=draw(st.integers(8, 22)), minute=draw(st.sampled_from([0, 15, 30, 45]))
    )
    frequency = draw(st.sampled_from(Frequency.values))
    position = None
    if frequency == Frequency.MONTHLY_WEEKDAY:
        position = draw(
            st.sampled_from([p for p in WeekdayPosition.values if matches_position(day, p)])
        )
    if draw(st.booleans()):
        ending = {"count": draw(st.integers(2, MAX_OCCURRENCES))}
    else:
        ending = {"until": day + timedelta(days=draw(st.integers(0, 3000)))}
    rule = Rule(
        frequency,
        interval=draw(st.integers(1, 12)),
        weekday_position=position,
        **ending,
    )
    return rule, start.replace(tzinfo=zoneinfo.ZoneInfo(zone)), zone


@given(series_rules())
def test_generated_dates_stay_within_bounds_and_keep_the_wall_clock_time(example):
    rule, first, zone = example
    try:
        dates = local_starts(rule, first, zone)
    except ValidationError as error:
        # Only a rule whose end leaves a single date is refused.
        assert list(error.message_dict) == ["until"]
        return
    assert 2 <= len(dates) <= min(rule.count or MAX_OCCURRENCES, MAX_OCCURRENCES)
    assert dates[0] == first
    assert dates == sorted(set(dates))
    naive_first = first.replace(tzinfo=None)
    for moment in dates:
        assert (moment.hour, moment.minute) == (first.hour, first.minute)
        assert moment.replace(tzinfo=None) <= naive_first + HORIZON
        if rule.until:
            assert moment.date() <= rule.until
        if rule.frequency == Frequency.WEEKLY:
            assert moment.weekday() == first.weekday()
        elif rule.frequency == Frequency.MONTHLY_DAY:
            assert moment.day == first.day
        else:
            assert moment.weekday() == first.weekday()
            assert matches_position(moment.date(), rule.weekday_position)
    assert relativedelta(months=12) == HORIZON


@given(series_rules(), st.integers(0, 120))
@example((Rule(Frequency.WEEKLY, count=3), at(SAO_PAULO, 2026, 3, 5, 19), SAO_PAULO), 0)
def test_every_date_keeps_the_wall_clock_length_of_the_first_one_even_zero(example, minutes):
    rule, first, zone = example
    # Meetups end by 23:45 here: no zone skips or repeats those times either.
    first = first.replace(hour=min(first.hour, 21))
    length = timedelta(minutes=minutes)
    try:
        dates = occurrences(rule, starts_at=first, ends_at=first + length, time_zone=zone)
    except ValidationError as error:
        assert list(error.message_dict) == ["until"]
        return
    for start, end in dates:
        assert end is not None
        local = zoneinfo.ZoneInfo(zone)
        assert (
            end.astimezone(local).replace(tzinfo=None)
            - start.astimezone(local).replace(tzinfo=None)
            == length
        )
