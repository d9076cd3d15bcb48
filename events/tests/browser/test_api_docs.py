"""The API documentation pages work in a browser and load nothing from other sites."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_documentation_pages_render_from_this_site_only(strict_page, live_server, name):
    """Every request that left the browser went to this site. ReDoc asks for its
    vendor's logo once it has rendered: the policy blocking it keeps it home."""
    sent = []
    strict_page.on("requestfinished", lambda request: sent.append(request.url))
    strict_page.on(
        "requestfailed", lambda request: request.failure != "csp" and sent.append(request.url)
    )

    strict_page.goto(reverse(name))
    expect(strict_page.locator("body")).to_contain_text("Listar eventos", timeout=20_000)
    strict_page.wait_for_load_state("networkidle")

    own = urlsplit(live_server.url).netloc
    assert [url for url in sent if urlsplit(url).netloc not in (own, "")] == []
    assert strict_page.locator('link[rel="icon"]').count() == 1
