"""Alerts and dashboard (k8s/<environment>/monitoring, k8s/components/monitoring,
docs/runbooks.md): the rules
pass promtool and its unit tests, the PrometheusRule objects match the
operator's CRD schema, and every metric they or the dashboard name is one the
running application really exports."""

import json
import re
import shutil
import subprocess

import promql_parser
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from encontros.tests.delivery_tools import (
    K8S_DIR,
    REPO_ROOT,
    installed_tool,
    render_overlay,
)
from events.tests.helpers import require_executable
from events.tests.servers import (
    free_port,
    gunicorn,
    manage,
    production_environment,
    throwaway_postgres,
    wait_for,
)

pytestmark = pytest.mark.delivery

ENVIRONMENTS = ("homologacao", "production")
DASHBOARD = K8S_DIR / "components" / "monitoring" / "encontros-tech.json"
RUNBOOKS = REPO_ROOT / "docs" / "runbooks.md"
RUNBOOK_URL = "https://github.com/mpauloprado/devops-ia-fork/blob/main/docs/runbooks.md#"
CRD_VALIDATOR = REPO_ROOT / "encontros" / "tests" / "validate_prometheus_rules.mjs"
PROMETHEUS_OPERATOR_MODELS = (
    REPO_ROOT / "node_modules" / "@kubernetes-models" / "prometheus-operator"
)
# Alerts about the autoscaler, which only production has.
AUTOSCALER_ALERTS = {"EncontrosTooFewReadyPods", "EncontrosAutoscalerAtMaximum"}

# Series that the application does not export, so that running it cannot show
# them: Prometheus makes `up` for each scrape target, and kube-state-metrics
# (part of kube-prometheus-stack) describes Deployments, pods and autoscalers.
NOT_FROM_THE_APPLICATION = {
    "up",
    "kube_deployment_status_replicas_available",
    "kube_deployment_spec_replicas",
    "kube_pod_container_status_restarts_total",
    "kube_horizontalpodautoscaler_spec_min_replicas",
    "kube_horizontalpodautoscaler_spec_max_replicas",
    "kube_horizontalpodautoscaler_status_current_replicas",
}
# Grafana's variables, given a value so that the dashboard's queries parse as PromQL.
DASHBOARD_VARIABLES = {"$__rate_interval": "5m", "$namespace": "production"}


@pytest.fixture(scope="module")
def manifests():
    return {env: list(yaml.safe_load_all(render_overlay(K8S_DIR / env))) for env in ENVIRONMENTS}


def prometheus_rule(objects):
    [rule] = [obj for obj in objects if obj["kind"] == "PrometheusRule"]
    return rule


def alerting_rules(rule):
    return [r for group in rule["spec"]["groups"] for r in group["rules"] if "alert" in r]


def dashboard_queries():
    """The PromQL of every panel, Grafana's variables replaced by a value."""
    dashboard = json.loads(DASHBOARD.read_text())
    queries = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            query = target["expr"]
            for variable, value in DASHBOARD_VARIABLES.items():
                query = query.replace(variable, value)
            queries.append(query)
    return queries


def dashboard_variable_metrics():
    """Metrics named by the dashboard's variables (Grafana's `label_values(metric, label)`)."""
    dashboard = json.loads(DASHBOARD.read_text())
    return {
        re.fullmatch(r"label_values\((\w+), *\w+\)", variable["query"]["query"])[1]
        for variable in dashboard["templating"]["list"]
        if variable["type"] == "query"
    }


def metric_names(query):
    """Every metric a PromQL expression reads."""
    names = set()
    pending = [promql_parser.parse(query)]
    while pending:
        node = pending.pop()
        if isinstance(node, promql_parser.VectorSelector):
            names.add(node.name)
            continue
        for attribute in ("lhs", "rhs", "expr", "param", "vector_selector"):
            child = getattr(node, attribute, None)
            if child is not None and not isinstance(child, int | float | str):
                pending.append(child)
        pending.extend(getattr(node, "args", None) or [])
    return names


def promtool():
    return require_executable("promtool")


