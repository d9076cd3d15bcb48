"""The Kubernetes manifests: both overlays render, validate strictly against
the API schema, pass checkov, and keep the promises of k8s/README.md. The
tests assert rules that hold whatever the overlays' values are: secrets only
by reference, probes, unprivileged pods, and environment differences only in
the overlays."""

import re
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

pytestmark = pytest.mark.delivery

ENVIRONMENTS = ("homologacao", "production")
# The newest Kubernetes release whose schema kubernetes-validate ships.
KUBERNETES_VERSION = "1.37"
APP_WORKLOADS = {
    "Deployment": "encontros-tech",
    "Job": "encontros-tech-migrate",
    "CronJob": "encontros-tech-notify-moderators",
}
# Variables that carry a credential: they may only come from a Secret.
SECRET_VARIABLES = {
    "DATABASE_URL",
    "SECRET_KEY",
    "CACHE_URL",
    "EMAIL_URL",
    "BASIC_AUTH_USERNAME",
    "BASIC_AUTH_PASSWORD",
    "RCLONE_CONFIG_BACKUP_ACCESS_KEY_ID",
    "RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY",
}
TLS_PORTS_ANNOTATION = "service.beta.kubernetes.io/do-loadbalancer-tls-ports"


@pytest.fixture(scope="module")
def rendered():
    return {env: render_overlay(K8S_DIR / env) for env in ENVIRONMENTS}


@pytest.fixture(scope="module")
def manifests(rendered):
    return {env: list(yaml.safe_load_all(text)) for env, text in rendered.items()}


def only(objects, kind, name=None):
    [found] = [
        obj for obj in objects if obj["kind"] == kind and name in (None, obj["metadata"]["name"])
    ]
    return found


def pod_template(workload):
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]


def workloads(objects):
    return [obj for obj in objects if obj["kind"] in ("Deployment", "Job", "CronJob")]


def app_pod(objects, kind):
    return pod_template(only(objects, kind, APP_WORKLOADS[kind]))["spec"]


def app_container(objects, kind):
    [container] = app_pod(objects, kind)["containers"]
    return container


def all_containers(pod_spec):
    return pod_spec.get("initContainers", []) + pod_spec["containers"]


def config_values(objects, container):
    """The plain values a container gets from its ConfigMaps and literal `env`."""
    config_maps = {
        obj["metadata"]["name"]: obj["data"] for obj in objects if obj["kind"] == "ConfigMap"
    }
    values = {}
    for source in container.get("envFrom", []):
        values.update(config_maps[source["configMapRef"]["name"]])
    for variable in container.get("env", []):
        if "value" in variable:
            values[variable["name"]] = variable["value"]
    return values


def secret_references(container):
    return {
        variable["name"]: variable["valueFrom"]["secretKeyRef"]
        for variable in container.get("env", [])
        if "secretKeyRef" in variable.get("valueFrom", {})
    }


def selects(selector, labels):
    return all(labels.get(key) == value for key, value in selector.items())


def service_selecting(objects, pod_labels):
    return [
        obj["metadata"]["name"]
        for obj in objects
        if obj["kind"] == "Service" and selects(obj["spec"]["selector"], pod_labels)
    ]


def named_port(container, name):
    [port] = [port["containerPort"] for port in container["ports"] if port["name"] == name]
    return port


# --- validity ------------------------------------------------------------------


