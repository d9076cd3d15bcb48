import pytest

from events.tests.servers import manage, production_environment


@pytest.fixture(scope="session")
def sqlite_site(tmp_path_factory, collected_static):
    """The environment of a production process on a migrated SQLite file of its own
    (shared by the tests, which only read it; gunicorn empties the metrics at start)."""
    tmp_path = tmp_path_factory.mktemp("sqlite-site")
    environment = production_environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # Created by gunicorn at start; management commands do without it.
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
    )
    manage("migrate", "--verbosity", "0", environment=environment)
    return environment
