"""An organizer publishes a monthly meetup as a series, then cancels one date with
the series' edit link; the other dates stay on. At phone size, with screenshots."""

import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from events.models import Event, Series
from events.tests.helpers import ARTIFACTS

pytestmark = pytest.mark.browser

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    settings.EVENTS_FORM_MIN_SECONDS = 0


def test_organizer_creates_a_series_and_cancels_one_date(page, live_server):
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size(PHONE)
    page.goto("/events/new/")
    page.fill("#id_title", "Python Natal: encontro mensal")
    page.fill("#id_description", "Palestras curtas e café.")
    # 2030-05-09 is the second Thursday of May.
    page.fill("#id_starts_at", "2030-05-09T19:00")
    page.fill("#id_ends_at", "2030-05-09T21:00")
    page.fill("#id_technology_names", "Python")
    page.select_option("#id_mode", "in_person")
    page.fill("#id_city", "Natal")
    page.fill("#id_venue", "Praia Shopping")
    page.fill("#id_organizer_name", "Grupy RN")
    page.check("#id_is_free_0")
    page.select_option("#id_repeats", "monthly_weekday")
    page.select_option("#id_weekday_position", "3")
    page.fill("#id_repeat_count", "4")
    page.locator("fieldset.repeats").screenshot(path=ARTIFACTS / "series-form-phone.png")
    page.locator("form.event-form button[type=submit]").first.click()

    # The wrong position is explained at its field; nothing is saved.
    expect(page.locator("#id_weekday_position_error")).to_contain_text("2º/2ª")
    assert not Event.objects.exists()
    page.select_option("#id_weekday_position", "2")
    page.locator("form.event-form button[type=submit]").first.click()

    edit_link = page.locator("#edit-url")
    expect(edit_link).to_have_value(
        re.compile(rf"^{live_server.url}/events/edit/series/[\w-]{{43}}/$")
    )
    expect(page.locator(".series-dates li")).to_have_count(4)
    page.screenshot(path=ARTIFACTS / "series-created-phone.png", full_page=True)
    series = Series.objects.get()
    days = [e.starts_at.astimezone(SAO_PAULO).date() for e in series.events.order_by("starts_at")]
    assert days == [date(2030, 5, 9), date(2030, 6, 13), date(2030, 7, 11), date(2030, 8, 8)]

    page.goto(edit_link.input_value())
    expect(page.locator(".series-dates li")).to_have_count(4)
    page.screenshot(path=ARTIFACTS / "series-edit-phone.png", full_page=True)
    page.locator(".series-dates li").nth(1).get_by_role("link").click()
    page.locator("a[href$='/cancel/']").click()
    page.fill("#id_reason", "Feriado.")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()

    statuses = list(series.events.order_by("starts_at").values_list("status", flat=True))
    assert statuses == ["published", "cancelled", "published", "published"]
    first = series.events.order_by("starts_at").first()
    page.goto(first.get_absolute_url())
    next_dates = page.locator(".next-dates li")
    expect(next_dates).to_have_count(3)
    expect(next_dates.nth(0)).to_contain_text("Cancelado")
    page.screenshot(path=ARTIFACTS / "series-event-phone.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
