"""The designed pages at phone (390×844) and desktop (1366×900) sizes: the list, an
event page with its cover and share buttons, the form; screenshots are kept in
test-artifacts/ for review."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from events import covers, services
from events.tests.factories import EventFactory, TechnologyFactory
from events.tests.helpers import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def cover_upload():
    image = Image.new("RGB", (1600, 900), "#0b3d91")
    for x in range(0, 1600, 200):
        image.paste("#f59e0b", (x, 0, x + 100, 900))
    output = io.BytesIO()
    image.save(output, "JPEG")
    return SimpleUploadedFile("cover.jpg", output.getvalue(), "image/jpeg")


@pytest.fixture
def events(db):
    python = TechnologyFactory(name="Python", slug="python")
    django = TechnologyFactory(name="Django", slug="django")
    soon = timezone.now().replace(hour=22, minute=0, second=0, microsecond=0)
    featured = EventFactory(
        title="Python Recife: encontro de dezembro com Django e ciência de dados",
        city="Recife",
        state="PE",
        venue="Porto Digital",
        address="Rua do Apolo, 181",
        url="https://example.org/inscricao",
        starts_at=soon + timedelta(days=3),
        ends_at=soon + timedelta(days=3, hours=3),
        technologies=[python, django],
    )
    services.event_attach_cover(
        event=featured, cover=covers.process_upload(cover_upload()), channel="test"
    )
    for days in (5, 9, 14):
        EventFactory(
            title=f"Meetup de Python {days}",
            starts_at=soon + timedelta(days=days),
            technologies=[python],
            is_free=days != 9,
        )
    return featured


def shoot(page, name, size_name):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"presentation-{name}-{size_name}.png"
    page.screenshot(path=path, full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    return path


@pytest.mark.parametrize("size_name", SIZES)
def test_the_list_shows_cards_with_a_date_chip_first_on_phones(page, events, size_name):
    page.set_viewport_size(SIZES[size_name])
    page.goto("/")

    first_card = page.locator(".event-card").first
    first_card.locator(".date-chip").wait_for()
    assert first_card.locator("img").count() == 1
    if size_name == "phone":
        # The first event shows without scrolling past the filters.
        assert first_card.bounding_box()["y"] < SIZES["phone"]["height"]
    shoot(page, "home", size_name)


@pytest.mark.parametrize("size_name", SIZES)
def test_the_event_page_leads_with_the_essentials_and_shares(page, events, size_name):
    page.set_viewport_size(SIZES[size_name])
    page.goto(events.get_absolute_url())

    registration = page.get_by_role("link", name="Site e inscrições")
    assert registration.bounding_box()["y"] < page.locator(".event-description").bounding_box()["y"]
    share = page.locator(".share")
    for name in ["WhatsApp", "Telegram", "LinkedIn", "X"]:
        href = share.get_by_role("link", name=name, exact=True).get_attribute("href")
        assert events.slug in href
    assert page.get_by_role("link", name="← Todos os eventos").is_visible()
    image = page.locator("img.event-cover")
    assert image.get_attribute("width") == "1440"
    shoot(page, "event", size_name)


def test_the_share_button_uses_the_devices_share_sheet_when_there_is_one(browser_context, events):
    browser_context.add_init_script(
        "navigator.share = (data) => { window.shared = data; return Promise.resolve(); };"
    )
    page = browser_context.new_page()
    page.goto(events.get_absolute_url())

    page.get_by_role("button", name="Compartilhar…").click()

    shared = page.evaluate("window.shared")
    assert shared["url"].endswith(events.get_absolute_url())
    assert shared["title"] == events.title


@pytest.mark.parametrize("size_name", SIZES)
def test_the_form_lists_its_errors_and_takes_a_cover(page, events, size_name):
    page.set_viewport_size(SIZES[size_name])
    page.goto("/events/new/")
    shoot(page, "form", size_name)

    page.get_by_role("button", name="Publicar", exact=True).click()

    summary = page.locator("#form-errors")
    summary.wait_for()
    assert summary.evaluate("element => element === document.activeElement")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id").startswith("id_")
    shoot(page, "form-errors", size_name)


@pytest.mark.parametrize("size_name", SIZES)
def test_the_header_takes_one_row_with_the_secondary_links_in_a_menu_on_phones(
    page, events, size_name
):
    page.set_viewport_size(SIZES[size_name])
    page.goto("/")

    header = page.locator(".site-header > nav")
    title = header.locator(".site-title")
    publish = header.get_by_role("link", name="Publicar", exact=size_name == "phone")
    assert header.bounding_box()["height"] < 2 * title.bounding_box()["height"] + 32
    assert publish.bounding_box()["y"] < title.bounding_box()["y"] + title.bounding_box()["height"]
    past = header.get_by_role("link", name="Eventos anteriores")
    if size_name == "phone":
        assert past.count() == 0
        header.get_by_text("Menu").click()
    past.click()
    page.wait_for_url("**/past/")


def test_the_stream_address_shows_only_for_events_followed_online(page, events):
    page.goto("/events/new/")
    stream = page.get_by_label("Link da transmissão")
    city_label = page.locator("label[for=id_city]")

    assert "obrigatório se presencial ou híbrido" in city_label.inner_text()
    assert not stream.is_visible()
    page.get_by_label("Formato").select_option("online")
    assert stream.is_visible()
    page.get_by_label("Formato").select_option("hybrid")
    assert stream.is_visible()
