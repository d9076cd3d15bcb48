"""The Content-Security-Policy holds on every kind of page, and the browser enforces
it without blocking anything the pages need (Swagger UI and ReDoc included)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from events.tests.factories import EventFactory, TechnologyFactory

pytestmark = pytest.mark.browser


def test_site_pages_load_without_a_blocked_resource(strict_page, admin_user):
    event = EventFactory(technologies=[TechnologyFactory(name="Python", slug="python")])

    for path in [
        reverse("events:list"),
        event.get_absolute_url(),
        reverse("events:create"),
        reverse("events:embed"),
        reverse("admin:login"),
    ]:
        response = strict_page.goto(path)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        strict_page.wait_for_load_state("networkidle")

    assert strict_page.violations == []


def test_swagger_ui_renders_the_api_under_the_policy(strict_page):
    strict_page.goto(reverse("api:docs"))

    expect(strict_page.locator("#swagger-ui .info .title")).to_be_visible(timeout=20_000)
    expect(strict_page.locator(".opblock").first).to_be_visible()
    assert strict_page.violations == []


def test_redoc_renders_the_api_under_the_policy(strict_page):
    strict_page.goto(reverse("api:redoc"))

    expect(strict_page.locator(".api-info h1").first).to_be_visible(timeout=20_000)
    # ReDoc always tries its vendor's logo from a CDN and has no option to skip it:
    # the policy blocking it is what keeps every request on the site.
    assert [
        violation for violation in strict_page.violations if "cdn.redoc.ly" not in violation
    ] == []
