"""A real PostgreSQL outage, on a throw-away server of the test's own; and the
errors of a database that works but refuses one request (a conflict, a bound)."""

import json
import re
import time

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, connections
from psycopg import errors

from events.tests.servers import (
    gunicorn,
    manage,
    production_environment,
    throwaway_postgres,
    wait_for,
)

ENGLISH = {"Accept-Language": "en"}


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_pages_answer_a_friendly_503_never_a_traceback(client, settings, event, debug, error):
    # Homologation runs with DEBUG on, where Django would show its error page.
    settings.DEBUG = debug

    def database_gone(*args, **kwargs):
        raise error("server closed the connection unexpectedly")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(connections["default"]), "cursor", database_gone)
        responses = [
            client.get(url, HTTP_ACCEPT_LANGUAGE="en") for url in ("/", event.get_absolute_url())
        ]

    for response in responses:
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        page = response.content.decode()
        assert "Temporariamente indisponível" in page
        assert "Traceback" not in page
        assert "server closed the connection" not in page


@pytest.mark.own_servers
def test_database_outage_answers_503_then_recovers_by_itself(tmp_path, collected_static):
    with throwaway_postgres() as database:
        environment = production_environment(DATABASE_URL=database.url)
        manage("migrate", "--verbosity", "0", environment=environment)
        manage("seed_demo", environment=environment)
        with gunicorn(environment, workers=2) as server:
            status, _headers, home = server.get("/", headers=ENGLISH)
            assert status == 200
            event_page = re.search(r'href="(/events/(?!past/|new/)[^"/]+/)"', home)[1]
            assert server.get("/ready")[0] == 200

            database.stop()

            status, _headers, body = server.get("/health")
            assert (status, body) == (200, '{"status": "ok"}')
            status, _headers, body = server.get("/ready")
            assert status == 503
            assert json.loads(body) == {
                "status": "not ready",
                "reason": "database unavailable",
                "cache": "ok",
            }
            # Pages the public cache does not hold need the database. (The home page
            # read above may still be served from one worker's memory.)
            for path in ("/?search=outage", event_page):
                status, headers, body = server.get(path, headers=ENGLISH)
                assert status == 503
                assert "Temporariamente indisponível" in body
                assert "Traceback" not in body
                assert headers["Retry-After"] == "30"

            database.start()

            wait_for(lambda: server.get("/ready")[0] == 200, seconds=30, what="readiness")
            # Each worker had a broken connection: every page works again.
            for path in ["/", event_page] * 3:
                assert server.get(path, headers=ENGLISH)[0] == 200


@pytest.mark.own_servers
def test_after_a_database_restart_between_requests_no_request_fails(collected_static):
    with throwaway_postgres() as database:
        environment = production_environment(DATABASE_URL=database.url, PUBLIC_CACHE_SECONDS="0")
        manage("migrate", "--verbosity", "0", environment=environment)
        manage("seed_demo", environment=environment)
        with gunicorn(environment, workers=2) as server:
            # The workers hold connections to the server about to restart.
            for _ in range(6):
                assert server.get("/", headers=ENGLISH)[0] == 200

            database.stop()
            database.start()

            # Each connection is found dead and replaced before its request's first query.
            statuses = [server.get(path, headers=ENGLISH)[0] for path in ["/", "/api/events/"] * 4]
            assert statuses == [200] * 8


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cause",
    [
        errors.DeadlockDetected,
        errors.SerializationFailure,
        errors.QueryCanceled,
        errors.LockNotAvailable,
    ],
)
def test_a_refused_statement_is_not_reported_as_an_outage(client, event, cause, caplog):
    def refused(*args, **kwargs):
        raise OperationalError("refused") from cause()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(connections["default"]), "cursor", refused)
        response = client.get(event.get_absolute_url())

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Ocupado agora" in response.content.decode()
    assert "database unavailable" not in caplog.text
    assert "database busy" in caplog.text


@pytest.mark.own_servers
def test_a_write_waiting_for_a_lock_gets_a_busy_answer_within_its_bound(collected_static):
    with throwaway_postgres() as database:
        environment = production_environment(
            DATABASE_URL=database.url, DATABASE_LOCK_TIMEOUT="1", DATABASE_STATEMENT_TIMEOUT="3"
        )
        manage("migrate", "--verbosity", "0", environment=environment)
        with gunicorn(environment, workers=2) as server:
            status, _headers, body = server.send("POST", "/api/events/", body=EVENT)
            assert status == 201, body
            created = json.loads(body)
            holder = {"X-Edit-Token": created["edit_token"], **ENGLISH}
            url = f"/api/events/{created['slug']}/"
            with psycopg.connect(database.url) as other_writer:
                other_writer.execute(
                    "SELECT 1 FROM events_event WHERE slug = %s FOR UPDATE", [created["slug"]]
                )
                started = time.monotonic()
                status, headers, body = server.send(
                    "PATCH", url, body={"venue": "Mine"}, headers=holder, timeout=25
                )
                waited = time.monotonic() - started
            # The lock is gone with the other transaction: the same change now works.
            assert server.send("PATCH", url, body={"venue": "Mine"}, headers=holder)[0] == 200
            assert server.get("/ready")[0] == 200
            output = server.output()

    assert (status, headers["Retry-After"]) == (503, "5")
    assert "try again in a few seconds" in json.loads(body)["message"]
    # Generous: without the bound, the request waited until gunicorn killed the worker (30 s).
    assert waited < 15
    assert "database busy: LockNotAvailable" in output
    assert "database unavailable" not in output


EVENT = {
    "title": "Locked meetup",
    "description": "Talks.",
    "starts_at": "2031-05-10T19:00:00-03:00",
    "mode": "online",
    "online_url": "https://meet.example.org/locked",
    "organizer_name": "Lock Group",
    "is_free": True,
}
