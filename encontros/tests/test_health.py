import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

pytestmark = pytest.mark.django_db

POD_IP = "10.244.0.17"


def test_health_answers_ok_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_when_the_database_answers_and_is_migrated(client):
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "cache": "ok"}


def test_not_ready_while_a_migration_is_pending(client):
    MigrationRecorder(connection).migration_qs.filter(app="events").order_by("-name")[0].delete()

    response = client.get("/ready")

    assert response.status_code == 503
    assert response.json() == {
        "status": "not ready",
        "reason": "1 migration(s) not applied",
        "cache": "ok",
    }


@pytest.mark.parametrize("path", ["/health", "/ready"])
def test_probes_answer_at_the_pod_ip_whatever_allowed_hosts_says(client, settings, path):
    settings.ALLOWED_HOSTS = ["encontros.tech"]
    assert client.get(path, HTTP_HOST=POD_IP).status_code == 200


@pytest.mark.parametrize("path", ["/", "/events/past/", "/admin/login/", "/health/", "/metrics"])
def test_other_urls_refuse_a_host_not_allowed(client, settings, path):
    settings.ALLOWED_HOSTS = ["encontros.tech"]
    assert client.get(path, HTTP_HOST=POD_IP).status_code == 400


@pytest.mark.parametrize("path", ["/health", "/ready"])
def test_probes_are_never_redirected_to_https(client, settings, path):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(path, HTTP_HOST=POD_IP).status_code == 200


def test_pages_are_redirected_to_https_when_ssl_is_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/", HTTP_HOST="localhost")
    assert response.status_code == 301
    assert response["Location"] == "https://localhost/"


def test_the_public_port_never_serves_metrics(client):
    # They are served on the metrics port only (encontros/metrics_server.py).
    assert client.get("/metrics").status_code == 404
