"""One error body for the whole API: {"message": "...", "errors": {name: [messages]}}."""

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "request_too_large"


class CoverStorageUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = gettext_lazy(
        "The image could not be stored right now; the event is unchanged. Try again in a "
        "few minutes."
    )
    default_code = "storage_unavailable"


# Errors that Django answers itself, before or after the API's views run.
DJANGO_ERROR_MESSAGES = {
    400: gettext_lazy("The request is malformed."),
    403: gettext_lazy("You do not have permission to perform this action."),
    404: exceptions.NotFound.default_detail,
    500: gettext_lazy("Something went wrong on our side. Please try again later."),
    503: gettext_lazy("The service is temporarily unavailable. Please try again shortly."),
}


def error_response(status_code, errors=None, message=None):
    """An answer in the API's error shape for errors outside DRF's views (a
    malformed URL, an unknown path, a database outage, a server error);
    `errors` names the invalid query parameters of a 400."""
    if errors:
        body = {"message": _validation_message(errors), "errors": errors}
    else:
        body = {"message": str(message or DJANGO_ERROR_MESSAGES[status_code]), "errors": {}}
    return JsonResponse(body, status=status_code, json_dumps_params={"ensure_ascii": False})


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # The services validate with Model.full_clean(): the same rules as the site's forms.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        # Over DATA_UPLOAD_MAX_MEMORY_SIZE; Django alone would answer its HTML 400 page.
        exc = RequestTooLarge()
    elif isinstance(exc, Http404 | ObjectDoesNotExist):
        # One message whatever was not found, so a 404 reveals nothing about why.
        # A service finds no event when another request deleted it meanwhile.
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = error_body(exc)
    return response


def error_body(exc):
    if isinstance(exc, exceptions.ValidationError):
        errors = _errors_by_name(exc.detail)
        return {"message": _validation_message(errors), "errors": errors}
    return {"message": str(exc.detail), "errors": {}}


def _errors_by_name(detail):
    if isinstance(detail, dict):
        return {str(name): _messages(value) for name, value in detail.items()}
    return {api_settings.NON_FIELD_ERRORS_KEY: _messages(detail)}


def _messages(detail):
    """DRF nests errors of lists and objects; clients get a flat list of sentences."""
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for item in detail for message in _messages(item)]
    return [str(detail)]


def _validation_message(errors):
    names = [name for name in errors if name != api_settings.NON_FIELD_ERRORS_KEY]
    if names:
        return _("Invalid input in: %(names)s.") % {"names": ", ".join(names)}
    return " ".join(errors.get(api_settings.NON_FIELD_ERRORS_KEY, [])) or _("Invalid input.")
