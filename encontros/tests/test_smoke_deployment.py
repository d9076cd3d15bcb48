"""scripts/smoke-deployment.sh, the deploy's last step, against the production
server: it passes when visitors reach the pages and the API under the site's
host name, and fails when they do not, even though /health still answers."""

import subprocess

import pytest

from events.tests.servers import BASE_DIR, gunicorn, manage, production_environment

pytestmark = pytest.mark.delivery

SMOKE = BASE_DIR / "scripts" / "smoke-deployment.sh"
HOST = "encontros.test"


@pytest.fixture(scope="module")
def site(tmp_path_factory, collected_static):
    """gunicorn serving the demo events under HOST only, as ALLOWED_HOSTS says."""
    directory = tmp_path_factory.mktemp("smoke-site")
    environment = production_environment(
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        PROMETHEUS_MULTIPROC_DIR=str(directory / "prometheus"),
        ALLOWED_HOSTS=HOST,
    )
    manage("migrate", "--verbosity", "0", environment=environment)
    manage("seed_demo", environment=environment)
    with gunicorn(environment, workers=1) as server:
        yield server


def smoke(server, host):
    # The load balancer's address is this machine; the name is the site's.
    return subprocess.run(
        [SMOKE, f"http://{host}:{server.port}", "127.0.0.1"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_smoke_test_passes_when_pages_event_and_api_answer_under_the_host(site):
    result = smoke(site, HOST)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   an event page answers (/events/" in result.stdout
    assert "ok   the API answers" in result.stdout


def test_the_smoke_test_fails_when_the_site_refuses_its_host_name(site):
    # The outage /health and /ready alone missed: they answer at any host name.
    assert site.get("/health", headers={"Host": "wrong.test"})[0] == 200

    result = smoke(site, "wrong.test")

    assert result.returncode == 1
    assert "answered 400 (ALLOWED_HOSTS must include wrong.test)" in result.stderr