# Objects of the Prometheus Operator's CRDs, which the Kubernetes API schema
# does not describe: test_monitoring.py validates them against the CRD's schema.
OPERATOR_KINDS = {"PrometheusRule"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_rendered_object_is_valid_for_the_kubernetes_api(manifests, env):
    for obj in manifests[env]:
        if obj["kind"] not in OPERATOR_KINDS:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


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


# --- environments ----------------------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_lives_in_the_namespace_of_its_name(manifests, env):
    for obj in manifests[env]:
        assert obj["metadata"]["namespace"] == env
        assert obj["metadata"]["labels"]["environment"] == env


def test_environments_differ_only_in_their_own_folders():
    # Outside the overlays (and a component's per-environment folders), no
    # manifest or script names an environment, comments aside.
    for path in K8S_DIR.rglob("*"):
        parts = set(path.relative_to(K8S_DIR).parts[:-1])
        if path.suffix in (".yaml", ".sh") and not parts & set(ENVIRONMENTS):
            code = re.sub(r"(^|\s)#.*", "", path.read_text())
            for env in ENVIRONMENTS:
                assert not re.search(rf"\b{env}\b", code), f"{path} names {env}"


def test_the_docker_hub_repository_is_named_in_one_file():
    image = yaml.safe_load((K8S_DIR / "image" / "docker-hub.yaml").read_text())
    repository = image["imageTag"]["newName"]
    files_naming_it = [
        path.relative_to(REPO_ROOT).as_posix()
        for directory in (K8S_DIR, REPO_ROOT / ".github")
        for path in directory.rglob("*")
        if path.is_file() and path.suffix == ".yaml" and repository in path.read_text()
    ]
    assert files_naming_it == ["k8s/image/docker-hub.yaml"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_web_and_migration_pods_always_pull_the_same_image_of_the_repository(manifests, env):
    repository = yaml.safe_load((K8S_DIR / "image" / "docker-hub.yaml").read_text())
    images = set()
    for kind in APP_WORKLOADS:
        container = app_container(manifests[env], kind)
        assert container["imagePullPolicy"] == "Always"
        images.add(container["image"])
    [image] = images
    assert image.startswith(repository["imageTag"]["newName"] + ":")


# --- one pod definition for the web and the migration -----------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("kind", ["Job", "CronJob"])
def test_the_migration_and_digest_pods_run_with_the_settings_security_and_volumes_of_the_web_pods(
    manifests, env, kind
):
    web_pod, twin_pod = app_pod(manifests[env], "Deployment"), app_pod(manifests[env], kind)
    for key in ("securityContext", "volumes", "automountServiceAccountToken"):
        assert twin_pod[key] == web_pod[key]
    web, twin = app_container(manifests[env], "Deployment"), app_container(manifests[env], kind)
    for key in ("image", "envFrom", "securityContext", "volumeMounts"):
        assert twin[key] == web[key]
    # The web pods may get more (homologation's basic auth), never less; the
    # migration pod only lifts the statement bound (the next test).
    assert all(
        variable in web["env"]
        for variable in twin["env"]
        if variable["name"] != "DATABASE_STATEMENT_TIMEOUT"
    )
    assert "DATABASE_URL" in secret_references(twin)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_moderators_digest_runs_every_few_minutes_one_at_a_time(manifests, env):
    cronjob = only(manifests[env], "CronJob", APP_WORKLOADS["CronJob"])
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    assert app_container(manifests[env], "CronJob")["command"][-1] == "notify_moderators"
    minutes = cronjob["spec"]["schedule"].split()[0]
    assert minutes.startswith("*/") and int(minutes[2:]) <= 10
    # A run never outlives the interval, so runs never pile up.
    job = cronjob["spec"]["jobTemplate"]["spec"]
    assert job["activeDeadlineSeconds"] < int(minutes[2:]) * 60


# --- secrets ---------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_secret_is_written_in_the_manifests(manifests, env):
    for obj in manifests[env]:
        assert obj["kind"] != "Secret"
        assert not SECRET_VARIABLES & obj.get("data", {}).keys()
    for workload in workloads(manifests[env]):
        for container in all_containers(pod_template(workload)["spec"]):
            plain = config_values(manifests[env], container)
            assert not SECRET_VARIABLES & plain.keys(), workload["metadata"]["name"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("kind", APP_WORKLOADS)
def test_the_app_reads_its_database_key_and_cache_from_secrets(manifests, env, kind):
    secrets = secret_references(app_container(manifests[env], kind))
    assert secrets["DATABASE_URL"] == {"name": "db-credentials", "key": "DATABASE_URL"}
    assert secrets["SECRET_KEY"] == {"name": "app-secrets", "key": "SECRET_KEY"}
    # Operators may point it at a managed Redis or Valkey instead.
    assert secrets["CACHE_URL"] == {"name": "cache", "key": "CACHE_URL"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_mail_settings_come_from_an_optional_secret(manifests, env):
    secrets = secret_references(app_container(manifests[env], "Deployment"))
    for key in ("EMAIL_URL", "DEFAULT_FROM_EMAIL"):
        assert secrets[key] == {"name": "email", "key": key, "optional": True}


def test_homologation_asks_for_basic_auth_credentials_from_their_secret(manifests):
    secrets = secret_references(app_container(manifests["homologacao"], "Deployment"))
    assert secrets["BASIC_AUTH_USERNAME"] == {"name": "basic-auth", "key": "username"}
    assert secrets["BASIC_AUTH_PASSWORD"] == {"name": "basic-auth", "key": "password"}


def test_production_never_sets_basic_auth(rendered):
    assert "BASIC_AUTH" not in rendered["production"]
    assert "basic-auth" not in rendered["production"]


# --- the web pods ------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_app_listens_where_its_ports_are_declared(manifests, env):
    container = app_container(manifests[env], "Deployment")
    values = config_values(manifests[env], container)
    assert named_port(container, "http") == int(values["PORT"])
    assert named_port(container, "metrics") == int(values["METRICS_PORT"])


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_probes_use_health_for_liveness_and_ready_for_readiness(manifests, env):
    container = app_container(manifests[env], "Deployment")
    assert container["startupProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    # Served by gunicorn's master, which busy workers cannot starve.
    assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": "metrics"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    startup = container["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 60


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_prometheus_scrapes_the_metrics_port_of_the_web_pods(manifests, env):
    template = pod_template(only(manifests[env], "Deployment", "encontros-tech"))
    annotations = template["metadata"]["annotations"]
    [container] = template["spec"]["containers"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/path"] == "/metrics"
    assert int(annotations["prometheus.io/port"]) == named_port(container, "metrics")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_load_balancer_exposes_only_the_app_port_of_the_web_pods(manifests, env):
    objects = manifests[env]
    [service] = [obj for obj in objects if obj.get("spec", {}).get("type") == "LoadBalancer"]
    pod_labels = pod_template(only(objects, "Deployment", "encontros-tech"))["metadata"]["labels"]
    assert selects(service["spec"]["selector"], pod_labels)
    assert {port["targetPort"] for port in service["spec"]["ports"]} == {"http"}
    # HTTP (not TCP) at the load balancer, so X-Forwarded-For carries the visitor.
    protocol = "service.beta.kubernetes.io/do-loadbalancer-protocol"
    assert service["metadata"]["annotations"][protocol] == "http"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_tls_at_the_load_balancer_goes_with_the_apps_https_settings(manifests, env):
    objects = manifests[env]
    service = only(objects, "Service", "encontros-tech")
    values = config_values(objects, app_container(objects, "Deployment"))
    tls = TLS_PORTS_ANNOTATION in service["metadata"]["annotations"]
    assert values["SECURE_SSL"] == ("true" if tls else "false")


def test_production_serves_plain_http_on_the_ip_without_the_https_component(tmp_path):
    # The documented switch for running without a domain: drop the component.
    shutil.copytree(K8S_DIR, tmp_path / "k8s")
    kustomization = tmp_path / "k8s" / "production" / "kustomization.yaml"
    text = kustomization.read_text()
    assert "\n  - https\n" in text
    kustomization.write_text(text.replace("\n  - https\n", "\n"))

    objects = list(yaml.safe_load_all(render_overlay(kustomization.parent)))

    service = only(objects, "Service", "encontros-tech")
    assert TLS_PORTS_ANNOTATION not in service["metadata"]["annotations"]
    assert [port["port"] for port in service["spec"]["ports"]] == [80]
    values = config_values(objects, app_container(objects, "Deployment"))
    assert values["SECURE_SSL"] == "false"
    assert "CSRF_TRUSTED_ORIGINS" not in values


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_only_web_pods_receive_visitors(manifests, env):
    objects = manifests[env]
    for workload in workloads(objects):
        labels = pod_template(workload)["metadata"]["labels"]
        expected = ["encontros-tech"] if labels["component"] == "web" else []
        if labels["component"] == "redis":
            expected = ["redis"]
        assert service_selecting(objects, labels) == expected, workload["metadata"]["name"]


def test_the_autoscaler_owns_the_replica_count_of_what_it_scales(manifests):
    for objects in manifests.values():
        for hpa in (obj for obj in objects if obj["kind"] == "HorizontalPodAutoscaler"):
            target = hpa["spec"]["scaleTargetRef"]
            # A count in the Deployment would be reset by every `kubectl apply`.
            assert "replicas" not in only(objects, target["kind"], target["name"])["spec"]


def test_disruption_budgets_keep_a_web_pod_serving(manifests):
    for objects in manifests.values():
        web_labels = pod_template(only(objects, "Deployment", "encontros-tech"))["metadata"]
        for pdb in (obj for obj in objects if obj["kind"] == "PodDisruptionBudget"):
            assert pdb["spec"]["minAvailable"] >= 1
            assert selects(pdb["spec"]["selector"]["matchLabels"], web_labels["labels"])


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_shutdown_lets_gunicorn_finish_its_requests(manifests, env):
    gunicorn_graceful_timeout = 30
    spec = app_pod(manifests[env], "Deployment")
    [container] = spec["containers"]
    command = container["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    pause = int(command[1])
    assert pause > 0
    assert spec["terminationGracePeriodSeconds"] > pause + gunicorn_graceful_timeout


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_rolling_update_never_drops_below_the_desired_replicas(manifests, env):
    strategy = only(manifests[env], "Deployment", "encontros-tech")["spec"]["strategy"]
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


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_migrations_are_bounded_by_the_jobs_deadline_not_the_statement_timeout(manifests, env):
    job = only(manifests[env], "Job")["spec"]
    [container] = job["template"]["spec"]["containers"]
    settings = {item["name"]: item.get("value") for item in container["env"]}
    assert settings["DATABASE_STATEMENT_TIMEOUT"] == "0"
    # The web pods' secrets and settings still reach the migration pod.
    assert "DATABASE_URL" in settings
    assert job["activeDeadlineSeconds"] > 0


# --- every pod ---------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_pod_runs_unprivileged_on_a_read_only_file_system(manifests, env):
    for workload in workloads(manifests[env]):
        name = workload["metadata"]["name"]
        spec = pod_template(workload)["spec"]
        assert spec["automountServiceAccountToken"] is False, name
        pod_security = spec["securityContext"]
        assert pod_security["runAsNonRoot"] is True, name
        assert pod_security["runAsUser"] >= 10000, name
        assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}, name
        # The only writable places are the pod's own scratch volumes.
        assert all("emptyDir" in v or "configMap" in v for v in spec["volumes"]), name
        for container in all_containers(spec):
            assert container["securityContext"] == {
                "allowPrivilegeEscalation": False,
                "readOnlyRootFilesystem": True,
                "runAsNonRoot": True,
                "capabilities": {"drop": ["ALL"]},
            }, (name, container["name"])
            assert {"requests", "limits"} <= container["resources"].keys(), name
            assert {"cpu", "memory"} <= container["resources"]["limits"].keys(), name


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_server_has_liveness_and_readiness_probes(manifests, env):
    for deployment in (obj for obj in manifests[env] if obj["kind"] == "Deployment"):
        for container in pod_template(deployment)["spec"]["containers"]:
            assert {"livenessProbe", "readinessProbe"} <= container.keys()


# --- network policies ----------------------------------------------------------------


def policies_for(objects, pod_labels):
    return [
        obj
        for obj in objects
        if obj["kind"] == "NetworkPolicy"
        and selects(obj["spec"]["podSelector"].get("matchLabels", {}), pod_labels)
    ]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_pod_refuses_connections_no_policy_allows(manifests, env):
    for workload in workloads(manifests[env]):
        labels = pod_template(workload)["metadata"]["labels"]
        policies = policies_for(manifests[env], labels)
        assert any("Ingress" in policy["spec"]["policyTypes"] for policy in policies)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_metrics_port_is_reachable_from_inside_the_cluster_only(manifests, env):
    labels = pod_template(only(manifests[env], "Deployment", "encontros-tech"))["metadata"]
    rules = [
        rule
        for policy in policies_for(manifests[env], labels["labels"])
        for rule in policy["spec"].get("ingress", [])
    ]
    open_ports = {port["port"] for rule in rules if "from" not in rule for port in rule["ports"]}
    assert open_ports == {"http"}
    [metrics_rule] = [rule for rule in rules if "from" in rule]
    assert [port["port"] for port in metrics_rule["ports"]] == ["metrics"]
    assert all("ipBlock" not in peer for peer in metrics_rule["from"])


# --- redis -----------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_redis_is_reachable_by_the_web_pods_only_and_reaches_nothing(manifests, env):
    objects = manifests[env]
    redis_labels = pod_template(only(objects, "Deployment", "redis"))["metadata"]["labels"]
    policy = only(objects, "NetworkPolicy", "redis")["spec"]
    assert selects(policy["podSelector"]["matchLabels"], redis_labels)
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert "egress" not in policy
    for workload in workloads(objects):
        labels = pod_template(workload)["metadata"]["labels"]
        allowed = any(
            selects(peer["podSelector"]["matchLabels"], labels)
            for rule in policy["ingress"]
            for peer in rule["from"]
        )
        assert allowed == (labels["component"] == "web"), workload["metadata"]["name"]
    # The Service `redis` sends to these pods, under the name CACHE_URL points at.
    assert service_selecting(objects, redis_labels) == ["redis"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_redis_keeps_nothing_on_disk(manifests, env):
    spec = pod_template(only(manifests[env], "Deployment", "redis"))["spec"]
    [container] = spec["containers"]
    arguments = container["args"]
    assert arguments[arguments.index("--save") + 1] == ""
    assert arguments[arguments.index("--appendonly") + 1] == "no"
    assert "--maxmemory" in arguments
    assert all("persistentVolumeClaim" not in volume for volume in spec["volumes"])
