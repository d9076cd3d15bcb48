"""The shared cache (Redis), which must never take the site down with it.

The cache holds nothing the site cannot do without (rate-limit counters, cached
pages), so while Redis is down, refusing or frozen, the site keeps serving:
reads are misses, writes are skipped, counters are unknown (rate limits let the
request through, see RATELIMIT_FAIL_OPEN). Each failure costs at most one short
socket timeout, after which the process leaves Redis alone for a moment rather
than paying that timeout on every operation.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from encontros.metrics import cache_errors

logger = logging.getLogger(__name__)


class _Outage:
    """When one process last saw a Redis server fail, shared by its threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.resting_until = 0.0
        self.warned_at = None


_outages = {}


class FailSoftRedisCache(RedisCache):
    """Django's Redis cache, where a Redis failure is a miss, never an exception.

    Besides the usual settings, it reads `RETRY_AFTER` (seconds to leave Redis
    alone after a failure) and `WARNING_INTERVAL` (seconds between two warnings
    in the log). Set short `socket_connect_timeout` and `socket_timeout` in
    OPTIONS: they bound what a frozen Redis costs a request.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self.retry_after = params.get("RETRY_AFTER", 2)
        self.warning_interval = params.get("WARNING_INTERVAL", 60)
        self._outage = _outages.setdefault(tuple(self._servers), _Outage())

    def _attempt(self, operation, result_on_failure, method, *args, **kwargs):
        if time.monotonic() < self._outage.resting_until:
            cache_errors.labels(operation=operation).inc()
            return result_on_failure
        try:
            return method(*args, **kwargs)
        except (RedisError, OSError) as error:
            cache_errors.labels(operation=operation).inc()
            self._record_failure(operation, error)
            return result_on_failure

    def _record_failure(self, operation, error):
        now = time.monotonic()
        with self._outage.lock:
            self._outage.resting_until = now + self.retry_after
            warned_at = self._outage.warned_at
            if warned_at is not None and now - warned_at < self.warning_interval:
                return
            self._outage.warned_at = now
        logger.warning(
            "cache unavailable, serving without it (%s failed: %s: %s); "
            "next warning in %s s at the earliest",
            operation,
            type(error).__name__,
            error,
            self.warning_interval,
        )

    def add(self, key, *args, **kwargs):
        return self._attempt("add", False, super().add, key, *args, **kwargs)

    def get(self, key, default=None, version=None):
        return self._attempt("get", default, super().get, key, default, version)

    def set(self, key, *args, **kwargs):
        return self._attempt("set", None, super().set, key, *args, **kwargs)

    def touch(self, key, *args, **kwargs):
        return self._attempt("touch", False, super().touch, key, *args, **kwargs)

    def delete(self, key, *args, **kwargs):
        return self._attempt("delete", False, super().delete, key, *args, **kwargs)

    def get_many(self, keys, *args, **kwargs):
        return self._attempt("get_many", {}, super().get_many, keys, *args, **kwargs)

    def has_key(self, key, *args, **kwargs):
        return self._attempt("has_key", False, super().has_key, key, *args, **kwargs)

    def incr(self, key, *args, **kwargs):
        # The count is unknown: None, which rate limits take as "not over the limit".
        return self._attempt("incr", None, super().incr, key, *args, **kwargs)

    def set_many(self, data, *args, **kwargs):
        # Like Django's backends, the keys that could not be stored.
        return self._attempt("set_many", list(data), super().set_many, data, *args, **kwargs)

    def delete_many(self, keys, *args, **kwargs):
        return self._attempt("delete_many", None, super().delete_many, keys, *args, **kwargs)

    def clear(self):
        return self._attempt("clear", False, super().clear)
