"""Per-client request limits, counted in Django's default cache (shared by every
process once CACHE_URL points at Redis).

The counters are django-ratelimit's, like the site's limits: one counter per
client and time window, incremented atomically. DRF's own throttles read a
list of past requests, append and write it back, so requests arriving together
all read the same list and all pass.
"""

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework.throttling import BaseThrottle


class CountingThrottle(BaseThrottle):
    """At most as many requests per client as the setting named `rate_setting`
    says (count/period with s, m, h or d), counted under `group`."""

    group = rate_setting = None

    def allow_request(self, request, view):
        rate = getattr(settings, self.rate_setting)
        # key="ip": clients as the site's limits see them (RATELIMIT_IP_META_KEY).
        self.usage = get_usage(request, group=self.group, key="ip", rate=rate, increment=True)
        # No usage: the cache could not count (it is down), and limits fail open.
        return self.usage is None or not self.usage["should_limit"]

    def wait(self):
        return self.usage["time_left"]


class EventCreateThrottle(CountingThrottle):
    """Anonymous event creation; staff with an API token are not limited."""

    group = "api.event_create"
    rate_setting = "API_CREATE_THROTTLE_RATE"

    def allow_request(self, request, view):
        return request.user.is_authenticated or super().allow_request(request, view)


class EditTokenThrottle(CountingThrottle):
    """Requests carrying an edit token, with the same limit as the site's edit pages."""

    group = "api.edit_token"
    rate_setting = "EVENTS_EDIT_TOKEN_RATE"
