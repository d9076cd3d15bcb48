"""The API documentation pages work in a browser and load nothing from other sites."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_documentation_pages_render_from_this_site_only(page, live_server, name):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(reverse(name))
    page.wait_for_function("document.body.innerText.includes('Listar eventos')")

    own = urlsplit(live_server.url).netloc
    assert [url for url in requested if urlsplit(url).netloc not in (own, "")] == []
    assert page.locator('link[rel="icon"]').count() == 1
