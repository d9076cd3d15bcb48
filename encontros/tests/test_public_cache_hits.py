"""Hits in a process's memory are answered by the WSGI application before Django
handles the request (encontros.wsgi, PublicCacheHits), under the same rules and
with the same answer as the Django side gives.

Django's request_started signal tells whether Django handled a request.
"""

import importlib
import io
import pickle
import sys
import time
from contextlib import contextmanager
from urllib.parse import quote, unquote_to_bytes, urlsplit
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from prometheus_client import REGISTRY

from encontros import public_cache
from events.tests.factories import EventFactory

from .test_basic_auth import PASSWORD, USERNAME, authorization
from .test_public_cache import CACHED_ANSWERS, cached_answer_url, headers_of_304

pytestmark = pytest.mark.django_db

HOST = "testserver"
ORIGIN = "https://comunidade.example.org"


@pytest.fixture
def application(settings):
    """The site's WSGI application (encontros/wsgi.py), built with this test's settings."""
    settings.ALLOWED_HOSTS = [HOST]

    def build():
        import encontros.wsgi

        return importlib.reload(encontros.wsgi).application

    # As Django's test client does: the test's transaction holds the connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield build
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@contextmanager
def django_requests():
    """The requests Django handles meanwhile (a list, one item per request)."""
    handled = []

    def count(**kwargs):
        handled.append(kwargs)

    request_started.connect(count)
    try:
        yield handled
    finally:
        request_started.disconnect(count)


class Answer:
    def __init__(self, status, headers, body):
        self.status_code = int(status.split(" ", 1)[0])
        self.headers = headers
        self.body = body

    def __getitem__(self, name):
        return next(value for key, value in self.headers if key.lower() == name.lower())

    def __contains__(self, name):
        return any(key.lower() == name.lower() for key, _value in self.headers)


