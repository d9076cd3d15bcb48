"""Configuration from the environment, checked in fresh processes as production starts them."""

import subprocess

import pytest

from events.tests.servers import (
    BASE_DIR,
    GUNICORN,
    PYTHON,
    manage,
    production_environment,
    throwaway_redis,
)

START_COMMANDS = {
    "manage.py": [PYTHON, "manage.py", "check"],
    "gunicorn": [GUNICORN, "-c", "gunicorn.conf.py", "--check-config", "encontros.wsgi"],
    "wsgi": [PYTHON, "-c", "import encontros.wsgi"],
}


def start(command, **variables):
    return subprocess.run(
        START_COMMANDS[command],
        cwd=BASE_DIR,
        env=production_environment(**variables),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("command", START_COMMANDS)
@pytest.mark.parametrize("variable", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_required_variable_in_one_line(command, variable):
    result = start(command, **{variable: ""})

    assert result.returncode != 0
    assert result.stderr.strip() == (
        f"Configuration error: {variable} is not set; it is required when DEBUG is false."
    )


@pytest.mark.parametrize("command", START_COMMANDS)
def test_production_starts_with_its_required_variables(command):
    result = start(command)
    assert result.returncode == 0, result.stderr


def test_development_needs_no_secret_key_nor_allowed_hosts():
    assert start("manage.py", DEBUG="true", SECRET_KEY="", ALLOWED_HOSTS="").returncode == 0


def test_an_unknown_log_format_is_refused_in_one_line():
    result = start("manage.py", LOG_FORMAT="xml")
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "Configuration error: LOG_FORMAT must be one of colored, simple, json, not 'xml'."
    )


def test_deploy_checks_pass_with_https_on():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        environment=production_environment(SECURE_SSL="true"),
    )
    assert "no issues" in result.stdout


def test_deploy_checks_warn_with_https_off():
    with pytest.raises(subprocess.CalledProcessError) as failure:
        manage("check", "--deploy", "--fail-level", "WARNING", environment=production_environment())
    assert "SECURE_SSL_REDIRECT" in failure.value.stderr


def test_processes_share_the_cache_when_cache_url_is_redis():
    # What makes rate limits hold across gunicorn workers and replicas.
    with throwaway_redis() as redis_url:
        environment = production_environment(CACHE_URL=redis_url)
        write = "from django.core.cache import cache; cache.set('visits', 41)"
        read = "from django.core.cache import cache; print(cache.incr('visits'))"
        manage("shell", "-c", write, environment=environment)
        assert manage("shell", "-c", read, environment=environment).stdout.splitlines()[-1] == "42"
