from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from prometheus_client import generate_latest

from encontros.metrics import publish_app_info
from encontros.metrics_server import metrics_registry
from events import services
from events.models import Event
from events.tests.factories import EventFactory
from events.tests.servers import metric_value

pytestmark = pytest.mark.django_db


def metrics_text():
    """What the metrics port serves, read in this process."""
    return generate_latest(metrics_registry()).decode()


@pytest.fixture
def metrics():
    def read(name, **labels):
        return metric_value(metrics_text(), name, **labels)

    return read


def test_app_info_names_service_version_and_environment():
    text = metrics_text()
    assert (
        'app_info{environment="development",service="encontros-tech",version="1.0.0"} 1.0' in text
    )


def test_app_info_names_the_environment_of_the_deployment(settings):
    settings.ENVIRONMENT = "homologacao"
    publish_app_info()
    text = metrics_text()
    assert 'app_info{environment="homologacao",service="encontros-tech",version="1.0.0"} 1.0' in (
        text
    )


@pytest.mark.parametrize("channel", [services.Channel.WEB, services.Channel.API])
def test_events_created_are_counted_by_channel(metrics, channel):
    before = {c: metrics("events_created_total", channel=c) for c in ("web", "api")}

    services.event_create(event=EventFactory.build(slug=""), channel=channel)

    after = {c: metrics("events_created_total", channel=c) for c in ("web", "api")}
    assert {c: after[c] - before[c] for c in after} == {c: int(c == channel) for c in after}


def test_cancellations_and_deletions_are_counted(metrics, event):
    cancelled = metrics("events_status_changed_total", status="cancelled", channel="web")
    deleted = metrics("events_deleted_total", channel="admin")

    services.event_cancel(event=event, channel=services.Channel.WEB)
    services.event_delete(event=event, channel=services.Channel.ADMIN)

    assert (
        metrics("events_status_changed_total", status="cancelled", channel="web") == cancelled + 1
    )
    assert metrics("events_deleted_total", channel="admin") == deleted + 1


def test_a_status_changed_with_other_fields_counts_as_a_status_change(metrics, event):
    cancelled = metrics("events_status_changed_total", status="cancelled", channel="api")
    updated = metrics("events_updated_total", channel="api")

    services.event_update(event=event, channel=services.Channel.API, changes={"title": "Renamed"})
    services.event_update(
        event=event,
        channel=services.Channel.API,
        changes={"title": "Called off", "status": Event.Status.CANCELLED},
    )

    assert metrics("events_status_changed_total", status="cancelled", channel="api") == (
        cancelled + 1
    )
    assert metrics("events_updated_total", channel="api") == updated + 2


def test_event_model_operations_are_counted(metrics):
    inserts = metrics("django_model_inserts_total", model="event")
    EventFactory.create_batch(3)
    assert metrics("django_model_inserts_total", model="event") == inserts + 3


def test_database_queries_are_counted(metrics):
    queries = metrics("django_db_execute_total", alias="default", vendor=connection.vendor)
    EventFactory()
    assert metrics("django_db_execute_total", alias="default", vendor=connection.vendor) > queries


def test_readiness_exports_the_migration_gauges(client, metrics):
    client.get("/ready")
    assert metrics("django_migrations_unapplied_total", connection="default") == 0
    assert metrics("django_migrations_applied_total", connection="default") > 0


def test_readiness_publishes_the_moderation_queue(client, metrics):
    assert client.get("/ready").status_code == 200
    assert metrics("events_pending") == 0
    assert metrics("events_pending_oldest_age_seconds") == 0

    oldest, _newer = EventFactory.create_batch(2, status=Event.Status.PENDING)
    EventFactory(status=Event.Status.PUBLISHED)
    Event.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - timedelta(hours=3))
    assert client.get("/ready").status_code == 200

    assert metrics("events_pending") == 2
    assert 3 * 3600 <= metrics("events_pending_oldest_age_seconds") < 3 * 3600 + 60


def test_readiness_failures_are_counted_by_reason(client, metrics):
    failures = metrics("readiness_failures_total", reason="migrations_pending")
    MigrationRecorder(connection).migration_qs.filter(app="events").order_by("-name")[0].delete()

    assert client.get("/ready").status_code == 503

    assert metrics("readiness_failures_total", reason="migrations_pending") == failures + 1
