import pytest

from encontros.tests.servers import manage, production_environment


@pytest.fixture(scope="session")
def collected_static():
    """Static files collected with the production storage, as the Docker build does."""
    manage("collectstatic", "--noinput", "--verbosity", "0", environment=production_environment())


@pytest.fixture
def sqlite_site(tmp_path, collected_static):
    """The environment of a production process on a migrated SQLite file of its own."""
    environment = production_environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # Created by gunicorn at start; management commands do without it.
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
    )
    manage("migrate", "--verbosity", "0", environment=environment)
    return environment
