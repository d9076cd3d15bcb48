"""Mail in production: sent only to a configured SMTP server, never printed."""

import json

import pytest

from events.tests.servers import gunicorn

from .test_settings import start

NO_MAIL_WARNING = "EMAIL_URL is not set: no e-mail is sent"
E_MAIL = "ana.souza@example.org"


@pytest.mark.parametrize("email_url", ["consolemail://", "filemail:///tmp/mail"])
def test_production_refuses_a_mail_backend_that_prints_or_stores_messages(email_url):
    result = start("manage.py", EMAIL_URL=email_url)

    assert result.returncode != 0
    assert result.stderr.strip().startswith("Configuration error: EMAIL_URL must name an SMTP")


def test_production_starts_without_a_mail_server():
    assert start("manage.py", EMAIL_URL="").returncode == 0


def create_event_with_an_address(server):
    event = {
        "title": "Python Recife",
        "description": "Talks.",
        "starts_at": "2030-06-10T19:00:00-03:00",
        "mode": "online",
        "online_url": "https://example.org/live",
        "organizer_name": "Grupy PE",
        "organizer_email": E_MAIL,
    }
    status, _headers, body = server.send("POST", "/api/events/", body=event)
    assert status == 201, body
    return json.loads(body)["edit_token"]


@pytest.mark.own_servers
def test_without_a_mail_server_production_warns_once_and_prints_no_message(sqlite_site):
    with gunicorn({**sqlite_site, "EMAIL_URL": ""}, workers=2) as server:
        token = create_event_with_an_address(server)
        server.process.terminate()
        server.process.wait(timeout=30)
        output = server.output()

    assert output.count(NO_MAIL_WARNING) == 1
    assert token not in output
    assert E_MAIL not in output
    assert "Subject:" not in output


@pytest.mark.own_servers
def test_with_a_mail_server_production_does_not_warn(sqlite_site):
    # Nothing listens there: the server only needs a valid address to start.
    with gunicorn({**sqlite_site, "EMAIL_URL": "smtp://127.0.0.1:9"}, workers=1) as server:
        server.process.terminate()
        server.process.wait(timeout=30)
        output = server.output()

    assert NO_MAIL_WARNING not in output
