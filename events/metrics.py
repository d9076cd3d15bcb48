"""Business metrics, served on the metrics port (encontros/metrics_server.py).

The counters are counted by events.services. The moderation queue's gauges are
read from the database by each readiness check (encontros/health.py): every
pod reports the same, current numbers, whichever worker or replica served the
last check, so dashboards and alerts take their maximum across pods.
"""

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import Counter, Gauge

from .models import Event

events_created = Counter("events_created", "Events created, by channel.", ["channel"])
events_updated = Counter("events_updated", "Events edited, by channel.", ["channel"])
events_status_changed = Counter(
    "events_status_changed",
    "Event status changes, by new status and channel.",
    ["status", "channel"],
)
events_deleted = Counter("events_deleted", "Events deleted, by channel.", ["channel"])

# "livemostrecent": the value the most recent check wrote, among the live workers.
events_pending = Gauge(
    "events_pending",
    "Events waiting for moderation.",
    multiprocess_mode="livemostrecent",
)
events_pending_oldest_age = Gauge(
    "events_pending_oldest_age_seconds",
    "How long the oldest event waiting for moderation has waited (0 when none waits).",
    multiprocess_mode="livemostrecent",
)


def publish_moderation_queue():
    """Read the moderation queue from the database into its gauges."""
    queue = Event.objects.pending().aggregate(count=Count("pk"), oldest=Min("created_at"))
    events_pending.set(queue["count"])
    waited = timezone.now() - queue["oldest"] if queue["oldest"] else None
    events_pending_oldest_age.set(waited.total_seconds() if waited else 0)
