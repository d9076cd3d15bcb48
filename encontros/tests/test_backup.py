"""The database backup (k8s/components/backup) and its restore
(scripts/restore-database.sh), round-tripped on a real PostgreSQL: the dump is
made by the very command the CronJob runs, the restore goes into a fresh
database, and every table comes back with the same rows."""

import os
import shlex
import subprocess
import urllib.parse
from pathlib import Path

import psycopg
import pytest
import yaml
from psycopg import sql

from encontros.tests.delivery_tools import K8S_DIR, REPO_ROOT, render_overlay
from events.tests.servers import manage, production_environment, throwaway_postgres

pytestmark = pytest.mark.delivery

BACKUP_DIR = K8S_DIR / "components" / "backup"
RESTORE = REPO_ROOT / "scripts" / "restore-database.sh"
# Everything a URL must percent-encode, and more than ASCII.
PASSWORD = "p@ss:w/rd%?#&=+ çã"
ROLE = "encontros_app"


@pytest.fixture(scope="module")
def backup_cronjobs():
    return {
        env: next(
            obj
            for obj in yaml.safe_load_all(render_overlay(K8S_DIR / env))
            if obj["kind"] == "CronJob"
        )
        for env in ("homologacao", "production")
    }


def job_pod(cronjob):
    return cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def mounted_scripts(cronjob):
    """The container path of the scripts volume, and the ConfigMap it mounts."""
    pod = job_pod(cronjob)
    [volume] = [v for v in pod["volumes"] if "configMap" in v]
    [mount] = {
        m["mountPath"]
        for container in pod["initContainers"] + pod["containers"]
        for m in container["volumeMounts"]
        if m["name"] == volume["name"]
    }
    return mount, volume["configMap"]["name"]


def test_the_cronjob_runs_the_scripts_kept_in_the_repository(backup_cronjobs):
    env, cronjob = "production", backup_cronjobs["production"]
    mount, config_map_name = mounted_scripts(cronjob)
    [config_map] = [
        obj
        for obj in yaml.safe_load_all(render_overlay(K8S_DIR / env))
        if obj["kind"] == "ConfigMap" and obj["metadata"]["name"] == config_map_name
    ]
    for name, text in config_map["data"].items():
        assert text == (BACKUP_DIR / name).read_text()
    [dump] = job_pod(cronjob)["initContainers"]
    [upload] = job_pod(cronjob)["containers"]
    assert dump["command"][1] == f"{mount}/dump-database.sh"
    assert upload["command"][1] == f"{mount}/upload-backup.sh"
    # The upload starts only once the dump has finished, on the same volume.
    assert dump["command"][2] == upload["command"][2]


@pytest.mark.parametrize("env", ["homologacao", "production"])
def test_backups_never_overlap_and_keep_a_whole_number_of_days(backup_cronjobs, env):
    cronjob = backup_cronjobs[env]
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    [upload] = job_pod(cronjob)["containers"]
    values = {v["name"]: v.get("value") for v in upload["env"]}
    assert int(values["BACKUP_RETENTION_DAYS"]) >= 1


@pytest.mark.parametrize("env", ["homologacao", "production"])
def test_no_credential_reaches_a_command_line(backup_cronjobs, env):
    pod = job_pod(backup_cronjobs[env])
    for container in pod["initContainers"] + pod["containers"]:
        secret_variables = {
            v["name"] for v in container["env"] if "secretKeyRef" in v.get("valueFrom", {})
        }
        command_line = " ".join(container.get("command", []) + container.get("args", []))
        assert "$(" not in command_line
        assert not any(name in command_line for name in secret_variables)
    [dump] = pod["initContainers"]
    assert {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {
        "name": "db-credentials", "key": "DATABASE_URL"}}} in dump["env"]  # fmt: skip