def write_rules_and_tests(rule, env, directory):
    """The rules as a plain Prometheus rule file, beside a copy of their unit tests."""
    (directory / "alerts.rules.yaml").write_text(yaml.safe_dump(rule["spec"]))
    shutil.copy(K8S_DIR / env / "monitoring" / "alerts.test.yaml", directory / "alerts.test.yaml")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_promtool_accepts_the_rules_of_each_environment(manifests, env, tmp_path):
    write_rules_and_tests(prometheus_rule(manifests[env]), env, tmp_path)
    result = subprocess.run(
        [promtool(), "check", "rules", str(tmp_path / "alerts.rules.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_alert_stays_quiet_then_fires_in_promtool_unit_tests(manifests, env, tmp_path):
    write_rules_and_tests(prometheus_rule(manifests[env]), env, tmp_path)
    result = subprocess.run(
        [promtool(), "test", "rules", str(tmp_path / "alerts.test.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_alert_has_a_unit_test_that_fires_it_and_one_that_leaves_it_quiet(manifests, env):
    tests = yaml.safe_load((K8S_DIR / env / "monitoring" / "alerts.test.yaml").read_text())["tests"]
    checks = [check for test in tests for check in test["alert_rule_test"]]
    for alert in {r["alert"] for r in alerting_rules(prometheus_rule(manifests[env]))}:
        expectations = [check["exp_alerts"] for check in checks if check["alertname"] == alert]
        assert [] in expectations, f"{alert} is never shown quiet"
        assert any(expectations), f"{alert} is never shown firing"


def test_promtool_unit_tests_catch_an_alert_that_no_longer_fires(manifests, tmp_path):
    rule = prometheus_rule(manifests["production"])
    [no_ready_pods] = [r for r in alerting_rules(rule) if r["alert"] == "EncontrosNoReadyPods"]
    no_ready_pods["expr"] = no_ready_pods["expr"].replace("== 0", "< 0")
    write_rules_and_tests(rule, "production", tmp_path)
    result = subprocess.run(
        [promtool(), "test", "rules", str(tmp_path / "alerts.test.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "EncontrosNoReadyPods" in result.stdout + result.stderr


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_alert_has_a_severity_a_summary_and_a_runbook_section(manifests, env):
    headings = {
        re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in RUNBOOKS.read_text().splitlines()
        if line.startswith("#")
    }
    for rule in alerting_rules(prometheus_rule(manifests[env])):
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        url = rule["annotations"]["runbook_url"]
        assert url.startswith(RUNBOOK_URL), rule["alert"]
        assert url.removeprefix(RUNBOOK_URL) in headings, f"{rule['alert']}: {url}"


def test_homologation_pages_nobody(manifests):
    severities = {
        r["labels"]["severity"] for r in alerting_rules(prometheus_rule(manifests["homologacao"]))
    }
    assert severities == {"warning"}


def test_both_environments_watch_the_same_things_except_the_autoscaler(manifests):
    alerts = {
        env: {r["alert"] for r in alerting_rules(prometheus_rule(manifests[env]))}
        for env in ENVIRONMENTS
    }
    assert alerts["production"] - alerts["homologacao"] == AUTOSCALER_ALERTS


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_alerts_watch_only_their_own_namespace(manifests, env):
    # Prometheus evaluates every rule against every namespace it scrapes.
    for rule in alerting_rules(prometheus_rule(manifests[env])):
        selectors = re.findall(r"\w+\{[^}]*\}", rule["expr"])
        assert selectors, rule["alert"]
        for selector in selectors:
            assert f'namespace="{env}"' in selector, f"{rule['alert']}: {selector}"


def validate_against_the_crd(objects):
    installed_tool(PROMETHEUS_OPERATOR_MODELS, "make tools")
    return subprocess.run(
        [require_executable("node"), str(CRD_VALIDATOR)],
        input=json.dumps(objects),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )


def test_prometheus_rules_are_valid_for_the_operators_crd(manifests):
    result = validate_against_the_crd([prometheus_rule(manifests[env]) for env in ENVIRONMENTS])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_crd_check_rejects_a_malformed_rule(manifests):
    rule = prometheus_rule(manifests["production"])
    alerting_rules(rule)[0]["for"] = "five minutes"
    result = validate_against_the_crd([rule])
    assert result.returncode == 1
    assert "for must match pattern" in result.stdout


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_dashboard_ships_as_a_config_map_for_the_grafana_sidecar(manifests, env):
    [config_map] = [
        obj
        for obj in manifests[env]
        if obj["kind"] == "ConfigMap" and "grafana_dashboard" in obj["metadata"].get("labels", {})
    ]
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(config_map["data"]["encontros-tech.json"]) == json.loads(
        DASHBOARD.read_text()
    )


def test_dashboard_shows_what_operators_need():
    queries = dashboard_queries()
    names = set().union(*map(metric_names, queries))
    # Requests, errors and latency (p50, p95, p99) by view.
    assert any("by (view)" in q and "requests_total_by_view" in q for q in queries)
    assert any("by (view, status)" in q and 'status=~"5.."' in q for q in queries)
    for quantile in ("0.5", "0.95", "0.99"):
        assert any(f"histogram_quantile({quantile}, sum by (view, le)" in q for q in queries)
    # Pods and restarts, readiness, database and cache, business counters, version.
    assert {
        "kube_deployment_status_replicas_available",
        "kube_pod_container_status_restarts_total",
        "readiness_failures_total",
        "django_db_new_connection_errors_total",
        "cache_errors_total",
        "events_created_total",
        "events_updated_total",
        "events_status_changed_total",
        "events_pending",
        "app_info",
    } <= names
    for counter in ("events_created_total", "events_updated_total", "events_status_changed_total"):
        assert any(counter in q and "by (channel)" in q for q in queries), counter


def exercised_application_metrics(tmp_path):
    """The metrics page of a production server that has served pages and the API,
    created, edited and cancelled events, lost its cache and then its database."""
    with throwaway_postgres() as database:
        environment = production_environment(
            DATABASE_URL=database.url,
            PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
            # A Redis nobody listens on: the fail-soft cache counts its errors.
            CACHE_URL=f"redis://127.0.0.1:{free_port()}/0",
        )
        manage("migrate", "--verbosity", "0", environment=environment)
        with gunicorn(environment, workers=2) as server:
            assert server.get("/ready")[0] == 200
            assert server.get("/")[0] == 200
            assert server.get("/api/events/")[0] == 200
            event = {
                "title": "Python Floripa",
                "description": "Talks.",
                "starts_at": "2031-06-10T19:00:00-03:00",
                "mode": "online",
                "online_url": "https://example.com/live",
                "organizer_name": "Python Floripa",
                "technologies": ["Python"],
            }
            status, _headers, body = server.send("POST", "/api/events/", body=event)
            assert status == 201, body
            created = json.loads(body)
            token = {"X-Edit-Token": created["edit_token"]}
            path = f"/api/events/{created['slug']}/"
            for change in ({"title": "Python Floripa #2"}, {"status": "cancelled"}):
                status, _headers, body = server.send("PATCH", path, body=change, headers=token)
                assert status == 200, body
            database.stop()
            assert server.get("/")[0] == 503
            assert server.get("/ready")[0] == 503
            database.start()
            wait_for(lambda: server.get("/ready")[0] == 200, seconds=30, what="readiness")
            return server.metrics()


def test_every_metric_the_alerts_and_dashboard_name_is_exported_by_the_application(
    manifests, tmp_path
):
    exported = {
        sample.name
        for family in text_string_to_metric_families(exercised_application_metrics(tmp_path))
        for sample in family.samples
    }
    named = dashboard_variable_metrics().union(*map(metric_names, dashboard_queries()))
    for env in ENVIRONMENTS:
        for rule in alerting_rules(prometheus_rule(manifests[env])):
            named |= metric_names(rule["expr"])

    assert named - NOT_FROM_THE_APPLICATION - exported == set()
    # The allow-list holds only what is named, and nothing the application exports.
    assert NOT_FROM_THE_APPLICATION <= named
    assert not NOT_FROM_THE_APPLICATION & exported
