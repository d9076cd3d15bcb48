"""The Kubernetes manifests: both overlays render, validate against the API
schema, pass checkov, and keep the deployment contract (k8s/README.md)."""

import shutil

import kubernetes_validate
import pytest
import yaml

from encontros.tests.delivery_tools import (
    K8S_DIR,
    REPO_ROOT,
    failed_checks,
    render_overlay,
    run_checkov,
)

ENVIRONMENTS = ("homologacao", "production")
# The newest Kubernetes release whose schema kubernetes-validate ships.
KUBERNETES_VERSION = "1.37"
IMAGE = "marcospaulo1991/encontros-tech"
BRANCH_TAG = {"homologacao": "develop", "production": "main"}
APP_UID = 10001

COMMON_ENV = {
    "HOST": "0.0.0.0",
    "PORT": "8000",
    "SERVICE_NAME": "encontros-tech",
    "SERVICE_VERSION": "1.0.0",
    "PROMETHEUS_MULTIPROC_DIR": "/tmp/prometheus_multiproc",
    "WEB_CONCURRENCY": "2",
    "CACHE_URL": "locmemcache://",
}
EXPECTED_ENV = {
    "homologacao": {
        **COMMON_ENV,
        "ENVIRONMENT": "homologacao",
        "APP_TITLE": "Encontros Tech - HOMOLOGAÇÃO",
        "DEBUG": "true",
        "LOG_LEVEL": "DEBUG",
        "LOG_FORMAT": "colored",
        "ALLOWED_HOSTS": "homologacao.encontros.tech",
        "SECURE_SSL": "false",
    },
    "production": {
        **COMMON_ENV,
        "ENVIRONMENT": "production",
        "APP_TITLE": "Encontros Tech",
        "DEBUG": "false",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "simple",
        "ALLOWED_HOSTS": "encontros.tech,www.encontros.tech",
        "SECURE_SSL": "true",
        "CSRF_TRUSTED_ORIGINS": "https://encontros.tech,https://www.encontros.tech",
    },
}
SECRET_ENV = {
    "DATABASE_URL": {"name": "db-credentials", "key": "DATABASE_URL"},
    "SECRET_KEY": {"name": "app-secrets", "key": "SECRET_KEY"},
}
DO_ANNOTATION = "service.beta.kubernetes.io/do-loadbalancer-"
TLS_ANNOTATIONS = {
    DO_ANNOTATION + "tls-ports": "443",
    DO_ANNOTATION + "certificate-name": "encontros-tech",
    DO_ANNOTATION + "redirect-http-to-https": "true",
}


@pytest.fixture(scope="module")
def rendered():
    return {env: render_overlay(K8S_DIR / env) for env in ENVIRONMENTS}


@pytest.fixture(scope="module")
def manifests(rendered):
    return {env: list(yaml.safe_load_all(text)) for env, text in rendered.items()}


def only(objects, kind):
    [found] = [obj for obj in objects if obj["kind"] == kind]
    return found


def kinds(objects):
    return sorted(obj["kind"] for obj in objects)


def pod_spec(objects, kind):
    return only(objects, kind)["spec"]["template"]["spec"]


def container_env(objects, container):
    """(plain values, secret references) the container starts with."""
    config_maps = {
        obj["metadata"]["name"]: obj["data"] for obj in objects if obj["kind"] == "ConfigMap"
    }
    values = {}
    for source in container.get("envFrom", []):
        values.update(config_maps[source["configMapRef"]["name"]])
    secrets = {}
    for var in container.get("env", []):
        if "valueFrom" in var:
            secrets[var["name"]] = var["valueFrom"]["secretKeyRef"]
        else:
            values[var["name"]] = var["value"]
    return values, secrets


def selects(selector, labels):
    return all(labels.get(key) == value for key, value in selector.items())


