import logging

from corsheaders.middleware import CorsMiddleware
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.middleware.locale import LocaleMiddleware
from django.urls import resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers
from rest_framework.permissions import SAFE_METHODS

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


class LanguageMiddleware(LocaleMiddleware):
    """Pages speak the language of their address: Portuguese at the root, English
    under /en/ (i18n_patterns in encontros/urls.py). Neither a cookie nor the
    browser's Accept-Language changes a page, so one address is one answer that
    any shared cache may keep; and many Brazilian visitors run browsers in English
    but expect a Brazilian site in Portuguese.

    The API has no address per language, so it honours Accept-Language.
    """

    def process_request(self, request):
        if is_api(request):
            language = translation.get_language_from_request(request)
        else:
            language = translation.get_language_from_path(request.path_info)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if is_api(request):
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def is_api(request):
    return request.path_info.startswith("/api/")


class PublicReadCorsMiddleware(CorsMiddleware):
    """CORS headers for reads only (CORS_URLS_REGEX says which paths).

    Other sites may show the events; writes stay same-origin, so another site's
    scripts never read an answer to a write (which may carry an edit token).
    """

    def is_enabled(self, request):
        return request.method in SAFE_METHODS and super().is_enabled(request)
