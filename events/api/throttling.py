"""Per-client request limits. DRF keeps the counters in Django's default cache,
shared by every process once CACHE_URL points at Redis."""

from django.conf import settings
from django.utils.module_loading import import_string
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle


class ClientIpMixin:
    """Identify clients like the site's rate limits do: with the function that the
    RATELIMIT_IP_META_KEY setting names (how the project sees clients behind its proxy)."""

    def get_ident(self, request):
        return import_string(settings.RATELIMIT_IP_META_KEY)(request)


class EventCreateThrottle(ClientIpMixin, AnonRateThrottle):
    """Anonymous event creation; staff with an API token are not limited."""

    scope = "event_create"

    def get_rate(self):
        return settings.API_CREATE_THROTTLE_RATE


class EditTokenThrottle(ClientIpMixin, SimpleRateThrottle):
    """Requests carrying an edit token, with the same limit as the site's edit pages."""

    scope = "edit_token"

    def get_rate(self):
        return settings.EVENTS_EDIT_TOKEN_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
