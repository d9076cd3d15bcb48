"""Business counters exported at /metrics, counted by events.services."""

from prometheus_client import Counter

events_created = Counter("events_created", "Events created, by channel.", ["channel"])
events_updated = Counter("events_updated", "Events edited, by channel.", ["channel"])
events_status_changed = Counter(
    "events_status_changed",
    "Event status changes, by new status and channel.",
    ["status", "channel"],
)
events_deleted = Counter("events_deleted", "Events deleted, by channel.", ["channel"])
