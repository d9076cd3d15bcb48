import logging

from django.conf import settings
from prometheus_client import Counter, Gauge

logger = logging.getLogger(__name__)

# A gauge rather than an Info metric: Info metrics vanish in multiprocess mode.
# "max" keeps a single series (value 1) whichever workers wrote it.
app_info = Gauge(
    "app_info",
    "Service name, version and environment of the running site (always 1).",
    ["service", "version", "environment"],
    multiprocess_mode="max",
)

cache_errors = Counter(
    "cache_errors",
    "Cache operations that failed or were skipped because the cache was unavailable.",
    ["operation"],
)

# Why readiness checks failed, by a fixed reason (the answer's text may carry a count).
readiness_failures = Counter(
    "readiness_failures", "Readiness checks that failed, by reason.", ["reason"]
)


def publish_app_info():
    app_info.labels(
        service=settings.SERVICE_NAME,
        version=settings.SERVICE_VERSION,
        environment=settings.ENVIRONMENT,
    ).set(1)


# Hits never reach a view, so the per-view request series count rendered answers only.
public_cache_answers = Counter(
    "public_cache_answers",
    "Anonymous reads of public pages, feeds and the API, by whether the cache served them.",
    ["result"],
)


admin_login_lockouts = Counter(
    "admin_login_lockouts",
    "Admin login attempts refused because the username or the client is locked out.",
)


def count_admin_login_lockout(sender, request, username, ip_address, **kwargs):
    """Receiver of django-axes' user_locked_out signal."""
    logger.warning("admin login locked out", extra={"username": username})
    admin_login_lockouts.inc()
