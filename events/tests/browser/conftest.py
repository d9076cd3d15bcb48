"""Browser tests: Playwright drives the Chromium of the system's packages (never
Playwright's own download) against pytest-django's live server.

Without Chromium they are skipped with a one-line reason; under STRICT_CHECKS=1
(CI) that is a failure instead.
"""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from events.tests.helpers import skip_or_fail

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (Debian package: chromium)")
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an event loop in this thread; the tests'
        # database calls around it are plain synchronous code all the same.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def browser_context(chromium, live_server):
    """A fresh visitor from Brazil: Portuguese pages, São Paulo time."""
    context = chromium.new_context(
        base_url=live_server.url,
        locale="pt-BR",
        timezone_id="America/Sao_Paulo",
        viewport={"width": 1280, "height": 800},
        # axe-core is injected as a script: a Content-Security-Policy must not block it.
        bypass_csp=True,
    )
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()


@pytest.fixture
def strict_page(chromium, live_server):
    """A visitor whose browser enforces the policy, recording what it blocks."""
    context = chromium.new_context(base_url=live_server.url, locale="pt-BR")
    page = context.new_page()
    page.violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and page.violations.append(message.text)
        ),
    )
    yield page
    context.close()


@pytest.fixture
def axe_violations():
    """A function listing the axe-core violations of the page it is given."""
    if not AXE_SCRIPT.exists():
        skip_or_fail("axe-core is not installed (run `npm ci`)")

    def violations(page):
        page.add_script_tag(path=AXE_SCRIPT)
        return page.evaluate(
            """async () => {
                const results = await axe.run(document);
                return results.violations.map((violation) =>
                    `${violation.id}: ${violation.help} at ` +
                    violation.nodes.map((node) => node.target.join(" ")).join(", "));
            }"""
        )

    return violations
