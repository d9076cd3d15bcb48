"""Gunicorn settings of the production server: `gunicorn -c gunicorn.conf.py encontros.wsgi`.

Everything comes from the environment (README, "Running in production").
Options can still be overridden without a new image through GUNICORN_CMD_ARGS.
"""

import gc
import os
import sys
from pathlib import Path

from encontros.startup import configuration_warnings, load_settings_or_exit

# Fail here, in one line, rather than in every worker. Loading the settings also
# reads .env, so PROMETHEUS_MULTIPROC_DIR is known before prometheus_client is imported.
settings = load_settings_or_exit()

host = os.environ.get("HOST", "0.0.0.0")
bind = f"{host}:{os.environ.get('PORT', '8000')}"
# /metrics and the liveness probe's /health, answered by the master (encontros/metrics_server.py).
metrics_port = int(os.environ.get("METRICS_PORT", "9100"))
# A container sees all of its node's cores, not its CPU limit, so the usual
# 2 x cores + 1 would overcommit: scale with replicas, or set WEB_CONCURRENCY.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# Kubernetes sends SIGTERM, then kills after terminationGracePeriodSeconds
# (keep it above this plus the preStop pause): workers finish in-flight
# requests within this many seconds.
graceful_timeout = 20
timeout = 30

accesslog = "-"
access_log_format = '%(h)s %({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# The same formats as the site's own logs (LOG_FORMAT, LOG_LEVEL), secrets removed.
logconfig_dict = settings.LOGGING

# The heartbeat file is touched constantly: keep it in memory, off a possibly read-only disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn's control socket is unused and would need a writable home directory.
control_socket_disable = True

# X-Forwarded-Proto (and gunicorn's other scheme headers) tell Django that a
# request came over HTTPS, so they are taken only from the load balancer's
# addresses: IPs or networks, comma-separated. A client elsewhere that sets
# them itself still gets the HTTPS redirect. The Kubernetes overlays set the
# cluster's private network.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def on_starting(server):
    """Start with no metrics left from a previous run of the server."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for path in Path(directory).glob("*.db"):
            path.unlink()


def when_ready(server):
    """Said and started once by the master process, not by every worker: the
    configuration warnings, and the metrics port, before the first worker starts."""
    for warning in configuration_warnings(settings):
        server.log.warning(warning)
    from encontros.metrics_server import serve_metrics_port

    try:
        serve_metrics_port(host, metrics_port)
    except OSError as error:
        sys.exit(f"Configuration error: METRICS_PORT {metrics_port}: {error}")


def post_worker_init(worker):
    """The application is loaded, and what it loaded lives as long as the worker:
    moved out of the garbage collector's reach, it is not walked again by every
    full collection (a few milliseconds of each request's time otherwise)."""
    gc.freeze()


def child_exit(server, worker):
    """Drop a dead worker's live gauges; its counters stay in the sums."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
