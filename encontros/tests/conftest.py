import pytest

from encontros.tests.servers import manage, production_environment


@pytest.fixture(scope="session")
def collected_static():
    """Static files collected with the production storage, as the Docker build does."""
    manage("collectstatic", "--noinput", "--verbosity", "0", environment=production_environment())


@pytest.fixture
def sqlite_site(tmp_path, collected_static):
    """The environment of a production process on a migrated SQLite file of its own."""
    metrics_directory = tmp_path / "prometheus"
    environment = production_environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_directory),
    )
    # Management commands export metrics too: their directory must exist.
    metrics_directory.mkdir()
    manage("migrate", "--verbosity", "0", environment=environment)
    return environment
