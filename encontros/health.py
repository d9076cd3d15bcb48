"""Liveness and readiness endpoints for Kubernetes probes.

Both are served by encontros.middleware.ProbeMiddleware ahead of the host
check and the HTTPS redirect, since the kubelet calls a pod by its IP address.
"""

import logging
import secrets
import time

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django_prometheus.migrations import applied_migrations, unapplied_migrations

from encontros.metrics import readiness_failures
from events.metrics import publish_moderation_queue

logger = logging.getLogger(__name__)

# The readiness probe fails when the database takes longer than this to answer.
DATABASE_ANSWER_SECONDS = 2


def health(request):
    """Liveness: the process serves requests. Never touches the database, so a
    database outage does not make Kubernetes restart healthy pods."""
    return JsonResponse({"status": "ok"})


def ready(request):
    """Readiness: the database answers quickly and its schema is up to date.

    The cache's state is reported too, but never takes the pod out of service:
    the site serves without it (encontros/cache.py).
    """
    cache_state = "ok" if cache_answers() else "unavailable"
    reason = not_ready_reason()
    if reason:
        return JsonResponse(
            {"status": "not ready", "reason": reason, "cache": cache_state}, status=503
        )
    return JsonResponse({"status": "ready", "cache": cache_state})


def cache_answers():
    """Whether the cache stores and returns a value (a failing cache only misses)."""
    # A key of its own, so that probes running at once never read each other's value.
    key = f"ready-probe:{secrets.token_hex(8)}"
    cache.set(key, True, timeout=10)
    answered = cache.get(key, False)
    cache.delete(key)
    return answered


def not_ready_reason():
    """Why this process should not receive traffic (logged), or None when it is ready."""
    try:
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        elapsed = time.monotonic() - started
        pending = pending_migrations()
        if not pending:
            # Probes read the database every few seconds anyway: keep the
            # moderation queue's gauges current on every pod with them.
            publish_moderation_queue()
    except DatabaseError as error:
        logger.warning("not ready, database unavailable: %s", error)
        readiness_failures.labels(reason="database_unavailable").inc()
        return "database unavailable"
    if elapsed > DATABASE_ANSWER_SECONDS:
        logger.warning("not ready, database answered in %.1f s", elapsed)
        readiness_failures.labels(reason="database_slow").inc()
        return "database too slow"
    if pending:
        logger.warning("not ready, %s migration(s) not applied", len(pending))
        readiness_failures.labels(reason="migrations_pending").inc()
        return f"{len(pending)} migration(s) not applied"
    return None


def pending_migrations():
    """Migrations not yet applied; also exported as django-prometheus's migration gauges."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    unapplied_migrations.labels(connection.alias).set(len(plan))
    applied_migrations.labels(connection.alias).set(len(executor.loader.applied_migrations))
    return plan
