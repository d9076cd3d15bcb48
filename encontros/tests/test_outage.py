"""A real PostgreSQL outage, on a throw-away server of the test's own."""

import json
import re

import pytest
from django.db import InterfaceError, OperationalError, connections

from encontros.tests.servers import (
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
            for path in ("/", event_page):
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
