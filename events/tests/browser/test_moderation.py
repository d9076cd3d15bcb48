"""Moderation journeys: staff reject an event with a reason that its organizer then
reads, and a visitor's report reaches staff in the admin."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from events.models import Event
from events.tests.factories import EventFactory
from events.tests.helpers import EDIT_TOKEN

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff_member(django_user_model):
    return django_user_model.objects.create_superuser(
        username="moderator", email="moderator@example.org", password=PASSWORD
    )


def log_in(page):
    page.goto("/admin/")
    page.fill("#id_username", "moderator")
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    expect(page.locator("#user-tools")).to_contain_text("moderator")


def test_a_rejection_with_its_reason_is_seen_by_the_organizer(page, staff_member):
    event = EventFactory(
        title="Curso de marketing",
        status=Event.Status.PENDING,
        edit_token=EDIT_TOKEN,
        organizer_email="org@example.org",
    )
    log_in(page)

    page.goto(f"/admin/events/event/{event.pk}/change/")
    page.select_option("#id_status", "rejected")
    page.fill("#id_rejection_reason", "Não é um evento de tecnologia.")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    (message,) = mail.outbox
    assert "Não é um evento de tecnologia." in message.body
    assert page.goto(event.get_absolute_url()).status == 404
    page.goto(f"/events/edit/{EDIT_TOKEN}/")
    expect(page.locator(".rejection-reason")).to_have_text("Não é um evento de tecnologia.")


def test_a_visitors_report_is_seen_by_staff(page, staff_member, browser_context):
    event = EventFactory(title="Python Sergipe")

    page.goto(event.get_absolute_url())
    page.locator(f"a[href$='/events/{event.slug}/report/']").click()
    page.check("input[name=reason][value=wrong]")
    page.fill("#id_text", "A data mudou para sábado.")
    page.locator("form.report-form button[type=submit]").click()
    expect(page.locator(".report-received")).to_be_visible()

    log_in(page)
    page.goto("/admin/events/event/?reported=yes")
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Python Sergipe")
    expect(row.locator(".field-report_count")).to_have_text("1")
    row.locator("th a").click()
    expect(page.locator("body")).to_contain_text("A data mudou para sábado.")
