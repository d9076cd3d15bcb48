"""The GitHub Actions workflows: linted offline (actionlint, the workflow JSON
schema, checkov) and holding the CI/CD contract of README.md and
k8s/README.md: CI runs .ci/run, one deploy workflow serves every environment,
and production only gets the image homologation runs."""

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

pytestmark = pytest.mark.delivery

WORKFLOW_FILES = ("ci.yaml", "deploy.yaml", "promote.yaml")
# The Python of the Docker image, python:3.13-slim-bookworm.
DOCKER_PYTHON = "3.13"
# owner/name@v6, @v6.1.0 or a full commit SHA; never a branch.
PINNED_ACTION = re.compile(r"[\w.-]+/[\w.-]+@(v\d+(\.\d+)*|[0-9a-f]{40})")


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


def test_checkov_finds_no_failed_check_in_the_workflows():
    report = run_checkov("--framework", "github_actions", "--directory", ".github")
    assert failed_checks(report) == []
    assert report["summary"]["passed"] > 0


def test_ci_runs_on_pushes_to_main_and_develop_pull_requests_and_by_hand():
    on = load("ci.yaml")["on"]
    assert on["push"]["branches"] == ["main", "develop"]
    assert {"push", "pull_request", "workflow_dispatch"} == on.keys()
    # Only documentation is ignored: any app file change runs the pipeline.
    for trigger in ("push", "pull_request"):
        assert on[trigger]["paths-ignore"] == ["**.md", "LICENSE"]


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


