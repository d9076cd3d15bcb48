import json
from datetime import date
from unittest.mock import patch

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.formats import date_format

from events.management.commands.seed_demo import DEMO_EVENTS
from events.models import Event, Series

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_realistic_events_once():
    call_command("seed_demo")
    count = Event.objects.count()
    assert count == len(json.loads(DEMO_EVENTS.read_text(encoding="utf-8"))) + 6
    assert 25 <= count <= 45
    assert Event.objects.filter(status=Event.Status.CANCELLED).count() == 1
    assert Event.objects.filter(status=Event.Status.PENDING).count() == 1
    assert Event.objects.published().upcoming().exists()
    assert Event.objects.published().past().exists()
    assert Event.objects.filter(mode=Event.Mode.ONLINE).exists()
    assert Event.objects.exclude(city="").values("city").distinct().count() >= 10
    assert list(Event.objects.search("sao paulo python"))

    call_command("seed_demo")
    assert Event.objects.count() == count


@pytest.mark.parametrize("today", [date(2026, 12, 2), date(2026, 3, 31), date(2027, 1, 15)])
def test_the_monthly_meetup_is_named_after_its_own_month(today):
    with patch("django.utils.timezone.localdate", return_value=today):
        call_command("seed_demo")

    meetup = Event.objects.get(title__startswith="Python São Paulo: encontro de ")
    with translation.override("pt-br"):
        month = date_format(timezone.localtime(meetup.starts_at), "F").lower()
    assert meetup.title == f"Python São Paulo: encontro de {month}"


@pytest.mark.parametrize("today", [date(2026, 12, 2), date(2026, 3, 12), date(2027, 1, 15)])
def test_the_demo_series_meets_on_the_second_thursday_of_six_months(today):
    with patch("django.utils.timezone.localdate", return_value=today):
        call_command("seed_demo")

    series = Series.objects.get()
    starts = [timezone.localtime(e.starts_at) for e in series.events.order_by("starts_at")]
    assert len(starts) == 6
    assert all(start.weekday() == 3 and 8 <= start.day <= 14 for start in starts)
    assert all(start.hour == 19 for start in starts)
    assert len({start.month for start in starts}) == 6
    assert starts[0].date() > today


def test_every_demo_place_has_its_state():
    call_command("seed_demo")

    assert not Event.objects.exclude(city="").filter(state="").exists()


def test_the_demo_shows_zones_prices_and_a_cancellation_reason():
    call_command("seed_demo")

    manaus = Event.objects.get(city="Manaus")
    assert manaus.time_zone == "America/Manaus"
    assert manaus.starts_at.astimezone(manaus.zone).hour == 19
    paid = Event.objects.filter(is_free=False)
    assert paid.exists()
    assert not paid.filter(price_from__isnull=True).exists()
    assert paid.filter(price_to__isnull=False).exists()
    cancelled = Event.objects.get(status=Event.Status.CANCELLED)
    assert cancelled.cancellation_reason
