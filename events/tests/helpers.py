"""Helpers shared by the test modules of the project (events/tests and encontros/tests)."""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

# .ci/run sets this: there every check must run, and a missing tool is a failure.
STRICT = os.environ.get("STRICT_CHECKS") == "1"


def skip_or_fail(reason):
    """Skip on a machine that lacks an optional tool; fail under STRICT_CHECKS=1."""
    if STRICT:
        pytest.fail(f"{reason} (STRICT_CHECKS=1 requires it)")
    pytest.skip(reason)


def require_executable(name):
    """The path of a command-line tool, or skip/fail with a one-line reason naming it."""
    path = shutil.which(name)
    if path is None:
        skip_or_fail(f"{name} is not installed")
    return path


# Shaped like an edit token, so the test knows it: pass it as EventFactory(edit_token=...).
EDIT_TOKEN = "k" * 43

# Screenshots and reports of the browser tests, kept by CI.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class FailingEmailBackend:
    """A mail server that refuses every connection."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


FAILING_EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"


def row_locks(queries):
    """The statements of a CaptureQueriesContext that lock rows (SELECT ... FOR UPDATE)."""
    return [query["sql"] for query in queries if query["sql"].endswith("FOR UPDATE")]


def api_client_with_token_of(user):
    """An API client authenticated as the user with an API token."""
    # Imported here: scripts import this module before Django's apps are ready.
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def submission(client, **overrides):
    """POST the site's submission form as a browser sends it, starting from the
    rendered form (None drops a field). Needs EVENTS_FORM_MIN_SECONDS = 0."""
    create = reverse("events:create")
    form = client.get(create).context["form"]
    starts_at = timezone.localtime() + timedelta(days=10)
    data = {
        "title": "Python Recife",
        "description": "Monthly meetup.",
        "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts_at + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "mode": "in_person",
        "city": "Recife",
        "venue": "Porto Digital",
        "technology_names": "Python, Django",
        "organizer_name": "Grupy PE",
        "organizer_email": "",
        "is_free": "True",
        "homepage": "",
        "rendered_at": form["rendered_at"].value(),
    }
    data.update(overrides)
    return client.post(create, {k: v for k, v in data.items() if v is not None})


# The management forms of the event admin's inlines (reports, status history), as an
# admin page with no rows in them posts them.
EVENT_ADMIN_INLINES = {
    f"{prefix}-{name}": "0"
    for prefix in ("reports", "status_changes")
    for name in ("TOTAL_FORMS", "INITIAL_FORMS")
}
