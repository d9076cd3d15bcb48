import subprocess
import time

import psycopg
import pytest

from encontros.management.commands.migrate import MIGRATION_LOCK
from events.tests.servers import (
    BASE_DIR,
    PYTHON,
    manage,
    production_environment,
    throwaway_postgres,
)

pytestmark = pytest.mark.own_servers


def start_migrating(environment):
    """`manage.py migrate` in a process of its own, as a replica's start runs it."""
    return subprocess.Popen(
        [PYTHON, "manage.py", "migrate", "--noinput"],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def assert_no_migration_pending(environment):
    plan = manage("showmigrations", "--plan", environment=environment).stdout
    assert "[ ]" not in plan


def test_two_replicas_migrating_at_once_both_succeed():
    with throwaway_postgres() as database:
        environment = production_environment(DATABASE_URL=database.url)
        migrations = [start_migrating(environment) for _ in range(2)]
        outputs = [migration.communicate(timeout=120)[0] for migration in migrations]

        assert [migration.returncode for migration in migrations] == [0, 0], outputs
        assert_no_migration_pending(environment)


def test_a_replica_waits_for_another_s_migration_longer_than_the_database_bounds():
    with throwaway_postgres() as database:
        # Statements and lock waits of requests are bounded to 1 s here.
        environment = production_environment(
            DATABASE_URL=database.url, DATABASE_STATEMENT_TIMEOUT="1", DATABASE_LOCK_TIMEOUT="1"
        )
        with psycopg.connect(database.url, autocommit=True) as other_replica:
            # Another replica migrating: it holds the migration lock for 4 s.
            other_replica.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
            migration = start_migrating(environment)
            time.sleep(4)
            waited = migration.poll() is None
            other_replica.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])
        output = migration.communicate(timeout=120)[0]

        assert waited, output
        assert migration.returncode == 0, output
        assert_no_migration_pending(environment)
