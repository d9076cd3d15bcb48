"""The metrics and liveness port (METRICS_PORT), served by a thread of gunicorn's master.

The master answers no visitor: while every worker is busy or stuck (a hung
database, a flood of slow requests), Prometheus still scrapes the workers'
metrics here and the liveness probe still gets its answer, so Kubernetes does
not restart pods that a restart would not help. The public port never serves
/metrics, so visitors cannot read it (README, "Running in production").
"""

import json
import os
import socketserver
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import REGISTRY, CollectorRegistry, make_wsgi_app, multiprocess

HEALTHY = json.dumps({"status": "ok"}).encode()


def metrics_registry():
    """Every worker's metrics (summed, from PROMETHEUS_MULTIPROC_DIR), else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def metrics_port_application(registry):
    """GET /metrics and GET /health; anything else is 404."""
    metrics = make_wsgi_app(registry)

    def application(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/metrics":
            return metrics(environ, start_response)
        if path == "/health":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [HEALTHY]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not found: this port serves /metrics and /health.\n"]

    return application


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """One thread per connection: a slow scrape never delays a probe."""

    daemon_threads = True


class _QuietRequestHandler(WSGIRequestHandler):
    # A client that stops sending is dropped, and its thread ends.
    timeout = 10

    def log_message(self, format, *args):
        """Probes and scrapes every few seconds would drown the access log."""


def serve_metrics_port(host, port):
    """Start serving in a daemon thread of this process; return the server."""
    server = make_server(
        host,
        port,
        metrics_port_application(metrics_registry()),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietRequestHandler,
    )
    threading.Thread(target=server.serve_forever, name="metrics-port", daemon=True).start()
    return server
