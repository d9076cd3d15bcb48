import logging

from django.db import InterfaceError, OperationalError
from django.urls import resolve

from encontros.views import service_unavailable

logger = logging.getLogger(__name__)

# Called by Kubernetes and Prometheus at the pod's IP address, over plain HTTP.
PROBE_PATHS = {"/health", "/ready", "/metrics"}


class ProbeMiddleware:
    """Answer the probes and /metrics whatever the Host header, and never redirect them.

    Placed before SecurityMiddleware (HTTPS redirect) and CommonMiddleware (host
    validation against ALLOWED_HOSTS), so every other URL keeps both.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in PROBE_PATHS:
            return resolve(request.path_info).func(request)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """While the database is unreachable, pages answer a friendly 503, never a
    traceback (even with DEBUG on). Django reconnects by itself on a later
    request (CONN_HEALTH_CHECKS), so pages recover when the database returns."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("database unavailable: %s", exception)
            return service_unavailable(request)
        return None
