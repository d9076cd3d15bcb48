import base64
import binascii
import logging
import secrets

from corsheaders.middleware import CorsMiddleware
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import BadRequest, DisallowedHost, MiddlewareNotUsed
from django.core.handlers.wsgi import WSGIRequest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django_prometheus.middleware import PrometheusAfterMiddleware
from rest_framework.permissions import SAFE_METHODS

from encontros import public_cache
from encontros.metrics import public_cache_answers
from encontros.views import bad_request, is_api_request, service_unavailable
from events.api.exceptions import error_response
from events.database_errors import is_busy

logger = logging.getLogger(__name__)

# Called by Kubernetes at the pod's IP address, over plain HTTP.
PROBE_PATHS = {"/health", "/ready"}


class ProbeMiddleware:
    """Answer the probes whatever the Host header, and never redirect them.

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
        if not self.is_configured():
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

    @staticmethod
    def is_configured():
        return bool(settings.BASIC_AUTH_USERNAME and settings.BASIC_AUTH_PASSWORD)

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


class ApiRedirectMiddleware:
    """The API's redirects (a missing trailing slash, added by CommonMiddleware) are
    JSON like its other answers, and 308: the client repeats the same method with
    the same body, where a 301 would turn a POST into a GET without its body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_api_request(request) or response.status_code not in (301, 302):
            return response
        location = response["Location"]
        redirect = JsonResponse(
            {"message": _("Moved to %(location)s.") % {"location": location}, "errors": {}},
            status=308,
            json_dumps_params={"ensure_ascii": False},
        )
        for header, value in response.items():
            if header.lower() != "content-type":
                redirect[header] = value
        return redirect


class DatabaseUnavailableMiddleware:
    """While the database is unreachable, pages answer a friendly 503, never a
    traceback (even with DEBUG on). Django reconnects by itself on a later
    request (CONN_HEALTH_CHECKS), so pages recover when the database returns."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if is_busy(exception):
            # The database works; it refused this one request (conflict or time bound).
            logger.warning("database busy: %s", type(exception.__cause__).__name__)
            return service_unavailable(request, busy=True)
        logger.error("database unavailable: %s", exception)
        return service_unavailable(request)


class LanguageMiddleware(LocaleMiddleware):
    """Pages speak the language of their address: Portuguese at the root, English
    under /en/ (i18n_patterns in encontros/urls.py). Neither a cookie nor the
    browser's Accept-Language changes a page, so one address is one answer that
    any shared cache may keep; and many Brazilian visitors run browsers in English
    but expect a Brazilian site in Portuguese.

    The API has no address per language, so it honours Accept-Language.
    """

    def process_request(self, request):
        if is_api_request(request):
            language = translation.get_language_from_request(request)
        else:
            language = translation.get_language_from_path(request.path_info)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if is_api_request(request):
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class PublicReadCorsMiddleware(CorsMiddleware):
    """CORS headers for reads only (CORS_URLS_REGEX says which paths).

    Other sites may show the events; writes stay same-origin, so another site's
    scripts never read an answer to a write (which may carry an edit token).
    """

    def is_enabled(self, request):
        return request.method in SAFE_METHODS and super().is_enabled(request)


class PublicCacheHits:
    """WSGI middleware in front of Django's application (encontros/wsgi.py) that
    answers the hits in this process's memory at once: Django's request handling
    and middleware would cost more than the rest of such a hit. Every other
    request, a hit in the shared cache included, goes on to Django, where
    PublicCacheMiddleware serves, renders and stores it under the same rules.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        # A copy: WSGIRequest rewrites PATH_INFO, which Django decodes again on a miss.
        request = WSGIRequest(environ.copy())
        key = is_anonymous_read(request) and PublicCacheMiddleware.key(request)
        entry = key and public_cache.lookup(key, shared=False)
        if not entry:
            return self.application(environ, start_response)
        answer = answer_hit(request, key, entry)
        start_response(f"{answer.status} {answer.reason}", answer.headers)
        return [answer.body]


