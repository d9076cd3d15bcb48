"""WCAG 2.1 AA on the main pages: axe-core finds no violation, focus is visible,
the page language follows the visitor's choice, and the home fits a phone."""

import pytest
from playwright.sync_api import expect

from events.tests.factories import EventFactory, TechnologyFactory
from events.tests.helpers import ARTIFACTS

pytestmark = pytest.mark.browser

TOKEN = "a" * 43
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
FOCUSED_ELEMENT_OUTLINE = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const width = parseFloat(style.outlineWidth);
    return {
        element: element.outerHTML.slice(0, 80),
        outline: style.outlineStyle === "solid" && width >= 2,
    };
}"""


@pytest.fixture
def event():
    python = TechnologyFactory(name="Python", slug="python")
    EventFactory(title="Django Recife", city="Recife", technologies=[python])
    EventFactory(title="Rust online", mode="online", city="", venue="", online_url="https://x.org")
    return EventFactory(
        title="Python Recife",
        description="Talks about Python.\nMore at https://example.org",
        city="Recife",
        address="Rua do Apolo, 181",
        url="https://example.org/register",
        technologies=[python],
        edit_token=TOKEN,
    )


@pytest.fixture
def pages(event):
    return {
        "home": "/",
        "list with filters": "/?city=Recife&technology=python&is_free=true",
        "event": event.get_absolute_url(),
        "submission": "/events/new/",
        "edit": f"/events/edit/{TOKEN}/",
        "embed": "/embed/",
        "lost edit link": "/events/lost-link/",
    }


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "name", ["home", "list with filters", "event", "submission", "edit", "embed", "lost edit link"]
)
def test_page_has_no_axe_violations(page, pages, axe_violations, name, color_scheme):
    page.emulate_media(color_scheme=color_scheme)
    response = page.goto(pages[name])

    expect(page.locator("html")).to_have_attribute("data-bs-theme", color_scheme)

    assert response.status == 200
    assert axe_violations(page) == []


def test_submission_form_with_errors_has_no_axe_violations(page, event, axe_violations):
    page.goto("/events/new/")
    page.locator("form.event-form button[type=submit]").first.click()

    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert axe_violations(page) == []


def test_every_focused_control_on_the_home_is_visibly_outlined(page, event):
    page.goto("/")
    focused = []
    # Through the header, the filters and the first event cards.
    for _ in range(30):
        page.keyboard.press("Tab")
        focused.append(page.evaluate(FOCUSED_ELEMENT_OUTLINE))

    assert [item["element"] for item in focused if not item["outline"]] == []
    # The first stop is the link that skips to the content.
    assert 'href="#main"' in focused[0]["element"]


def test_page_language_follows_the_visitor_choice(page, event):
    page.goto(event.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "pt-br")

    page.locator(".language-switch a[hreflang=en]:visible").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The link offering the other language names it in that language.
    other_language = page.locator(".language-switch a[hreflang=pt-br]:visible")
    expect(other_language).to_have_attribute("lang", "pt-br")


@pytest.mark.parametrize(("width_name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_home_screenshot_fits_the_screen(page, event, width_name, viewport):
    page.set_viewport_size(viewport)
    page.goto("/")

    path = ARTIFACTS / f"home-{width_name}.png"
    page.screenshot(path=path, full_page=True)

    assert path.read_bytes().startswith(b"\x89PNG")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


@pytest.mark.parametrize(
    ("viewport", "url", "folded"),
    [(PHONE, "/", True), (PHONE, "/?city=Recife", True), (DESKTOP, "/?city=Recife", False)],
)
def test_extra_filters_are_folded_on_phones_even_in_use(page, event, viewport, url, folded):
    page.set_viewport_size(viewport)
    page.goto(url)
    assert page.locator("#id_mode").is_visible() is not folded
    # Decided before the first paint: nothing moves once the page is shown.
    layout_shift = page.evaluate(
        """() => new Promise((resolve) => {
            let total = 0;
            new PerformanceObserver((list) => {
                for (const entry of list.getEntries()) total += entry.value;
            }).observe({type: "layout-shift", buffered: true});
            setTimeout(() => resolve(total), 500);
        })"""
    )
    assert layout_shift == 0
