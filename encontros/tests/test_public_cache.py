"""The public cache's answers: compression, validators, freshness across processes,
and reads that still work when the shared cache does not."""

import gzip
import time

import brotli
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date
from prometheus_client import REGISTRY

from encontros import public_cache
from events import services
from events.signals import content_changed
from events.tests.factories import EventFactory
from events.tests.servers import throwaway_redis_server

pytestmark = pytest.mark.django_db

HOME = reverse("events:list")


def queries_of(client, url, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    return response, len(queries)


def test_answers_are_compressed_with_the_best_encoding_the_client_accepts(client, event):
    plain = client.get(HOME)
    for accept, encoding, decompress in [
        ("gzip, deflate, br", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
        ("br;q=0, gzip", "gzip", gzip.decompress),
    ]:
        response = client.get(HOME, headers={"accept-encoding": accept})
        assert response["Content-Encoding"] == encoding
        assert decompress(response.content) == plain.content
        assert int(response["Content-Length"]) == len(response.content)
        assert "Accept-Encoding" in response["Vary"]
    assert "Content-Encoding" not in plain


def test_an_answer_is_compressed_once_in_each_encoding_clients_ask_for(client, event):
    client.get(HOME, headers={"accept-encoding": "gzip, br"})
    (entry,) = public_cache.local_store.entries.values()
    assert set(entry.encoded) == {"br"}
    brotli_body = entry.encoded["br"]

    client.get(HOME, headers={"accept-encoding": "gzip, br"})
    client.get(HOME, headers={"accept-encoding": "gzip"})

    assert set(entry.encoded) == {"br", "gzip"}
    assert entry.encoded["br"] is brotli_body
    assert public_cache.local_store.size == entry.size


def test_an_uncached_answer_is_compressed_in_the_client_s_encoding_only(
    client, event, settings, monkeypatch
):
    settings.PUBLIC_CACHE_SECONDS = 0
    compressed = []
    for compressors in (public_cache.COMPRESSORS, public_cache.FAST_COMPRESSORS):
        for encoding, compress in compressors.items():

            def recording(body, encoding=encoding, compress=compress):
                compressed.append(encoding)
                return compress(body)

            monkeypatch.setitem(compressors, encoding, recording)

    response = client.get(HOME, headers={"accept-encoding": "gzip, br"})

    assert response["Content-Encoding"] == "br"
    assert compressed == ["br"]


@pytest.mark.parametrize(
    ("cache_seconds", "compress"),
    [
        (60, lambda body: brotli.compress(body, quality=5)),
        (0, lambda body: brotli.compress(body, quality=1)),
    ],
    ids=["kept", "sent-once"],
)
def test_a_kept_answer_is_compressed_harder_than_one_sent_once(
    client, event, settings, cache_seconds, compress
):
    settings.PUBLIC_CACHE_SECONDS = cache_seconds
    response = client.get(HOME, headers={"accept-encoding": "br"})

    assert response.content == compress(brotli.decompress(response.content))


def test_an_unchanged_answer_gets_304_by_etag_or_date(client, event):
    first = client.get(HOME)
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"

    by_etag = client.get(HOME, headers={"if-none-match": first["ETag"]})
    by_date = client.get(HOME, headers={"if-modified-since": first["Last-Modified"]})
    changed = client.get(HOME, headers={"if-none-match": 'W/"something-else"'})

    assert (by_etag.status_code, by_date.status_code, changed.status_code) == (304, 304, 200)
    assert by_etag.content == b""
    assert by_etag["ETag"] == first["ETag"]


# What a 304 must carry of the 200 it stands for (RFC 9110, section 15.4.5; Date
# is the HTTP server's), and Last-Modified.
HEADERS_OF_304 = ["Cache-Control", "Content-Location", "ETag", "Expires", "Last-Modified", "Vary"]
CACHED_ANSWERS = [
    (HOME, {}),
    ("event page", {}),
    ("/feeds/events.ics", {}),
    ("/feeds/events.atom", {}),
    ("/api/events/", {"origin": "https://comunidade.example.org", "accept-language": "en"}),
    ("/api/cities/", {}),
]


def headers_of_304(response):
    return {name: response[name] for name in HEADERS_OF_304 if name in response}


def cached_answer_url(url, event):
    """A URL of CACHED_ANSWERS, with the event's own page for "event page"."""
    return event.get_absolute_url() if url == "event page" else url


@pytest.mark.parametrize("url, headers", CACHED_ANSWERS)
def test_a_304_carries_the_vary_and_validators_of_the_200_it_stands_for(
    client, event, url, headers
):
    url = cached_answer_url(url, event)
    headers = {**headers, "accept-encoding": "br"}
    current = client.get(url, headers=headers)

    not_modified = client.get(url, headers={**headers, "if-none-match": current["ETag"]})

    assert (current.status_code, not_modified.status_code) == (200, 304)
    assert headers_of_304(not_modified) == headers_of_304(current)


def test_a_write_changes_the_etag_so_clients_get_the_new_page(client, event):
    first = client.get(event.get_absolute_url())
    services.event_update(event=event, channel=services.Channel.WEB, changes={"title": "Renamed"})

    again = client.get(event.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert "Renamed" in again.content.decode()


def test_an_old_if_modified_since_gets_the_page(client, event):
    long_ago = http_date(time.time() - 3600)
    assert client.get(HOME, headers={"if-modified-since": long_ago}).status_code == 200


def test_s_maxage_lets_a_cdn_keep_public_answers(client, event, settings):
    settings.HTTP_CACHE_SECONDS = 120
    response = client.get(HOME)
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate, s-maxage=120"


def test_head_is_answered_from_the_cache_without_a_body(client, event):
    get = client.get(HOME)
    with CaptureQueriesContext(connection) as queries:
        head = client.head(HOME)
    assert len(queries) == 0
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(get.content))


def test_another_process_s_write_shows_within_the_version_interval(client, event, settings):
    settings.PUBLIC_CACHE_VERSION_INTERVAL = 0.2
    assert queries_of(client, HOME)[1] > 0
    assert queries_of(client, HOME)[1] == 0

    # What another worker's write leaves in the shared cache.
    cache.set(public_cache.VERSION_KEY, "from-another-process", timeout=None)
    time.sleep(0.25)

    assert queries_of(client, HOME)[1] > 0


def test_answers_expire_as_time_passes(client, event, settings):
    client.get(HOME)
    for entry in public_cache.local_store.entries.values():
        entry.expires_at = time.time() - 1
    cache.clear()
    assert queries_of(client, HOME)[1] > 0


def test_zero_seconds_turns_the_cache_off(client, event, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    client.get(HOME)
    response, queries = queries_of(client, HOME, headers={"accept-encoding": "br"})
    assert queries > 0
    assert response["Content-Encoding"] == "br"


def test_the_local_memory_stays_within_its_bound(client, settings):
    settings.PUBLIC_CACHE_LOCAL_BYTES = 200_000
    EventFactory.create_batch(3)
    for page in range(60):
        client.get(HOME, {"search": f"word{page}"})
    assert 0 < public_cache.local_store.size <= 200_000


@pytest.mark.parametrize("failure", ["stopped", "frozen"])
def test_reads_are_rendered_uncached_when_redis_is_down_or_frozen(client, event, settings, failure):
    with throwaway_redis_server() as redis:
        settings.CACHES = {
            "default": {
                "BACKEND": "encontros.cache.FailSoftRedisCache",
                "LOCATION": redis.url,
                "RETRY_AFTER": 2,
                "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
            }
        }
        public_cache.local_version.forget()
        assert queries_of(client, HOME)[1] > 0
        public_cache.local_store.clear()
        assert queries_of(client, HOME)[1] == 0, "served from the shared cache"
        redis.freeze() if failure == "frozen" else redis.stop()
        public_cache.local_store.clear()
        public_cache.local_version.forget()

        for url in [HOME, event.get_absolute_url(), reverse("api:event-list"), "/feeds/events.ics"]:
            response, queries = queries_of(client, url, headers={"accept-encoding": "gzip"})
            assert response.status_code == 200, url
            assert response["Content-Encoding"] == "gzip", url
            assert queries > 0, url
        assert public_cache.local_store.size == 0
        if failure == "frozen":
            redis.thaw()


def test_hits_and_misses_are_counted(client, event):
    def count(result):
        return REGISTRY.get_sample_value("public_cache_answers_total", {"result": result}) or 0

    hits, misses = count("hit"), count("miss")
    client.get(HOME)
    client.get(HOME)
    assert (count("hit") - hits, count("miss") - misses) == (1, 1)


def test_a_value_kept_until_content_changes_is_made_once_per_version():
    made = []

    def make():
        made.append(len(made))
        return made[-1]

    def kept():
        return public_cache.kept_until_content_changes("test-value", make, seconds=60)

    assert kept() == kept() == 0
    content_changed()
    assert kept() == kept() == 1


def test_a_value_kept_until_content_changes_is_made_again_after_its_seconds(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(public_cache.time, "monotonic", lambda: clock[0])
    made = []

    def kept():
        return public_cache.kept_until_content_changes(
            "test-value", lambda: made.append(1) or len(made), seconds=60
        )

    assert kept() == kept() == 1
    clock[0] += 61
    assert kept() == 2


def test_a_value_is_made_on_every_call_while_the_content_version_is_unknown(monkeypatch):
    monkeypatch.setattr(public_cache, "_shared_version", lambda: None)
    public_cache.local_version.forget()
    made = []

    def kept():
        return public_cache.kept_until_content_changes(
            "test-value", lambda: made.append(1) or len(made), seconds=60
        )

    assert [kept(), kept()] == [1, 2]
