from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination

from .filters import ONCE_ONLY

# Far beyond any real list, and within every database's OFFSET range.
MAX_OFFSET = 2**31 - 1


class EventPagination(LimitOffsetPagination):
    """limit/offset pages. Out-of-range or malformed values answer 400 rather than
    being silently replaced, so a client learns about its mistake."""

    default_limit = 20
    max_limit = 100

    def get_limit(self, request):
        return self._bounded_integer(
            request, self.limit_query_param, self.default_limit, 1, self.max_limit
        )

    def get_offset(self, request):
        return self._bounded_integer(request, self.offset_query_param, 0, 0, MAX_OFFSET)

    @staticmethod
    def _bounded_integer(request, name, default, minimum, maximum):
        values = request.query_params.getlist(name)
        if len(values) > 1:
            raise serializers.ValidationError({name: [ONCE_ONLY]})
        value = values[0] if values else ""
        if value == "":
            return default
        field = serializers.IntegerField(min_value=minimum, max_value=maximum)
        try:
            return field.run_validation(value)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({name: exc.detail}) from None

    def get_schema_operation_parameters(self, view):
        bounds = {
            self.limit_query_param: {
                "minimum": 1,
                "maximum": self.max_limit,
                "default": self.default_limit,
                "description": _("Number of events per page."),
            },
            self.offset_query_param: {
                "minimum": 0,
                "maximum": MAX_OFFSET,
                "default": 0,
                "description": _("Number of events to skip."),
            },
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            extra = bounds[parameter["name"]]
            parameter["description"] = extra.pop("description")
            parameter["schema"].update(extra)
        return parameters
