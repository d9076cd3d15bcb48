import pytest
from django.db import connection

from encontros.metrics import publish_app_info
from events import services
from events.tests.factories import EventFactory
from events.tests.servers import metric_value

pytestmark = pytest.mark.django_db


@pytest.fixture
def metrics(client):
    def read(name, **labels):
        return metric_value(client.get("/metrics").content.decode(), name, **labels)

    return read


def test_app_info_names_service_version_and_environment(client):
    text = client.get("/metrics").content.decode()
    assert (
        'app_info{environment="development",service="encontros-tech",version="1.0.0"} 1.0' in text
    )


def test_app_info_names_the_environment_of_the_deployment(client, settings):
    settings.ENVIRONMENT = "homologacao"
    publish_app_info()
    text = client.get("/metrics").content.decode()
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
