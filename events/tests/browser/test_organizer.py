"""An organizer publishes an event without an account and manages it with the edit link."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from events.models import Event

pytestmark = pytest.mark.browser

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    settings.EVENTS_FORM_MIN_SECONDS = 0


def submit_event(page):
    page.goto("/events/new/")
    page.fill("#id_title", "Encontro de Python em Natal")
    page.fill("#id_description", "Palestras curtas e café.")
    page.fill("#id_starts_at", "2030-05-10T19:00")
    page.fill("#id_ends_at", "2030-05-10T21:00")
    page.fill("#id_technology_names", "Python, Django")
    page.select_option("#id_mode", "in_person")
    page.fill("#id_city", "Natal")
    page.fill("#id_venue", "Praia Shopping")
    page.fill("#id_organizer_name", "Grupy RN")
    page.check("#id_is_free_0")
    page.locator("form.event-form button[type=submit]").first.click()


def test_organizer_submits_edits_cancels_and_deletes_an_event(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    submit_event(page)
    edit_link = page.locator("#edit-url")
    expect(edit_link).to_have_value(re.compile(rf"^{live_server.url}/events/edit/[\w-]{{43}}/$"))
    page.locator("[data-copy-target=edit-url]").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == edit_link.input_value()
    event = Event.objects.get(title="Encontro de Python em Natal")
    assert event.status == Event.Status.PUBLISHED
    assert sorted(event.technologies.values_list("name", flat=True)) == ["Django", "Python"]

    page.goto(copied)
    expect(page.locator("#id_title")).to_have_value("Encontro de Python em Natal")
    page.fill("#id_starts_at", "2030-05-10T20:00")
    page.fill("#id_ends_at", "2030-05-10T22:30")
    page.locator("form.event-form button[type=submit]").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    expect(page.locator("#id_starts_at")).to_have_value("2030-05-10T20:00")
    event.refresh_from_db()
    assert event.starts_at == datetime(2030, 5, 10, 20, 0, tzinfo=SAO_PAULO)
    assert event.ends_at == datetime(2030, 5, 10, 22, 30, tzinfo=SAO_PAULO)

    # Leaving the edit page does not hand the edit link over in the Referer header.
    public_url = event.get_absolute_url()
    with page.expect_request(lambda request: request.url.endswith(public_url)) as request_info:
        page.locator(f"main a[href='{public_url}']").click()
    assert request_info.value.all_headers().get("referer") == f"{live_server.url}/"
    page.goto(copied)

    page.locator("a[href$='/cancel/']").click()
    page.fill("#id_reason", "O local fechou para reforma.")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    expect(page.locator("a[href$='/cancel/']")).to_have_count(0)
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    page.goto(public_url)
    expect(page.locator(".cancellation-reason")).to_have_text("O local fechou para reforma.")

    # Cancelled by mistake: undone through the edit link, then cancelled again.
    page.goto(copied)
    page.locator("form[action$='/restore/'] button[type=submit]").click()
    expect(page.locator("a[href$='/cancel/']")).to_have_count(1)
    event.refresh_from_db()
    assert (event.status, event.cancellation_reason) == (Event.Status.PUBLISHED, "")
    page.locator("a[href$='/cancel/']").click()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("form[action$='/restore/']")).to_have_count(1)

    page.locator("a[href$='/delete/']").click()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")
    assert not Event.objects.filter(pk=event.pk).exists()
    response = page.goto(copied)
    assert response.status == 404


def test_organizer_previews_a_paid_event_before_publishing(page):
    page.goto("/events/new/")
    page.fill("#id_title", "Oficina de Rust")
    page.fill("#id_description", "Mão na massa.")
    page.fill("#id_starts_at", "2030-05-10T19:00")
    page.select_option("#id_time_zone", "America/Manaus")
    page.select_option("#id_mode", "in_person")
    page.fill("#id_city", "Manaus")
    page.fill("#id_venue", "Sidia")
    page.fill("#id_organizer_name", "Rust AM")
    page.check("#id_is_free_1")
    page.fill("#id_price_from", "30")
    page.fill("#id_price_to", "120")
    page.fill("#id_tickets_url", "https://ingressos.example.org/rust")
    page.locator("button[name=preview]").click()

    expect(page.locator(".preview-notice")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Oficina de Rust")
    expect(page.locator("main")).to_contain_text("R$\u00a030–120")
    expect(page.locator("main")).to_contain_text("horário do Amazonas")
    assert not Event.objects.exists()

    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#edit-url")).to_be_visible()
    event = Event.objects.get()
    assert (event.time_zone, str(event.price_from), str(event.price_to)) == (
        "America/Manaus",
        "30.00",
        "120.00",
    )
