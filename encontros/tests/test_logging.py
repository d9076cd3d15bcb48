import io
import json
import logging
import re
import sys

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from encontros.logging import ColoredFormatter, JSONFormatter, SimpleFormatter
from events import services
from events.tests.factories import EventFactory

TOKEN = "T0ken-of-the-organizer_that-nobody-else-has"  # 43 characters, like a real one
E_MAIL = "ana.souza@example.org"


@pytest.fixture
def log_output():
    """Everything logged during the test, as the json format writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JSONFormatter(service="encontros-tech", version="9.9.9"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def json_lines(log_output):
    return [json.loads(line) for line in log_output.getvalue().splitlines()]


def format_one(formatter, message, *args, **extra):
    record = logging.getLogger("events.services").makeRecord(
        "events.services", logging.WARNING, __file__, 1, message, args, None, extra=extra
    )
    return formatter.format(record)


@pytest.mark.parametrize("formatter", [SimpleFormatter(), ColoredFormatter()])
def test_text_formats_show_time_level_logger_message_and_context(formatter):
    line = re.sub(r"\033\[[\d;]*m", "", format_one(formatter, "event %s", "created", event_id=7))
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d WARNING events\.services "
        r"event created event_id=7",
        line,
    )


def test_colored_format_colors_the_level():
    assert "\033[33mWARNING" in format_one(ColoredFormatter(), "careful")


def test_json_format_is_one_object_a_line_with_service_and_version():
    line = format_one(
        JSONFormatter(service="encontros-tech", version="1.2.3"), "a\nb", channel="api"
    )
    assert "\n" not in line
    record = json.loads(line)
    assert record["level"] == "WARNING"
    assert record["logger"] == "events.services"
    assert record["message"] == "a\nb"
    assert (record["service"], record["version"], record["channel"]) == (
        "encontros-tech",
        "1.2.3",
        "api",
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT.+", record["time"])


@pytest.mark.django_db
def test_business_events_are_logged_with_event_id_and_channel(log_output):
    event = EventFactory.build(slug="")
    services.event_create(event=event, channel=services.Channel.API)
    services.event_cancel(event=event, channel=services.Channel.WEB)
    event_id = event.pk
    services.event_delete(event=event, channel=services.Channel.ADMIN)

    business = [
        (line["message"], line["event_id"], line["channel"])
        for line in json_lines(log_output)
        if line["logger"] == "events.services"
    ]
    assert business == [
        ("event created", event_id, "api"),
        ("event status set to cancelled", event_id, "web"),
        ("event deleted", event_id, "admin"),
    ]


@pytest.mark.django_db
def test_logs_never_show_an_edit_token_or_an_e_mail(client, log_output):
    event = EventFactory(edit_token=TOKEN, organizer_email=E_MAIL)
    services.send_edit_link(event=event, edit_url=f"https://encontros.tech/events/edit/{TOKEN}/")
    # Django logs every 4xx answer with its path: here a GET where a POST is expected.
    response = client.get(reverse("events:restore", kwargs={"token": TOKEN}))
    assert response.status_code == 405

    output = log_output.getvalue()
    assert "Method Not Allowed (GET): /events/edit/[redacted]/restore/" in output
    assert TOKEN not in output
    assert E_MAIL not in output


@pytest.mark.parametrize(
    ("message", "secret", "shown"),
    [
        ("GET /events/edit/%s/ HTTP/1.1", TOKEN, "GET /events/edit/[redacted]/ HTTP/1.1"),
        ("reissued ?token=%s&x=1", TOKEN, "reissued ?token=[redacted]&x=1"),
        (
            "PUT /api/events/by-token/%s/ HTTP/1.1",
            TOKEN,
            "PUT /api/events/by-token/[redacted]/ HTTP/1.1",
        ),
        ("writing to %s", E_MAIL, "writing to [e-mail]"),
        (
            "cannot connect to %s",
            "postgres://encontros:s3cr3t-Pa55@db.internal:25060/encontros?sslmode=require",
            "cannot connect to postgres://[redacted]@db.internal:25060/encontros?sslmode=require",
        ),
        (
            "cache at %s",
            "redis://:p4ss@127.0.0.1:6379/0",
            "cache at redis://[redacted]@127.0.0.1:6379/0",
        ),
    ],
)
@pytest.mark.parametrize("formatter", [SimpleFormatter(), ColoredFormatter(), JSONFormatter()])
def test_every_format_hides_secrets_whoever_logs_them(formatter, message, secret, shown):
    line = format_one(formatter, message, secret)
    assert secret not in line
    assert shown in line


def test_secrets_in_a_traceback_are_hidden_too():
    try:
        raise ValueError(f"bad value {E_MAIL}")
    except ValueError:
        logger = logging.getLogger("events")
        record = logger.makeRecord(
            "events", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    line = JSONFormatter().format(record)
    assert E_MAIL not in line
    assert "bad value [e-mail]" in json.loads(line)["exception"]


LINE_ENDINGS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@pytest.mark.parametrize("formatter", [SimpleFormatter(), ColoredFormatter(), JSONFormatter()])
@given(
    message=st.text(alphabet=st.sampled_from(LINE_ENDINGS) | st.characters(), max_size=30),
    value=st.text(alphabet=st.sampled_from(LINE_ENDINGS) | st.characters(), max_size=30),
)
@settings(max_examples=100)
def test_a_logged_text_never_forges_a_line_in_any_format(formatter, message, value):
    line = format_one(formatter, "%s", message, title=value)

    assert len(line.splitlines()) == 1
    assert not any(character in line for character in LINE_ENDINGS)


def test_a_title_with_a_line_break_is_one_escaped_line():
    line = format_one(SimpleFormatter(), "event %s", "a\n2026-01-01 ERROR forged", title="x\ry")

    assert line.endswith("event a\\n2026-01-01 ERROR forged title=x\\ry")
