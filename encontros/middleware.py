import base64
import binascii
import logging
import secrets

from corsheaders.middleware import CorsMiddleware
from django.conf import settings
from django.core.exceptions import BadRequest, MiddlewareNotUsed
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.urls import resolve
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.permissions import SAFE_METHODS

from encontros.views import bad_request, is_api_request, service_unavailable
from events.api.exceptions import error_response

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


class BasicAuthMiddleware:
    """HTTP basic auth in front of everything but the probes (answered before it),
    when BASIC_AUTH_USERNAME and BASIC_AUTH_PASSWORD are both set.

    It runs before any other part of the site, so that a visitor without the
    credentials meets nothing that could fail and show Django's debug page.
    """

    def __init__(self, get_response):
        if not (settings.BASIC_AUTH_USERNAME and settings.BASIC_AUTH_PASSWORD):
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.expected = f"{settings.BASIC_AUTH_USERNAME}:{settings.BASIC_AUTH_PASSWORD}".encode()

    def __call__(self, request):
        if self.has_credentials(request):
            return self.get_response(request)
        response = HttpResponse(
            _("Authentication required."), status=401, content_type="text/plain; charset=utf-8"
        )
        response["WWW-Authenticate"] = 'Basic realm="restricted", charset="UTF-8"'
        return response

    def has_credentials(self, request):
        scheme, _space, encoded = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            given = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        return secrets.compare_digest(given, self.expected)


class NulByteMiddleware:
    """A NUL byte in the query string, or in an API path, is a malformed request (400).

    No URL of the site holds one, and PostgreSQL cannot compare text with it: a
    filter, search or path parameter holding one would otherwise fail in the
    database. Form fields refuse it themselves (Django's forms and DRF's fields).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        names = [
            name
            for name, values in request.GET.lists()
            if "\x00" in name or any("\x00" in value for value in values)
        ]
        if is_api_request(request) and (names or "\x00" in request.path):
            message = _("Remove the NUL bytes: they are not allowed.")
            return error_response(400, {name: [message] for name in names})
        if names:
            return bad_request(request, BadRequest("NUL byte in the query string"))
        # The pages' path converters match no NUL byte: such a path is a 404 there.
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


class ChosenLanguageMiddleware(LocaleMiddleware):
    """The site speaks Portuguese unless the visitor chose another language with
    the language switch (stored in a cookie by Django's set_language view).

    Pages deliberately ignore the browser's Accept-Language: many Brazilian
    visitors run browsers in English but expect a Brazilian site in Portuguese.
    API clients have no language switch, so the API honours Accept-Language.
    """

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen or "")
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PublicReadCorsMiddleware(CorsMiddleware):
    """CORS headers for reads only (CORS_URLS_REGEX says which paths).

    Other sites may show the events; writes stay same-origin, so another site's
    scripts never read an answer to a write (which may carry an edit token).
    """

    def is_enabled(self, request):
        return request.method in SAFE_METHODS and super().is_enabled(request)
