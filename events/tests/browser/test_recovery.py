"""An organizer who lost the edit link gets a new one by e-mail."""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from events.tests.factories import EventFactory
from events.tests.helpers import EDIT_TOKEN

pytestmark = pytest.mark.browser

RECOVERY_URL = re.compile(r"https?://\S+/events/lost-link/[\w-]{43}/")


def message_when_sent():
    # The message leaves after the answer (so that its timing tells nothing).
    for _ in range(50):
        if mail.outbox:
            return mail.outbox[0]
        time.sleep(0.1)
    raise AssertionError("no message was sent")


def test_organizer_recovers_a_lost_edit_link(page, live_server, settings):
    settings.CONTACT_EMAIL = "contato@encontros.example"
    EventFactory(title="Encontro de Go", organizer_email="org@example.org", edit_token=EDIT_TOKEN)

    page.goto("/")
    page.locator("footer a[href='/events/lost-link/']").click()
    page.fill("#id_email", "org@example.org")
    page.locator("form.recovery-form button[type=submit]").click()
    expect(page.locator(".recovery-sent")).to_contain_text("org@example.org")

    message = message_when_sent()
    assert "Encontro de Go" in message.body
    page.goto(RECOVERY_URL.search(message.body).group(0))
    # Opening the link spends nothing: the old edit link still works.
    assert page.request.get(f"/events/edit/{EDIT_TOKEN}/").status == 200
    page.locator("main form button[type=submit]").click()

    new_link = page.locator("#edit-url").input_value()
    assert new_link.startswith(f"{live_server.url}/events/edit/")
    expect(page.locator("main a[href='mailto:contato@encontros.example']")).to_be_visible()
    page.goto(new_link)
    expect(page.locator("#id_title")).to_have_value("Encontro de Go")
    assert page.request.get(f"/events/edit/{EDIT_TOKEN}/").status == 404