def test_the_upload_refuses_a_retention_that_would_delete_the_new_dump(tmp_path):
    # A stand-in for rclone that records its calls: nothing may reach the storage.
    calls = tmp_path / "calls"
    fake = tmp_path / "bin" / "rclone"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    fake.chmod(0o755)
    environment = {
        "PATH": f"{fake.parent}:{os.environ['PATH']}",
        "S3_BUCKET": "bucket",
        "BACKUP_PREFIX": "production",
    }
    for retention in ("0", "", "7d", "-1"):
        result = subprocess.run(
            ["sh", BACKUP_DIR / "upload-backup.sh", tmp_path],
            env={**environment, "BACKUP_RETENTION_DAYS": retention},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 1, retention
        assert not calls.exists()

    subprocess.run(
        ["sh", BACKUP_DIR / "upload-backup.sh", tmp_path],
        env={**environment, "BACKUP_RETENTION_DAYS": "30"},
        check=True,
    )
    assert calls.read_text().splitlines() == [
        f"copy --verbose {tmp_path} backup:bucket/production",
        "delete --verbose --min-age 30d backup:bucket/production",
    ]


# --- the round trip on PostgreSQL ----------------------------------------------------


@pytest.fixture
def postgres_with_password():
    """A throw-away PostgreSQL where the app's role must give its password."""
    with throwaway_postgres() as server:
        with psycopg.connect(server.url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(ROLE), sql.Literal(PASSWORD)
                )
            )
            admin.execute(f"CREATE DATABASE source OWNER {ROLE}")
            admin.execute(f"CREATE DATABASE restored OWNER {ROLE}")
            hba = Path(admin.execute("SHOW hba_file").fetchone()[0])
        # Passwords over TCP for the app's role, as on a managed database.
        hba.write_text(f"host all {ROLE} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        server._run(server.pg_ctl, "reload", "-D", str(server.data))
        yield server


def role_url(server, database):
    password = urllib.parse.quote(PASSWORD, safe="")
    return f"postgres://{ROLE}:{password}@127.0.0.1:{server.port}/{database}?sslmode=disable"


def table_contents(url):
    """{table: all its rows in primary-key order} of the public schema."""
    with psycopg.connect(url) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: connection.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
            for table in tables
        }


def test_a_dump_made_like_the_cronjob_restores_every_row_into_a_fresh_database(
    postgres_with_password, backup_cronjobs, tmp_path
):
    server = postgres_with_password
    source = role_url(server, "source")
    environment = production_environment(DATABASE_URL=source)
    manage("migrate", "--verbosity", "0", environment=environment)
    manage("seed_demo", environment=environment)
    before = table_contents(source)
    assert len(before["events_event"]) >= 10

    # pg_dump behind a stand-in that records how it was called.
    recorded = tmp_path / "pg_dump-arguments"
    shim = tmp_path / "bin" / "pg_dump"
    shim.parent.mkdir()
    shim.write_text(
        f'#!/bin/sh\necho "$@" > {recorded}\nPATH={shlex.quote(os.environ["PATH"])} '
        'exec pg_dump "$@"\n'
    )
    shim.chmod(0o755)
    [dump_container] = job_pod(backup_cronjobs["production"])["initContainers"]
    mount, _ = mounted_scripts(backup_cronjobs["production"])
    interpreter, script, _ = dump_container["command"]
    dumps = tmp_path / "backup"
    dumps.mkdir()
    subprocess.run(
        [interpreter, script.replace(mount, str(BACKUP_DIR)), dumps],
        env={"PATH": f"{shim.parent}:{os.environ['PATH']}", "DATABASE_URL": source},
        check=True,
        capture_output=True,
    )
    [dump] = dumps.iterdir()
    assert dump.suffix == ".dump"
    # The password went through the environment: not even encoded on the command line.
    arguments = recorded.read_text()
    assert "--format=custom" in arguments
    assert urllib.parse.quote(PASSWORD, safe="") not in arguments
    assert "@127.0.0.1" in arguments

    target = {
        "PATH": os.environ["PATH"],
        "PGHOST": "127.0.0.1",
        "PGPORT": str(server.port),
        "PGUSER": ROLE,
        "PGPASSWORD": PASSWORD,
        "PGDATABASE": "restored",
    }
    restore = subprocess.run(
        [RESTORE, dump], env=target, capture_output=True, text=True, check=True
    )
    assert "restored" in restore.stdout

    after = table_contents(role_url(server, "restored"))
    assert {table: len(rows) for table, rows in after.items()} == {
        table: len(rows) for table, rows in before.items()
    }
    assert after == before

    # A second restore into the now filled database is refused and changes nothing.
    again = subprocess.run([RESTORE, dump], env=target, capture_output=True, text=True)
    assert again.returncode == 1
    assert "new, empty database" in again.stderr
    assert table_contents(role_url(server, "restored")) == before
