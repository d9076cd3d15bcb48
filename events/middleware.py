from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

# The pages whose URL carries a secret edit or recovery token, or which show a
# new edit link, and the page that asks for one by e-mail address.
PRIVATE_LINK_VIEWS = {
    "events:create",
    "events:edit",
    "events:series-edit",
    "events:cancel",
    "events:restore",
    "events:delete",
    "events:recovery",
    "events:recover",
    "events:confirm-email",
    "events:confirm-email-again",
}


class PrivateLinkMiddleware:
    """Keep edit links out of referrers, search indexes and caches, on every answer
    of those pages: successes, wrong tokens (404) and rate-limited attempts (429).

    "strict-origin" sends no path in any Referer, so the token never travels.
    "no-referrer" would also make browsers send `Origin: null` with the pages'
    own forms, which Django's CSRF protection rightly refuses.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self.is_private(request, response):
            response["Referrer-Policy"] = "strict-origin"
            response["X-Robots-Tag"] = "noindex, nofollow"
            response["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def is_private(request, response):
        match = request.resolver_match
        if match is None and response.has_header("Location"):
            # CommonMiddleware's trailing-slash redirect: the edit link is its Location.
            try:
                match = resolve(urlsplit(response["Location"]).path)
            except Resolver404:
                return False
        return bool(match and match.view_name in PRIVATE_LINK_VIEWS)
