"""The site keeps working, within bounded time, while Redis is down or frozen."""

import json
import logging
import secrets
import time

import pytest
from prometheus_client import REGISTRY

from encontros.cache import FailSoftRedisCache
from events.tests.servers import (
    free_port,
    gunicorn,
    manage,
    production_environment,
    signed_form_time,
    throwaway_redis_server,
    wait_for,
)

# Generous bounds: they prove that a frozen Redis cannot hold a request for
# seconds, not how fast the site is.
SOCKET_TIMEOUT = 0.1
BOUND_PER_OPERATION = 1.0


def fail_soft_cache(url, **params):
    return FailSoftRedisCache(
        url,
        {
            "OPTIONS": {
                "socket_connect_timeout": SOCKET_TIMEOUT,
                "socket_timeout": SOCKET_TIMEOUT,
            },
            # A fresh key prefix: each test has its own outage memory and keys.
            "KEY_PREFIX": secrets.token_hex(4),
            **params,
        },
    )


def errors_counted(operation):
    return REGISTRY.get_sample_value("cache_errors_total", {"operation": operation}) or 0


def every_operation(cache):
    """Each operation of Django's cache API, with what it returned."""
    return {
        "get": cache.get("key", "default"),
        "get_many": cache.get_many(["key", "other"]),
        "has_key": cache.has_key("key"),
        "add": cache.add("key", 1),
        "set": cache.set("key", 1),
        "set_many": cache.set_many({"key": 1, "other": 2}),
        "touch": cache.touch("key"),
        "incr": cache.incr("key"),
        "decr": cache.decr("key"),
        "delete": cache.delete("key"),
        "delete_many": cache.delete_many(["key"]),
        "get_or_set": cache.get_or_set("key", "computed"),
        "clear": cache.clear(),
    }


WHEN_UNAVAILABLE = {
    "get": "default",
    "get_many": {},
    "has_key": False,
    "add": False,
    "set": None,
    "set_many": ["key", "other"],
    "touch": False,
    "incr": None,
    "decr": None,
    "delete": False,
    "delete_many": None,
    "get_or_set": "computed",
    "clear": False,
}


def test_without_redis_reads_miss_writes_are_skipped_and_counts_are_unknown():
    cache = fail_soft_cache(f"redis://127.0.0.1:{free_port()}/0", RETRY_AFTER=0)
    errors_before = errors_counted("get")

    assert every_operation(cache) == WHEN_UNAVAILABLE
    assert errors_counted("get") > errors_before


def test_a_frozen_redis_costs_at_most_a_short_timeout_then_is_left_alone():
    with throwaway_redis_server() as redis_server:
        cache = fail_soft_cache(redis_server.url, RETRY_AFTER=60)
        cache.set("key", "stored")
        redis_server.freeze()

        started = time.monotonic()
        first = cache.get("key", "missed")
        first_took = time.monotonic() - started
        started = time.monotonic()
        others = [cache.get("key", "missed") for _ in range(50)]
        others_took = time.monotonic() - started

        assert first == "missed"
        assert first_took < BOUND_PER_OPERATION
        # While Redis rests, operations do not even wait for the timeout.
        assert others == ["missed"] * 50
        assert others_took < BOUND_PER_OPERATION


def test_redis_is_used_again_once_it_is_back():
    with throwaway_redis_server() as redis_server:
        cache = fail_soft_cache(redis_server.url, RETRY_AFTER=0.2)
        redis_server.freeze()
        assert cache.set("key", "lost") is None
        redis_server.thaw()

        wait_for(lambda: cache.add("count", 1), seconds=10, what="the cache to recover")
        assert cache.incr("count") == 2
        assert cache.get("count") == 2


def test_an_outage_is_logged_once_per_interval_without_its_values(caplog):
    cache = fail_soft_cache(f"redis://127.0.0.1:{free_port()}/0", RETRY_AFTER=0)

    with caplog.at_level(logging.WARNING, logger="encontros.cache"):
        for _ in range(20):
            cache.set("private-key", "private-value")

    assert len(caplog.records) == 1
    assert "cache unavailable" in caplog.records[0].getMessage()
    assert "private" not in caplog.text


def test_the_next_warning_comes_after_the_interval(caplog):
    cache = fail_soft_cache(
        f"redis://127.0.0.1:{free_port()}/0", RETRY_AFTER=0, WARNING_INTERVAL=0.2
    )

    with caplog.at_level(logging.WARNING, logger="encontros.cache"):
        cache.get("key")
        time.sleep(0.3)
        cache.get("key")
        cache.get("key")

    assert len(caplog.records) == 2


# A real gunicorn: every anonymous door that counts a rate limit keeps working.

ENGLISH = {"Accept-Language": "en"}


def event_payload(title):
    return {
        "title": title,
        "description": "Talks and coffee.",
        "starts_at": "2031-03-10T19:00:00-03:00",
        "mode": "online",
        "online_url": "https://meet.example.org/talks",
        "technologies": ["Python"],
        "organizer_name": "Cache Outage Group",
        "is_free": True,
    }


def site_submission(server, secret_key, title):
    fields = {
        "title": title,
        "description": "Talks and coffee.",
        "starts_at": "2031-04-10T19:00",
        "mode": "online",
        "online_url": "https://meet.example.org/talks",
        "organizer_name": "Cache Outage Group",
        "homepage": "",
        "rendered_at": signed_form_time(secret_key),
    }
    return server.post_form("/events/new/", fields, headers=ENGLISH)


def anonymous_doors(server, secret_key, title):
    """The status of each anonymous door, in the order a visitor uses them."""
    statuses = {}
    status, headers, body = server.send("POST", "/api/events/", body=event_payload(title))
    statuses["api create"] = status
    created = json.loads(body) if status == 201 else {}
    token = created.get("edit_token", "missing")
    by_token = {"X-Edit-Token": token}
    statuses["api read by token"] = server.send(
        "GET", f"/api/events/by-token/{token}/", headers=by_token
    )[0]
    statuses["api change with token"] = server.send(
        "PATCH",
        f"/api/events/{created.get('slug', 'missing')}/",
        body={"venue": "Online"},
        headers=by_token,
    )[0]
    statuses["edit page"] = server.get(f"/events/edit/{token}/", headers=ENGLISH)[0]
    statuses["site submission"] = site_submission(server, secret_key, f"{title} (site)")[0]
    return statuses


ALL_ANSWERED = {
    "api create": 201,
    "api read by token": 200,
    "api change with token": 200,
    "edit page": 200,
    "site submission": 200,
}


@pytest.mark.own_servers
@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_anonymous_writes_and_reads_work_while_redis_is_down(tmp_path, collected_static, outage):
    with throwaway_redis_server() as redis_server:
        environment = production_environment(
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
            CACHE_URL=redis_server.url,
        )
        manage("migrate", "--verbosity", "0", environment=environment)
        with gunicorn(environment, workers=2) as server:
            assert json.loads(server.get("/ready")[2])["cache"] == "ok"
            assert anonymous_doors(server, environment["SECRET_KEY"], "Before") == ALL_ANSWERED

            redis_server.stop() if outage == "stopped" else redis_server.freeze()

            assert anonymous_doors(server, environment["SECRET_KEY"], "During") == ALL_ANSWERED
            status, _headers, body = server.get("/ready")
            assert (status, json.loads(body)) == (200, {"status": "ready", "cache": "unavailable"})
            assert "cache unavailable" in server.output()
