"""How long /health takes while every gunicorn worker waits for a hung database.

Runs gunicorn (2 workers) on a throw-away PostgreSQL, freezes the database
(SIGSTOP), keeps every worker busy with /ready requests, and times /health on
the public port (liveness before the metrics port existed) and on the metrics
port (served by gunicorn's master). Loopback only; stops everything it started.

    DEBUG=true .venv/bin/python scripts/benchmark_health_under_hung_database.py
"""

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "encontros.settings")

from events.tests.servers import (  # noqa: E402
    get,
    gunicorn,
    manage,
    production_environment,
    throwaway_postgres,
)

WORKERS = 2
SAMPLES = 5


def timed_get(url, timeout):
    started = time.monotonic()
    try:
        status = get(url, timeout=timeout)[0]
    except OSError as error:
        status = type(error).__name__
    return status, time.monotonic() - started


def ask_readiness(server):
    try:
        server.get("/ready", timeout=120)
    except OSError:
        pass


def main():
    with throwaway_postgres() as database, tempfile.TemporaryDirectory() as metrics_dir:
        environment = production_environment(
            DATABASE_URL=database.url, PROMETHEUS_MULTIPROC_DIR=metrics_dir
        )
        manage("migrate", "--verbosity", "0", environment=environment)
        with gunicorn(environment, workers=WORKERS) as server:
            server.get("/ready")
            with database.hung():
                waiting = [
                    threading.Thread(target=ask_readiness, args=(server,), daemon=True)
                    for _ in range(10 * WORKERS)
                ]
                for request in waiting:
                    request.start()
                time.sleep(1)
                for _ in range(SAMPLES):
                    status, seconds = timed_get(f"{server.metrics_url}/health", timeout=10)
                    print(f"metrics port /health: {status} in {seconds * 1000:.1f} ms")
                status, seconds = timed_get(f"{server.url}/health", timeout=90)
                print(f"public port /health: {status} in {seconds:.1f} s")


if __name__ == "__main__":
    main()
