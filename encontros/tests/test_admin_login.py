"""Admin login brute-force protection: after a few wrong passwords the username is
locked from every client and the client for every username; lockouts are logged
and counted."""

import logging

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from prometheus_client import REGISTRY

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "the-right-password-1"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5


@pytest.fixture
def staff(db):
    return User.objects.create_user("ana", password=PASSWORD, is_staff=True, is_superuser=True)


def log_in(client, username, password, ip="203.0.113.7"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def lockouts():
    return REGISTRY.get_sample_value("admin_login_lockouts_total") or 0


def test_the_right_password_is_refused_after_too_many_wrong_ones(client, staff):
    for attempt in range(4):
        assert log_in(client, "ana", f"wrong-{attempt}").status_code == 200
    assert log_in(client, "ana", "wrong-4").status_code == 429

    response = log_in(client, "ana", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_username_is_locked_from_every_client(client, staff):
    for attempt in range(5):
        log_in(client, "ana", f"wrong-{attempt}", ip=f"198.51.100.{attempt}")

    assert log_in(client, "ana", PASSWORD, ip="192.0.2.99").status_code == 429


def test_the_client_is_locked_for_every_username(client, staff):
    for attempt in range(5):
        log_in(client, f"guess-{attempt}", "wrong")

    assert log_in(client, "ana", PASSWORD).status_code == 429
    assert log_in(client, "ana", PASSWORD, ip="192.0.2.99").status_code == 302


def test_a_few_mistakes_do_not_lock(client, staff):
    for attempt in range(4):
        log_in(client, "ana", f"wrong-{attempt}")

    response = log_in(client, "ana", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_lockouts_are_logged_and_counted(client, staff, caplog):
    before = lockouts()
    with caplog.at_level(logging.WARNING):
        for attempt in range(6):
            log_in(client, "ana", f"wrong-{attempt}")

    assert lockouts() > before
    assert "admin login locked out" in caplog.messages


def test_the_client_is_the_balancers_last_forwarded_address(client, staff):
    """Behind the load balancer every request comes from its address: lock the visitor."""
    for attempt in range(5):
        client.post(
            LOGIN,
            {"username": f"guess-{attempt}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )

    other_visitor = client.post(
        LOGIN,
        {"username": "ana", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )

    assert other_visitor.status_code == 302
