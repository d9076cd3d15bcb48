"""Online events show their time in the visitor's own zone too, computed in the
browser so that the page itself stays the same for everyone (cacheable)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from events.models import Event
from events.tests.factories import EventFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def online_event_in_manaus():
    return EventFactory(
        title="Java Manaus online",
        mode=Event.Mode.ONLINE,
        city="",
        venue="",
        online_url="https://meet.example.org/java",
        time_zone="America/Manaus",
        starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=ZoneInfo("America/Manaus")),
        ends_at=None,
    )


def visit(chromium, live_server, time_zone, path):
    context = chromium.new_context(
        base_url=live_server.url, locale="en-US", timezone_id=time_zone, bypass_csp=True
    )
    page = context.new_page()
    page.goto(path)
    return context, page


def test_a_visitor_in_lisbon_also_sees_the_time_on_their_own_clock(
    chromium, live_server, online_event_in_manaus
):
    context, page = visit(
        chromium, live_server, "Europe/Lisbon", online_event_in_manaus.get_absolute_url()
    )

    visitor_time = page.locator(".visitor-time").first
    expect(visitor_time).to_be_visible()
    # 19:00 in Manaus (UTC−4) is midnight in Lisbon (UTC+1 in June).
    expect(visitor_time.locator("time")).to_contain_text("00:00")
    expect(visitor_time.locator("time")).to_have_attribute("datetime", "2030-06-10T23:00:00.000Z")
    context.close()


def test_a_visitor_on_the_events_clock_sees_no_second_time(
    chromium, live_server, online_event_in_manaus
):
    context, page = visit(chromium, live_server, "America/Manaus", "/")

    expect(page.locator(".event-card")).to_have_count(1)
    expect(page.locator(".visitor-time")).to_be_hidden()
    context.close()
