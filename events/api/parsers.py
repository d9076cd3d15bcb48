import json

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.settings import api_settings


def _is_text(data):
    """Whether every string in the data is Unicode text (JSON escapes can also write
    lone surrogates, which no answer or database could hold)."""
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


class JSONParser(parsers.JSONParser):
    """JSON bodies that the API can answer: besides what is not JSON at all, bodies
    nested too deeply for Python and strings that are not text are refused with a
    400 (naming the field when there is one), never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            is_text = _is_text(data)
        except RecursionError:
            raise ParseError(_("JSON parse error: nested too deeply.")) from None
        if is_text:
            return data
        message = _("Not valid Unicode text.")
        if not isinstance(data, dict):
            raise ParseError(_("JSON parse error: a string is not valid Unicode text."))
        errors = {name: [message] for name, value in data.items() if not _is_text([name, value])}
        named = {name: messages for name, messages in errors.items() if _is_text(name)}
        if len(named) < len(errors):
            named[api_settings.NON_FIELD_ERRORS_KEY] = [
                _("A field name is not valid Unicode text.")
            ]
        raise ValidationError(named)
