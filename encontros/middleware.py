from corsheaders.middleware import CorsMiddleware
from rest_framework.permissions import SAFE_METHODS


class PublicReadCorsMiddleware(CorsMiddleware):
    """CORS headers for reads only (CORS_URLS_REGEX says which paths).

    Other sites may show the events; writes stay same-origin, so another site's
    scripts never read an answer to a write (which may carry an edit token).
    """

    def is_enabled(self, request):
        return request.method in SAFE_METHODS and super().is_enabled(request)