class PublicCacheMiddleware:
    """Serve anonymous reads of public pages, feeds and the API from the public
    cache (encontros/public_cache.py), compressed, with validators and 304s.

    Only GET and HEAD without credentials (no session, no messages, no token)
    are looked up, and only answers of the views in PUBLIC_CACHE_VIEWS that set
    no cookie and are not marked private are stored: edit pages, anything with
    an edit token, staff, the admin and writes never are. Private answers are
    not compressed either, so that their secrets cannot be guessed from the
    compressed size (BREACH).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # SecurityMiddleware, above this one, adds its headers to every answer on
        # the way out. Stored answers hold them already, for the hits that
        # PublicCacheHits answers before Django.
        self.security = SecurityMiddleware(get_response)

    def __call__(self, request):
        if not is_anonymous_read(request):
            return self.get_response(request)
        key = self.key(request)
        if key is None:
            return self.get_response(request)
        entry = public_cache.lookup(key)
        if entry is not None:
            return as_response(answer_hit(request, key, entry))
        response = self.get_response(request)
        if not is_public_answer(request, response):
            return response
        self.security.process_response(request, response)
        encoding = preferred_encoding(request)
        kept = request.method == "GET" and public_cache.is_versioned(key)
        entry = public_cache.entry_from_response(response, encoding=encoding, kept=kept)
        if kept:
            public_cache.store(key, entry)
            public_cache_answers.labels(result="miss").inc()
        else:
            public_cache_answers.labels(result="uncached").inc()
        return as_response(entry.answer(request, encoding))

    @staticmethod
    def key(request):
        """The cache key of a read; None for a host this site does not serve.

        Without a content version (the shared cache fails), or with the cache
        turned off (PUBLIC_CACHE_SECONDS=0), the key has no version: such
        answers are compressed but never stored.
        """
        try:
            host = request.get_host()
        except DisallowedHost:
            return None
        version = settings.PUBLIC_CACHE_SECONDS and public_cache.local_version.get() or "-"
        parts = [version, request.scheme, host, request.get_full_path()]
        if is_api_request(request):
            # The API's language and CORS headers follow the request's headers.
            language = translation.get_language_from_request(request)
            parts += [language, request.headers.get("origin", "")]
        return "|".join(parts)


def preferred_encoding(request):
    return public_cache.preferred_encoding(request.headers.get("accept-encoding", ""))


def answer_hit(request, key, entry):
    """A stored entry's answer to `request`, compressed in the client's encoding."""
    public_cache_answers.labels(result="hit").inc()
    encoding = preferred_encoding(request)
    if encoding and encoding not in entry.encoded and entry.compressible:
        entry.encode(encoding)
        # Counted at its new size; other processes compress it themselves.
        public_cache.local_store.put(key, entry)
    return entry.answer(request, encoding)


def as_response(answer):
    response_class = HttpResponseNotModified if answer.status == 304 else HttpResponse
    return response_class(answer.body, status=answer.status, headers=answer.headers)


# The reads that are the same for every anonymous visitor.
PUBLIC_CACHE_VIEWS = {
    "events:list",
    "events:past",
    "events:detail",
    "events:embed",
    "events:event-calendar",
    "events:calendar",
    "events:atom",
    "events:rss",
    "sitemap",
    "sitemap-section",
    "robots",
    "api:event-list",
    "api:event-detail",
    "api:technology-list",
    "api:city-list",
}


def is_anonymous_read(request):
    return (
        request.method in ("GET", "HEAD")
        and "authorization" not in request.headers
        and "x-edit-token" not in request.headers
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        # Behind basic auth no read is anonymous: without the credentials a
        # visitor gets a 401, with them an Authorization header.
        and not BasicAuthMiddleware.is_configured()
    )


def is_public_answer(request, response):
    match = request.resolver_match
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and match is not None
        and match.view_name in PUBLIC_CACHE_VIEWS
        and not {"private", "no-store", "no-cache"} & set(get_cache_control(response))
    )


def get_cache_control(response):
    return [
        part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",")
    ]


class BoundedLabelsPrometheusMiddleware(PrometheusAfterMiddleware):
    """django-prometheus's request metrics, with label values no client can invent.

    Its latency histogram is labelled with the raw HTTP method, so every made-up
    method added a series of some thirty buckets to every worker's metrics file.
    Here every method label is one of the methods HTTP defines or
    "<invalid method>". Paths never become labels: a request is labelled with the
    name of the URL pattern it matched, or "<unnamed view>" when none did.
    """

    def label_metric(self, metric, request, response=None, **labels):
        if "method" in labels:
            labels["method"] = self._method(request)
        return super().label_metric(metric, request, response, **labels)