# Objects of the Prometheus Operator's CRDs, which the Kubernetes API schema
# does not describe: test_monitoring.py validates them against the CRD's schema.
OPERATOR_KINDS = {"PrometheusRule"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_rendered_object_is_valid_for_the_kubernetes_api(manifests, env):
    for obj in manifests[env]:
        if obj["kind"] not in OPERATOR_KINDS:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_the_schema_check_rejects_a_misspelt_field(manifests):
    deployment = only(manifests["production"], "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_each_environment_has_its_objects_in_its_own_namespace(manifests):
    assert kinds(manifests["homologacao"]) == [
        "ConfigMap",
        "ConfigMap",
        "Deployment",
        "Job",
        "NetworkPolicy",
        "PrometheusRule",
        "Service",
    ]
    assert kinds(manifests["production"]) == [
        "ConfigMap",
        "ConfigMap",
        "Deployment",
        "HorizontalPodAutoscaler",
        "Job",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "PrometheusRule",
        "Service",
    ]
    for env in ENVIRONMENTS:
        assert {obj["metadata"]["namespace"] for obj in manifests[env]} == {env}


def test_homologacao_runs_one_replica(manifests):
    assert only(manifests["homologacao"], "Deployment")["spec"]["replicas"] == 1


def test_production_replicas_belong_to_the_autoscaler_from_two_to_six_on_cpu(manifests):
    production = manifests["production"]
    # No count in the Deployment, so a later `kubectl apply` never resets what the HPA chose.
    assert "replicas" not in only(production, "Deployment")["spec"]
    hpa = only(production, "HorizontalPodAutoscaler")["spec"]
    assert hpa["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "encontros-tech",
    }
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 6)
    [metric] = hpa["metrics"]
    assert metric["resource"]["name"] == "cpu"


def test_production_disruptions_leave_a_web_pod_serving(manifests):
    production = manifests["production"]
    pdb = only(production, "PodDisruptionBudget")["spec"]
    assert pdb["minAvailable"] == 1
    pod_labels = only(production, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert selects(pdb["selector"]["matchLabels"], pod_labels)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_deployment_and_service_select_the_web_pods_of_their_environment(manifests, env):
    objects = manifests[env]
    deployment = only(objects, "Deployment")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    expected = {"app": "encontros-tech", "environment": env}
    assert deployment["metadata"]["name"] == "encontros-tech"
    assert expected.items() <= deployment["metadata"]["labels"].items()
    assert expected.items() <= deployment["spec"]["selector"]["matchLabels"].items()
    assert selects(deployment["spec"]["selector"]["matchLabels"], pod_labels)
    service_selector = only(objects, "Service")["spec"]["selector"]
    assert expected.items() <= service_selector.items()
    assert selects(service_selector, pod_labels)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_visitors_never_reach_the_migration_pod(manifests, env):
    objects = manifests[env]
    job_pod_labels = only(objects, "Job")["spec"]["template"]["metadata"]["labels"]
    assert not selects(only(objects, "Service")["spec"]["selector"], job_pod_labels)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_load_balancer_forwards_port_80_to_the_app_on_8000(manifests, env):
    objects = manifests[env]
    service = only(objects, "Service")
    assert service["metadata"]["name"] == "encontros-tech"
    assert service["spec"]["type"] == "LoadBalancer"
    [container] = pod_spec(objects, "Deployment")["containers"]
    container_ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert container_ports == {"http": 8000}
    http = next(port for port in service["spec"]["ports"] if port["port"] == 80)
    assert http["protocol"] == "TCP"
    assert container_ports.get(http["targetPort"], http["targetPort"]) == 8000
    # HTTP at the load balancer, so the visitor's address arrives in X-Forwarded-For.
    assert service["metadata"]["annotations"][DO_ANNOTATION + "protocol"] == "http"


def test_production_load_balancer_terminates_tls_and_redirects_http(manifests):
    service = only(manifests["production"], "Service")
    assert TLS_ANNOTATIONS.items() <= service["metadata"]["annotations"].items()
    https = next(port for port in service["spec"]["ports"] if port["port"] == 443)
    assert https["targetPort"] == "http"


def test_homologacao_serves_plain_http(manifests):
    service = only(manifests["homologacao"], "Service")
    assert not TLS_ANNOTATIONS.keys() & service["metadata"]["annotations"].keys()
    assert [port["port"] for port in service["spec"]["ports"]] == [80]


def test_production_serves_plain_http_on_the_ip_without_the_https_component(tmp_path):
    # The documented switch for running without a domain: drop the component.
    shutil.copytree(K8S_DIR, tmp_path / "k8s")
    kustomization = tmp_path / "k8s" / "production" / "kustomization.yaml"
    text = kustomization.read_text()
    assert "\n  - https\n" in text
    kustomization.write_text(text.replace("\n  - https\n", "\n"))

    objects = list(yaml.safe_load_all(render_overlay(kustomization.parent)))

    service = only(objects, "Service")
    assert not TLS_ANNOTATIONS.keys() & service["metadata"]["annotations"].keys()
    assert [port["port"] for port in service["spec"]["ports"]] == [80]
    [container] = pod_spec(objects, "Deployment")["containers"]
    values, _ = container_env(objects, container)
    assert values["SECURE_SSL"] == "false"
    assert "CSRF_TRUSTED_ORIGINS" not in values


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_pods_get_the_environment_variables_of_their_environment(manifests, env, kind):
    objects = manifests[env]
    [container] = pod_spec(objects, kind)["containers"]
    values, secrets = container_env(objects, container)
    assert values == EXPECTED_ENV[env]
    assert secrets == SECRET_ENV


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_secret_is_written_in_the_manifests(manifests, env):
    for obj in manifests[env]:
        assert obj["kind"] != "Secret"
        assert not SECRET_ENV.keys() & obj.get("data", {}).keys()


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_probes_use_health_for_liveness_and_ready_for_readiness(manifests, env):
    [container] = pod_spec(manifests[env], "Deployment")["containers"]
    assert container["startupProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    startup = container["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 60


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_pods_always_pull_the_image_of_their_branch(manifests, env):
    for kind in ("Deployment", "Job"):
        [container] = pod_spec(manifests[env], kind)["containers"]
        assert container["image"] == f"{IMAGE}:{BRANCH_TAG[env]}"
        assert container["imagePullPolicy"] == "Always"


def test_the_docker_hub_repository_is_named_in_one_file():
    files_naming_it = [
        path.relative_to(REPO_ROOT).as_posix()
        for directory in (K8S_DIR, REPO_ROOT / ".github")
        for path in directory.rglob("*")
        if path.is_file() and path.suffix == ".yaml" and IMAGE in path.read_text()
    ]
    assert files_naming_it == ["k8s/image/docker-hub.yaml"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_pods_run_unprivileged_on_a_read_only_file_system(manifests, env, kind):
    spec = pod_spec(manifests[env], kind)
    assert spec["automountServiceAccountToken"] is False
    assert spec["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": APP_UID,
        "runAsGroup": APP_UID,
        "fsGroup": APP_UID,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    [container] = spec["containers"]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert {"requests", "limits"} <= container["resources"].keys()
    # The only writable places are in memory, the metrics directory among them.
    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
    assert set(mounts) == {"/tmp", EXPECTED_ENV[env]["PROMETHEUS_MULTIPROC_DIR"]}
    for name in mounts.values():
        assert volumes[name]["emptyDir"]["medium"] == "Memory"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_shutdown_lets_gunicorn_finish_its_requests(manifests, env):
    gunicorn_graceful_timeout = 30
    spec = pod_spec(manifests[env], "Deployment")
    [container] = spec["containers"]
    command = container["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    pause = int(command[1])
    assert pause > 0
    assert spec["terminationGracePeriodSeconds"] > pause + gunicorn_graceful_timeout


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_rolling_update_never_drops_below_the_desired_replicas(manifests, env):
    strategy = only(manifests[env], "Deployment")["spec"]["strategy"]
    assert strategy["type"] == "RollingUpdate"
    assert strategy["rollingUpdate"]["maxUnavailable"] == 0
    assert strategy["rollingUpdate"]["maxSurge"] >= 1


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_migrations_run_once_in_a_single_pod(manifests, env):
    job = only(manifests[env], "Job")["spec"]
    assert job.get("parallelism", 1) == 1
    assert job.get("completions", 1) == 1
    assert job["template"]["spec"]["restartPolicy"] == "Never"
    [container] = job["template"]["spec"]["containers"]
    assert container["command"] == ["python", "manage.py", "migrate", "--noinput"]


def test_prometheus_scrapes_the_production_pods(manifests):
    production_pod = only(manifests["production"], "Deployment")["spec"]["template"]["metadata"]
    assert production_pod["annotations"] == {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "8000",
        "prometheus.io/path": "/metrics",
    }
    homologacao_pod = only(manifests["homologacao"], "Deployment")["spec"]["template"]["metadata"]
    assert "annotations" not in homologacao_pod


def test_checkov_finds_no_failed_check_in_the_rendered_manifests(rendered, tmp_path):
    # The rendered overlays are what reaches the cluster; the base alone has
    # neither a namespace nor an image tag.
    for env, text in rendered.items():
        (tmp_path / f"{env}.yaml").write_text(text)

    report = run_checkov("--framework", "kubernetes", "--directory", str(tmp_path))

    assert failed_checks(report) == []
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] > 0


def test_every_checkov_skip_says_why():
    for path in K8S_DIR.rglob("*.yaml"):
        for line in path.read_text().splitlines():
            if "checkov.io/skip" in line:
                check, _, reason = line.split(":", 1)[1].strip().partition("=")
                assert check.startswith("CKV") and len(reason) > 20, f"{path}: {line}"
