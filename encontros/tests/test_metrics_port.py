"""The metrics and liveness port, served by gunicorn's master (encontros/metrics_server.py)."""

import http.client
import random
import secrets
import string
import subprocess
import threading
import time
import urllib.parse

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from prometheus_client.parser import text_string_to_metric_families

from events.tests.servers import (
    BASE_DIR,
    GUNICORN,
    free_port,
    get,
    gunicorn,
    manage,
    production_environment,
    throwaway_postgres,
)

pytestmark = pytest.mark.own_servers

# Methods that HTTP defines: django-prometheus's label for anything else is "<invalid method>".
HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "OPTIONS", "CONNECT", "PATCH"}
UNNAMED_VIEW = "<unnamed view>"
# Pages that exist, so that made-up methods reach named views too.
KNOWN_PATHS = ["/", "/events/past/", "/events/new/", "/feeds/events.ics", "/robots.txt",
               "/api/events/", "/api/technologies/", "/api/schema/", "/api/no-such/"]  # fmt: skip
RANDOM_REQUESTS = 150


def url_names(resolver=None, namespace=""):
    """Every `namespace:name` of the project's URL patterns: the only view labels there can be."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def label_sets(metrics_text):
    """{(sample name, sorted labels)} of every sample of a metrics page."""
    return {
        (sample.name, tuple(sorted(sample.labels.items())))
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
    }


def made_up_method(rng):
    # Upper-case letters, as gunicorn accepts (it answers 400 to other method names itself).
    while (method := "".join(rng.choices(string.ascii_uppercase, k=rng.randint(3, 20)))) in (
        HTTP_METHODS
    ):
        pass
    return method


def made_up_path(rng):
    alphabet = string.ascii_letters + string.digits + "-_~éção漢"
    segments = [
        "".join(rng.choices(alphabet, k=rng.randint(1, 20))) for _ in range(rng.randint(1, 4))
    ]
    return urllib.parse.quote("/" + "/".join(segments) + rng.choice(["", "/"]))


def send(port, method, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers={"Host": "127.0.0.1"})
        return connection.getresponse().status
    finally:
        connection.close()


def send_random_requests(port, rng):
    """Made-up methods on made-up and on real paths, and real methods on made-up paths."""
    for _ in range(RANDOM_REQUESTS):
        send(port, made_up_method(rng), made_up_path(rng))
        send(port, rng.choice(sorted(HTTP_METHODS - {"CONNECT"})), made_up_path(rng))
    for path in KNOWN_PATHS:
        send(port, made_up_method(rng), path)


def test_public_port_serves_no_metrics_and_metrics_port_serves_every_worker(sqlite_site):
    with gunicorn(sqlite_site, workers=2) as server:
        assert server.get("/metrics")[0] == 404
        status, _headers, body = get(f"{server.metrics_url}/health")
        assert (status, body) == (200, '{"status": "ok"}')
        assert get(f"{server.metrics_url}/")[0] == 404
        assert "app_info{" in server.metrics()
        # Liveness keeps answering on the public port too, for anything that calls it there.
        assert server.get("/health")[0] == 200


def test_made_up_methods_and_paths_add_no_metric_series(sqlite_site):
    seed = secrets.randbits(32)
    rng = random.Random(seed)
    allowed_views = url_names() | {UNNAMED_VIEW}
    allowed_methods = HTTP_METHODS | {"<invalid method>"}
    with gunicorn(sqlite_site, workers=2) as server:
        send_random_requests(server.port, rng)
        after_first_batch = server.metrics()
        send_random_requests(server.port, rng)
        after_second_batch = server.metrics()

    series = label_sets(after_second_batch)
    labels = [dict(labels) for _name, labels in series]
    assert {label["method"] for label in labels if "method" in label} <= allowed_methods, seed
    assert {label["view"] for label in labels if "view" in label} <= allowed_views, seed
    # New made-up methods and paths land in the series the first ones created.
    assert series == label_sets(after_first_batch), seed


def wait_for_readiness(server):
    """Ask /ready and wait for its answer, whatever becomes of it."""
    try:
        server.get("/ready", timeout=60)
    except OSError:
        pass


def test_liveness_answers_on_the_metrics_port_while_every_worker_waits_for_a_hung_database(
    tmp_path,
):
    workers = 2
    with throwaway_postgres() as database:
        environment = production_environment(
            DATABASE_URL=database.url, PROMETHEUS_MULTIPROC_DIR=str(tmp_path)
        )
        manage("migrate", "--verbosity", "0", environment=environment)
        with gunicorn(environment, workers=workers) as server:
            assert server.get("/ready")[0] == 200
            with database.hung():
                # Each waits for the database; queued ones take a worker as soon as one frees.
                waiting = [
                    threading.Thread(target=wait_for_readiness, args=(server,))
                    for _ in range(5 * workers)
                ]
                for request in waiting:
                    request.start()
                time.sleep(1)

                # Every worker is busy: the public port does not answer in time.
                with pytest.raises(TimeoutError):
                    server.get("/health", timeout=1)
                status, _headers, body = get(f"{server.metrics_url}/health", timeout=5)
                assert (status, body) == (200, '{"status": "ok"}')
                assert "app_info{" in server.metrics()
                # Still more requests waiting than workers: none was free meanwhile.
                assert sum(request.is_alive() for request in waiting) >= workers
            for request in waiting:
                request.join(timeout=90)


def test_gunicorn_refuses_to_start_in_one_line_when_the_metrics_port_is_taken(sqlite_site):
    with gunicorn(sqlite_site, workers=1) as server:
        result = subprocess.run(
            [GUNICORN, "-c", "gunicorn.conf.py", "encontros.wsgi"],
            cwd=BASE_DIR,
            env={
                **sqlite_site,
                "HOST": "127.0.0.1",
                "PORT": str(free_port()),
                "METRICS_PORT": str(server.metrics_port),
            },  # fmt: skip
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"Configuration error: METRICS_PORT {server.metrics_port}:" in result.stderr
