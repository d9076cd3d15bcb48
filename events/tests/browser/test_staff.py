"""A staff member moderates in the admin: publishes a pending event and reissues an edit link."""

import re

import pytest
from playwright.sync_api import expect

from events.models import Event
from events.tests.factories import EventFactory

pytestmark = pytest.mark.browser

OLD_TOKEN = "o" * 43
PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff_member(django_user_model):
    return django_user_model.objects.create_superuser(
        username="moderator", email="moderator@example.org", password=PASSWORD
    )


def run_action(page, event, action):
    page.locator(f"input[name=_selected_action][value='{event.pk}']").check()
    page.select_option("select[name=action]", action)
    page.locator("button[name=index]").click()


def test_staff_publishes_a_pending_event_and_issues_a_new_edit_link(page, staff_member):
    event = EventFactory(title="Pending meetup", status=Event.Status.PENDING, edit_token=OLD_TOKEN)
    assert page.goto(event.get_absolute_url()).status == 404

    page.goto("/admin/")
    page.fill("#id_username", "moderator")
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    expect(page.locator("#user-tools")).to_contain_text("moderator")

    page.goto("/admin/events/event/?status__exact=pending")
    run_action(page, event, "publish")
    expect(page.locator(".messagelist .success")).to_be_visible()
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert page.goto(event.get_absolute_url()).status == 200
    expect(page.locator("h1")).to_contain_text("Pending meetup")

    page.goto("/admin/events/event/")
    run_action(page, event, "issue_edit_link")
    # Shown on a page of its own, never in the messages cookie.
    message = page.locator("#content code").first.inner_text()
    new_link = re.search(r"http://\S+/events/edit/[\w-]{43}/", message).group()
    assert OLD_TOKEN not in new_link

    assert page.goto(f"/events/edit/{OLD_TOKEN}/").status == 404
    assert page.goto(new_link).status == 200
    expect(page.locator("#id_title")).to_have_value("Pending meetup")
