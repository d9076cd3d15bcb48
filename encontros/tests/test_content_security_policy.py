"""Every answer carries the Content-Security-Policy, the same for everyone (no nonce),
so that cached pages stay valid. The browser tests check that nothing is blocked."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/", "/events/past/", "/nowhere/", "/api/events/", "/api/docs/", "/admin/login/"],
)
def test_every_answer_has_the_same_policy_with_no_inline_code(client, path):
    first, second = client.get(path), client.get(path)

    policy = first["Content-Security-Policy"]
    assert policy == second["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "nonce-" not in policy


def test_only_redoc_may_write_styles_at_run_time(client):
    policy = client.get(reverse("api:redoc"))["Content-Security-Policy"]

    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self'" in policy
