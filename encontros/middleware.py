from corsheaders.middleware import CorsMiddleware
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from rest_framework.permissions import SAFE_METHODS


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
