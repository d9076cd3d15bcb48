from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """The site speaks Portuguese unless the visitor chose another language with
    the language switch (stored in a cookie by Django's set_language view).

    The browser's Accept-Language is deliberately not consulted: many Brazilian
    visitors run browsers in English but expect a Brazilian site in Portuguese.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen or "")
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
