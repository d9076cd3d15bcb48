"""Abuse limits are counted in Django's cache, so with Redis they hold across processes."""

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from events.edit_tokens import new_edit_token
from events.models import Event

from .helpers import submission
from .servers import throwaway_redis

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def redis_url():
    # A Redis of the module's own: test processes running at the same time
    # (pytest-xdist workers, another checkout's suite) never empty each other's.
    with throwaway_redis() as url:
        yield url


@pytest.fixture
def redis_cache(settings, redis_url):
    server = redis.Redis.from_url(redis_url)
    server.flushdb()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
        }
    }
    return server


def test_submission_limit_is_shared_through_redis(client, settings, redis_cache):
    settings.EVENTS_FORM_MIN_SECONDS = 0
    settings.EVENTS_SUBMISSION_RATE = "2/h"
    for title in ["One", "Two"]:
        assert submission(client, title=title).status_code == 200
    assert redis_cache.dbsize() > 0, "the counter should live in Redis"
    # Another process has its own memory but the same Redis: simulate it by
    # dropping this process's cache connection.
    cache.close()
    assert submission(client, title="Three").status_code == 429
    assert Event.objects.count() == 2


def test_edit_token_attempt_limit_is_shared_through_redis(client, settings, redis_cache):
    settings.EVENTS_EDIT_TOKEN_RATE = "2/m"
    for _ in range(2):
        assert client.get(reverse("events:edit", args=[new_edit_token()])).status_code == 404
    cache.close()
    assert client.get(reverse("events:edit", args=[new_edit_token()])).status_code == 429


BALANCER_NODE = "10.110.0.4"


def test_submissions_behind_the_balancer_are_counted_per_visitor(client, settings):
    # Wiring only: the rule itself is tested in encontros/tests/test_proxy.py.
    settings.EVENTS_SUBMISSION_RATE = "1/h"

    def submit(visitor):
        return client.post(
            reverse("events:create"), {}, REMOTE_ADDR=BALANCER_NODE, HTTP_X_FORWARDED_FOR=visitor
        ).status_code

    assert [submit("203.0.113.1") for _ in range(2)] == [200, 429]
    assert submit("203.0.113.2") == 200


def test_edit_pages_behind_the_balancer_are_counted_per_visitor(client, settings):
    settings.EVENTS_EDIT_TOKEN_RATE = "2/m"

    def attempt(visitor):
        url = reverse("events:edit", args=[new_edit_token()])
        return client.get(url, headers={"x-forwarded-for": visitor}).status_code

    assert [attempt("203.0.113.1") for _ in range(3)] == [404, 404, 429]
    assert attempt("203.0.113.2") == 404
