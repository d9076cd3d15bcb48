import subprocess

import pytest

from events.tests.servers import (
    BASE_DIR,
    PYTHON,
    manage,
    production_environment,
    throwaway_postgres,
)

pytestmark = pytest.mark.own_servers


def test_two_replicas_migrating_at_once_both_succeed():
    with throwaway_postgres() as database:
        environment = production_environment(DATABASE_URL=database.url)
        migrations = [
            subprocess.Popen(
                [PYTHON, "manage.py", "migrate", "--noinput"],
                cwd=BASE_DIR,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [migration.communicate(timeout=120)[0] for migration in migrations]

        assert [migration.returncode for migration in migrations] == [0, 0], outputs
        plan = manage("showmigrations", "--plan", environment=environment).stdout
        assert "[ ]" not in plan
