"""`make bench` keeps working: one run at a tiny size, for one second per URL.

Timings are not checked here (shared machines are noisy); docs/performance.md
holds the measured runs.
"""

import subprocess
import sys

import pytest
from django.conf import settings

from events.tests.helpers import require_executable

pytestmark = pytest.mark.own_servers


def test_the_benchmark_runs_and_prints_its_tables(tmp_path, collected_static):
    require_executable("wrk")
    require_executable("redis-server")
    result = subprocess.run(
        [
            sys.executable,
            "scripts/bench.py",
            "--events",
            "20",
            "--seconds",
            "1",
            "--repeat",
            "2",
            "--database-url",
            f"sqlite:///{tmp_path / 'bench.sqlite3'}",
            "--only",
            "/",
            "API list",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    for heading in ["### Cache on (warm)", "### Cache bypassed", "### In process"]:
        assert heading in result.stdout
    assert "| API list |" in result.stdout
    assert "worker RSS after the run" in result.stdout
