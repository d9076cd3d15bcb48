"""Every public page is valid HTML for the Nu HTML Checker (vnu, npm `vnu-jar`),
whatever the visitor sends to it: forms sent back with errors, odd filters."""

import json
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Event

from .factories import EventFactory, TechnologyFactory
from .helpers import skip_or_fail

pytestmark = pytest.mark.django_db

VNU_JAR = settings.BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_errors(pages):
    """vnu's errors for {name: html}, as "name:line: message" lines (one Java run)."""
    if not VNU_JAR.exists():
        skip_or_fail("vnu-jar is not installed (run `npm ci`)")
    if shutil.which("java") is None:
        skip_or_fail("java is not installed (Debian package: default-jre-headless)")
    return _run_vnu(pages)


def _run_vnu(pages):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as directory:
        files = []
        for name, html in pages.items():
            path = Path(directory) / f"{re.sub(r'[^a-z0-9-]+', '-', name)}.html"
            path.write_text(html)
            files.append(str(path))
        result = subprocess.run(
            ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *files],
            capture_output=True,
            text=True,
            timeout=300,
        )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [
        f"{Path(message.get('url', '')).name}:{message.get('lastLine')}: {message['message']}"
        for message in messages
    ]


@pytest.fixture
def pages(client, settings):
    settings.EVENTS_FORM_MIN_SECONDS = 0
    python = TechnologyFactory(name="Python", slug="python")
    in_person = EventFactory(
        title="Ação & Café <Python>",
        state="PE",
        city="Recife",
        address="Rua do Bom Jesus, 1",
        url="https://example.org/register",
        technologies=[python],
        edit_token="a" * 43,
    )
    EventFactory(mode=Event.Mode.ONLINE, city="", venue="", online_url="https://example.org/live")
    cancelled = EventFactory(status=Event.Status.CANCELLED, is_free=False)
    EventFactory(starts_at=timezone.now() - timedelta(days=40))
    form = client.get(reverse("events:create")).context["form"]
    valid = {
        "title": "Python Recife",
        "description": "Monthly meetup.",
        "starts_at": "2030-05-10T19:00",
        "mode": "in_person",
        "city": "Recife",
        "venue": "Porto Digital",
        "organizer_name": "Grupy PE",
        "rendered_at": form["rendered_at"].value(),
    }
    create = reverse("events:create")
    edit = reverse("events:edit", kwargs={"token": "a" * 43})
    result = {
        "home": client.get(reverse("events:list")),
        "home-filtered": client.get(reverse("events:list"), {"technology": "python"}),
        "home-ignored-filters": client.get(
            reverse("events:list"), {"technology": "gone", "starts_after": "soon"}
        ),
        "home-empty": client.get(reverse("events:list"), {"search": "nothing matches"}),
        "past": client.get(reverse("events:past")),
        "event": client.get(in_person.get_absolute_url()),
        "event-cancelled": client.get(cancelled.get_absolute_url()),
        "form": client.get(create),
        "form-errors": client.post(
            create,
            {**valid, "title": "", "url": "notaurl", "starts_at": "garbage", "mode": "hybrid"},
        ),
        "form-forged-timestamp": client.post(create, {**valid, "rendered_at": "1:forged"}),
        "form-duplicate": client.post(create, {**valid, "title": in_person.title, "starts_at": ""}),
        "edit": client.get(edit),
        "edit-errors": client.post(edit, {**valid, "online_url": "x y", "ends_at": "1999"}),
        "delete": client.get(reverse("events:delete", kwargs={"token": "a" * 43})),
        "embed": client.get(reverse("events:embed")),
        "not-found": client.get("/no/such/page/"),
        "api-docs": client.get(reverse("api:docs")),
        "api-redoc": client.get(reverse("api:redoc")),
    }
    result["created"] = client.post(create, valid)
    duplicate = {**valid, "title": "Python Recife"}
    result["form-duplicate"] = client.post(create, duplicate)
    services.event_cancel(event=in_person, channel=services.Channel.WEB)
    return {name: response.content.decode() for name, response in result.items()}


def test_every_public_page_is_valid_html(pages):
    errors = vnu_errors(pages)
    assert not errors, "\n".join(errors)


def test_the_checker_finds_errors():
    # The check itself works: an invalid page is reported.
    errors = vnu_errors({"broken": "<!DOCTYPE html><html><title>x</title><redoc></redoc>"})
    assert errors