def test_dockerfile_builds_on_the_ci_python_and_passes_checkov():
    bases = re.findall(r"^FROM\s+(\S+)", (REPO_ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert all(base.startswith(f"python:{DOCKER_PYTHON}-") for base in bases), bases
    report = run_checkov("--framework", "dockerfile", "--file", "Dockerfile")
    assert failed_checks(report) == []
    assert report["summary"]["passed"] > 0


def test_the_benchmark_runs_on_the_image_python():
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert re.search(
        rf"^BENCH_PYTHON \?= python{re.escape(DOCKER_PYTHON)}$", makefile, re.MULTILINE
    )


def test_ci_tests_with_exactly_what_ci_run_runs():
    # README: `.ci/run` is what CI runs. The job adds nothing and leaves nothing out.
    job = load("ci.yaml")["jobs"]["test"]
    assert [step["run"] for step in job["steps"] if "run" in step] == [
        'sudo env "PATH=$PATH" bash .ci/run'
    ]
    assert step_using(job, "actions/setup-python")["with"]["python-version"] == DOCKER_PYTHON
    assert "5432:5432" in job["services"]["postgres"]["ports"]
    assert job["timeout-minutes"] >= 90


def deploy_calls():
    """(workflow, job) of every job that calls the deploy workflow."""
    return [
        (name, job)
        for name in WORKFLOW_FILES
        for job in load(name)["jobs"].values()
        if job.get("uses") == "./.github/workflows/deploy.yaml"
    ]


def test_every_deploy_names_an_overlay_of_its_own_namespace():
    declared = load("deploy.yaml")["on"]["workflow_call"]["inputs"]
    required = {name for name, spec in declared.items() if spec["required"]}
    calls = deploy_calls()
    assert calls
    for workflow, job in calls:
        inputs = job["with"]
        assert required <= inputs.keys() <= declared.keys(), workflow
        kustomization = yaml.safe_load(
            (REPO_ROOT / inputs["overlay"] / "kustomization.yaml").read_text()
        )
        assert kustomization["namespace"] == inputs["environment"], workflow
        assert set(job["secrets"]) == {"DIGITALOCEAN_ACCESS_TOKEN", "K8S_CLUSTER_ID"}


def test_ci_deploys_homologation_once_the_image_of_develop_is_pushed():
    [job] = [job for workflow, job in deploy_calls() if workflow == "ci.yaml"]
    assert job["needs"] == "build"
    assert job["if"] == "github.ref == 'refs/heads/develop'"
    assert job["with"]["environment"] == "homologacao"
    assert job["with"]["branch"] == "develop"


def test_only_the_promotion_deploys_production_with_the_image_homologation_runs():
    [(workflow, job)] = [
        (workflow, job)
        for workflow, job in deploy_calls()
        if job["with"]["environment"] == "production"
    ]
    assert workflow == "promote.yaml"
    promote = load("promote.yaml")
    assert promote["on"].keys() == {"workflow_dispatch"}
    verify = promote["jobs"][job["needs"]]
    # The commit of the image homologacao runs, and nothing else.
    assert job["with"]["branch"] == "develop"
    assert job["with"]["commit"] == "${{ needs.verify.outputs.commit }}"
    assert verify["outputs"]["commit"] == "${{ steps.homologacao.outputs.commit }}"
    # Nothing typed by hand: the image is read from homologacao once its rollout is complete.
    assert "inputs" not in (promote["on"]["workflow_dispatch"] or {})
    scripts = run_scripts(verify)
    checks = [
        "kubectl -n homologacao rollout status deployment/encontros-tech",
        "kubectl -n homologacao get deployment encontros-tech",
        "^develop-([0-9a-f]{40})$",
        'echo "commit=${BASH_REMATCH[1]}" >> "$GITHUB_OUTPUT"',
    ]
    positions = [scripts.find(fragment) for fragment in checks]
    assert -1 not in positions and positions == sorted(positions)


def test_deploy_applies_the_overlay_with_the_commit_image_then_smoke_tests_the_site():
    workflow = load("deploy.yaml")
    assert workflow["on"].keys() == {"workflow_call"}
    [job] = workflow["jobs"].values()
    assert job["environment"]["name"] == "${{ inputs.environment }}"
    assert job["concurrency"] == {
        "group": "deploy-${{ inputs.environment }}",
        "cancel-in-progress": False,
    }
    assert job["env"]["IMAGE_TAG"] == "${{ inputs.branch }}-${{ inputs.commit || github.sha }}"
    # The manifests of the commit whose image runs.
    assert step_using(job, "actions/checkout")["with"]["ref"] == "${{ env.COMMIT }}"
    scripts = run_scripts(job)
    expected_in_order = [
        'doctl kubernetes cluster kubeconfig save --expiry-seconds 3600 "$K8S_CLUSTER_ID"',
        'kubectl -n "$NAMESPACE" get secret "${secrets[@]}"',
        'kustomize edit set image "encontros-tech:$IMAGE_TAG"',
        'docker manifest inspect "$image"',
        'kubectl apply -k "$OVERLAY"',
        "--for=condition=complete --timeout=5m job/encontros-tech-migrate",
        "rollout status deployment/encontros-tech --timeout=5m",
        "status.loadBalancer.ingress[0].ip",
        'scripts/smoke-deployment.sh "$scheme://$host" "$ip"',
    ]
    positions = [scripts.find(fragment) for fragment in expected_in_order]
    assert -1 not in positions, dict(zip(expected_in_order, positions, strict=True))
    assert positions == sorted(positions)
    # Basic-auth credentials are masked in the log before anything can print them.
    assert scripts.find("::add-mask::") < scripts.find("scripts/smoke-deployment.sh")


def test_pre_commit_runs_the_linters_of_make_lint_at_their_pinned_versions():
    pinned = dict(
        line.split("==")
        for line in (REPO_ROOT / "requirements" / "dev.txt").read_text().splitlines()
        if "==" in line
    )
    config = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text())
    revisions = {
        repo["repo"].rsplit("/", 1)[-1].removesuffix("-pre-commit").lower(): repo["rev"]
        for repo in config["repos"]
    }
    makefile = (REPO_ROOT / "Makefile").read_text()
    for linter in ("ruff", "djlint", "django-upgrade"):
        assert f"$(BIN)/{linter} " in makefile
        assert revisions[linter].removeprefix("v") == pinned[linter]
