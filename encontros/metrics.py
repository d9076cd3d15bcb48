from django.conf import settings
from prometheus_client import Counter, Gauge

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


def publish_app_info():
    app_info.labels(
        service=settings.SERVICE_NAME,
        version=settings.SERVICE_VERSION,
        environment=settings.ENVIRONMENT,
    ).set(1)
