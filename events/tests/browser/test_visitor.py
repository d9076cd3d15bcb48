"""A visitor finds an event, takes it to their calendar and reads the site in English.

Selectors use ids, names and addresses rather than visible words, which change
with the language.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from playwright.sync_api import expect

from events.tests.factories import EventFactory, TechnologyFactory

pytestmark = pytest.mark.browser

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


@pytest.fixture
def events():
    python = TechnologyFactory(name="Python", slug="python")
    rust = TechnologyFactory(name="Rust", slug="rust")
    return {
        "python_recife": EventFactory(
            title="Python Recife",
            city="Recife",
            technologies=[python],
            starts_at=datetime(2030, 4, 2, 19, 0, tzinfo=SAO_PAULO),
            ends_at=datetime(2030, 4, 2, 22, 0, tzinfo=SAO_PAULO),
        ),
        "python_sp": EventFactory(title="Python SP", city="São Paulo", technologies=[python]),
        "rust_recife": EventFactory(title="Rust Recife", city="Recife", technologies=[rust]),
        "functional": EventFactory(
            title="Oficina de programacao funcional", city="Natal", technologies=[rust]
        ),
    }


def result_titles(page):
    return page.locator(".event-card .card-title a")


def test_visitor_finds_an_event_adds_it_to_a_calendar_and_switches_to_english(page, events):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "pt-br")
    expect(result_titles(page)).to_have_count(4)

    # An accented query finds text stored without accents.
    page.fill("#id_search", "Programação")
    page.locator("form[role=search] button[type=submit]").click()
    expect(result_titles(page)).to_have_text(["Oficina de programacao funcional"])

    page.fill("#id_search", "")
    page.select_option("#id_technology", "python")
    page.fill("#id_city", "Recife")
    page.locator("form[role=search] button[type=submit]").click()
    expect(result_titles(page)).to_have_text(["Python Recife"])
    assert "technology=python" in page.url
    assert "city=Recife" in page.url

    result_titles(page).first.click()
    expect(page.locator("h1")).to_contain_text("Python Recife")

    with page.expect_download() as download_info:
        page.locator("a[href$='.ics']").click()
    download = download_info.value
    assert download.suggested_filename == f"{events['python_recife'].slug}.ics"
    calendar = icalendar.Calendar.from_ical(download.path().read_bytes())
    (vevent,) = calendar.events
    assert vevent["SUMMARY"] == "Python Recife"
    assert vevent.start == datetime(2030, 4, 2, 19, 0, tzinfo=SAO_PAULO)

    page.locator(".language-switch a[hreflang=en]:visible").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Python Recife")
    # The site's own links stay in English, and offer Portuguese back.
    page.locator(".site-title").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".language-switch a[hreflang=pt-br]:visible")).to_be_visible()


def test_embed_snippet_copied_from_the_list_shows_the_same_events(page, events):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/?city=Recife")

    page.locator("details.small summary").click()
    page.locator("[data-copy-target=embed-code]").click()
    snippet = page.evaluate("navigator.clipboard.readText()")

    page.set_content(f"<!DOCTYPE html><title>Community site</title><main>{snippet}</main>")
    frame = page.frame_locator("iframe")
    expect(frame.locator(".embed-event > a")).to_have_text(["Rust Recife", "Python Recife"])