def call(application, url, *, method="GET", scheme="http", headers=None):
    """The answer of `application` to a request as a WSGI server makes it."""
    parts = urlsplit(url)
    environ = {
        "REQUEST_METHOD": method,
        # Servers pass the path's bytes decoded as Latin-1 (PEP 3333).
        "PATH_INFO": unquote_to_bytes(parts.path).decode("latin-1"),
        "QUERY_STRING": parts.query,
        "HTTP_HOST": HOST,
        "HTTP_ACCEPT_ENCODING": "gzip, br",
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    setup_testing_defaults(environ)
    started = []
    body = application(environ, lambda status, headers: started.append((status, headers)))
    try:
        content = b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    return Answer(*started[0], content)


def miss_then_hit(application, url, **kwargs):
    with django_requests() as handled:
        miss = call(application, url, **kwargs)
        hit = call(application, url, **kwargs)
    return miss, hit, len(handled)


@pytest.mark.parametrize(
    "url, headers",
    [
        ("/", {}),
        ("/en/", {}),
        ("event page", {}),
        ("/api/events/", {"Origin": ORIGIN, "Accept-Language": "en"}),
        ("/feeds/events.ics", {}),
    ],
)
def test_a_hit_is_answered_before_django_with_the_answer_of_the_miss(
    application, event, url, headers
):
    url = cached_answer_url(url, event)
    miss, hit, handled = miss_then_hit(application(), url, headers=headers)

    assert handled == 1
    assert miss.status_code == hit.status_code == 200
    assert hit.headers == miss.headers
    assert hit.body == miss.body
    for header in ["X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy"]:
        assert header in hit, header


def test_an_api_hit_keeps_its_cors_and_language_headers(application, event):
    miss, hit, _handled = miss_then_hit(
        application(), "/api/events/", headers={"Origin": ORIGIN, "Accept-Language": "en"}
    )

    assert hit["Access-Control-Allow-Origin"] == "*"
    assert hit["Content-Language"] == "en"
    assert {"Accept-Encoding", "Accept-Language", "Origin"} <= {
        value.strip().title() for value in hit["Vary"].split(",")
    }


def test_https_hits_keep_hsts_and_plain_http_is_still_redirected(application, event, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    app = application()

    miss, hit, handled = miss_then_hit(app, "/", scheme="https")
    with django_requests() as redirected:
        plain = call(app, "/")

    assert handled == 1
    assert hit.headers == miss.headers
    assert hit["Strict-Transport-Security"].startswith("max-age=3600")
    assert (plain.status_code, plain["Location"]) == (301, "https://testserver/")
    assert len(redirected) == 1


def test_a_hit_answers_304_and_head_without_a_body(application, event):
    app = application()
    page = call(app, "/")
    with django_requests() as handled:
        current = call(app, "/", headers={"If-None-Match": page["ETag"]})
        head = call(app, "/", method="HEAD")

    assert not handled
    assert (current.status_code, current.body, current["ETag"]) == (304, b"", page["ETag"])
    assert (head.status_code, head.body) == (200, b"")
    assert head["Content-Length"] == page["Content-Length"]


@pytest.mark.parametrize("url, headers", CACHED_ANSWERS)
def test_a_304_hit_carries_the_vary_and_validators_of_the_200_it_stands_for(
    application, event, url, headers
):
    url = cached_answer_url(url, event)
    app = application()
    current = call(app, url, headers=headers)
    with django_requests() as handled:
        not_modified = call(app, url, headers={**headers, "If-None-Match": current["ETag"]})

    assert not handled
    assert (current.status_code, not_modified.status_code) == (200, 304)
    assert headers_of_304(not_modified) == headers_of_304(current)


@pytest.mark.parametrize(
    "credentials",
    [
        {"X-Edit-Token": "t" * 43},
        {"Authorization": "Token not-checked-here"},
        {"Cookie": "sessionid=staff"},
        {"Cookie": "messages=shown"},
    ],
)
def test_a_read_with_credentials_is_never_answered_from_the_cache(application, event, credentials):
    app = application()
    call(app, "/")
    with django_requests() as handled:
        call(app, "/", headers=credentials)

    assert len(handled) == 1


def test_an_organizer_gets_the_private_answer_even_when_the_public_one_is_stored(application):
    event = EventFactory(edit_token="t" * 43, organizer_email="private@example.org")
    app = application()
    url = reverse("api:event-detail", args=[event.slug])

    public = call(app, url)
    private = call(app, url, headers={"X-Edit-Token": "t" * 43})

    assert b"private@example.org" not in public.body
    assert b"private@example.org" in private.body


def test_behind_basic_auth_a_stored_answer_still_asks_for_the_credentials(
    application, event, settings
):
    call(application(), "/")
    settings.BASIC_AUTH_USERNAME, settings.BASIC_AUTH_PASSWORD = USERNAME, PASSWORD
    app = application()

    refused = call(app, "/")
    allowed = call(app, "/", headers={"Authorization": authorization(USERNAME, PASSWORD)})

    assert refused.status_code == 401
    assert allowed.status_code == 200


def test_a_host_no_longer_allowed_is_never_answered_from_the_cache(application, event, settings):
    app = application()
    call(app, "/")
    settings.ALLOWED_HOSTS = ["encontros.example.org"]

    with django_requests() as handled:
        refused = call(app, "/")

    assert (refused.status_code, len(handled)) == (400, 1)


def test_the_api_s_language_and_origin_are_part_of_its_key(application, event):
    app = application()
    call(app, "/api/events/", headers={"Accept-Language": "en"})
    with django_requests() as handled:
        portuguese = call(app, "/api/events/", headers={"Accept-Language": "pt-BR"})
        from_a_site = call(app, "/api/events/", headers={"Accept-Language": "en", "Origin": ORIGIN})

    assert len(handled) == 2
    assert portuguese["Content-Language"] == "pt-br"
    assert "Access-Control-Allow-Origin" in from_a_site


def test_another_process_s_write_shows_within_the_version_interval(application, event, settings):
    settings.PUBLIC_CACHE_VERSION_INTERVAL = 0.2
    app = application()
    call(app, "/")
    cache.set(public_cache.VERSION_KEY, "from-another-process", timeout=None)
    time.sleep(0.25)

    with django_requests() as handled:
        call(app, "/")

    assert len(handled) == 1


def test_hits_are_counted(application, event):
    def hits():
        return REGISTRY.get_sample_value("public_cache_answers_total", {"result": "hit"}) or 0

    app = application()
    call(app, "/")
    before = hits()
    call(app, "/")

    assert hits() == before + 1


def test_an_address_beyond_latin_1_reaches_django_intact(application, event):
    answer = call(application(), "/events/" + quote("café-€") + "/")

    assert answer.status_code == 404


def test_an_entry_travels_between_processes_without_its_prepared_answers(application, event):
    call(application(), "/")
    (entry,) = public_cache.local_store.entries.values()
    assert entry.answers

    copy = pickle.loads(pickle.dumps(entry))
    # As pickled by a release before prepared answers, still sharing the cache in a rollout.
    older = public_cache.Entry.__new__(public_cache.Entry)
    older.__setstate__({name: value for name, value in vars(entry).items() if name != "answers"})

    assert copy.answers == older.answers == {}
    assert (copy.body, copy.encoded, copy.etag) == (entry.body, entry.encoded, entry.etag)
