// Validates PrometheusRule objects (a JSON array on stdin) against the schema of
// the Prometheus Operator's CRD, as shipped by @kubernetes-models/prometheus-operator.
// Prints one line per invalid object and exits 1 if there is any.
import { readFileSync } from "node:fs";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";

let failed = false;
for (const object of JSON.parse(readFileSync(0, "utf8"))) {
  try {
    new PrometheusRule(object).validate();
  } catch (error) {
    failed = true;
    console.log(`${object.metadata?.name}: ${error.message}`);
  }
}
process.exit(failed ? 1 : 0);
