"""The production server: gunicorn with gunicorn.conf.py, several workers."""

import json
import re
import time

import pytest

from events.tests.servers import SlowUpload, gunicorn, metric_value

pytestmark = pytest.mark.own_servers

REQUESTS_BY_VIEW = "django_http_requests_total_by_view_transport_method_total"
# Long enough for an idle worker to accept a waiting connection.
ACCEPT_PAUSE = 1


def home_page_requests(server):
    return metric_value(server.metrics(), REQUESTS_BY_VIEW, view="events:list", method="GET")


def access_log(server):
    """(pid, message) of each access log line of the server (LOG_FORMAT=json)."""
    records = [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
    return [(r["pid"], r["message"]) for r in records if r["logger"] == "gunicorn.access"]


def pids_that_served(server, request_line):
    return {pid for pid, message in access_log(server) if request_line in message}


def test_metrics_add_up_the_requests_of_every_worker(sqlite_site):
    batch = 5
    # Every view renders: answers from the public cache never reach the view.
    with gunicorn({**sqlite_site, "PUBLIC_CACHE_SECONDS": "0"}, workers=2) as server:
        before = home_page_requests(server)

        # A worker busy with a slow upload accepts nothing else, so each batch
        # of page views lands on the other worker.
        first_upload = SlowUpload(server.port)
        time.sleep(ACCEPT_PAUSE)
        for _ in range(batch):
            assert server.get("/")[0] == 200
        second_upload = SlowUpload(server.port)
        time.sleep(ACCEPT_PAUSE)
        assert first_upload.finish().endswith("302 Found")
        for _ in range(batch):
            assert server.get("/")[0] == 200
        assert second_upload.finish().endswith("302 Found")

        assert home_page_requests(server) - before == 2 * batch
        assert len(pids_that_served(server, '"GET / HTTP/1.1" 200')) == 2


def test_app_info_is_one_series_at_one_under_several_workers(sqlite_site):
    with gunicorn(sqlite_site, workers=2) as server:
        for _ in range(4):
            server.get("/")
        metrics = server.metrics()
    app_info = [line for line in metrics.splitlines() if line.startswith("app_info{")]
    assert app_info == [
        'app_info{environment="production",service="encontros-tech",version="1.0.0"} 1.0'
    ]


def test_sigterm_lets_an_in_flight_request_finish(sqlite_site):
    with gunicorn(sqlite_site, workers=2) as server:
        upload = SlowUpload(server.port)
        time.sleep(ACCEPT_PAUSE)
        server.process.terminate()
        time.sleep(ACCEPT_PAUSE)

        assert upload.finish() == "HTTP/1.1 302 Found"
        assert server.process.wait(timeout=30) == 0
        assert pids_that_served(server, '"POST /i18n/setlang/ HTTP/1.1" 302')


def test_access_log_hides_edit_tokens(sqlite_site):
    token = "Tok3n-in-the-address-bar_which-is-a-secret0"
    with gunicorn(sqlite_site, workers=1) as server:
        assert server.get(f"/events/edit/{token}/")[0] == 404
        server.process.terminate()
        server.process.wait(timeout=30)
        assert token not in server.output()
        assert pids_that_served(server, '"GET /events/edit/[redacted]/ HTTP/1.1" 404')


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_static_files_have_hashed_names_compression_and_far_future_cache(sqlite_site, encoding):
    with gunicorn(sqlite_site, workers=1) as server:
        home = server.get("/")[2]
        stylesheet = re.search(r"/static/css/site\.[0-9a-f]{12}\.css", home)[0]
        status, headers, _body = server.get(stylesheet, headers={"Accept-Encoding": encoding})
    assert status == 200
    assert headers["Content-Encoding"] == encoding
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"


def test_a_worker_keeps_what_it_loaded_out_of_the_garbage_collector_s_walks(monkeypatch):
    import gc
    import runpy

    configuration = runpy.run_path("gunicorn.conf.py")
    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    configuration["post_worker_init"](worker=None)
    assert frozen == [True]
