from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination

from events.filters import ONCE_ONLY, names_given
from events.models import PagedByKeys

# Deeper pages cost the database a scan of every skipped row; no reader needs them.
MAX_OFFSET = 10_000


class EventPagination(LimitOffsetPagination):
    """limit/offset pages. Out-of-range or malformed values answer 400 rather than
    being silently replaced, so a client learns about its mistake."""

    default_limit = 20
    max_limit = 100

    def paginate_queryset(self, queryset, request, view=None):
        # As the site's lists (EventFilter.paged): keys first when filters narrow the list.
        if names_given(view.filterset_class.base_filters, request.query_params):
            queryset = PagedByKeys(queryset)
        return super().paginate_queryset(queryset, request, view)

    def get_limit(self, request):
        return self._bounded_integer(
            request, self.limit_query_param, self.default_limit, 1, self.max_limit
        )

    def get_offset(self, request):
        too_deep = _(
            "Offsets beyond %(max)s are not served: narrow the filters instead "
            "(starts_after, starts_before, city, technology, search)."
        ) % {"max": MAX_OFFSET}
        return self._bounded_integer(
            request, self.offset_query_param, 0, 0, MAX_OFFSET, max_value_message=too_deep
        )

    @staticmethod
    def _bounded_integer(request, name, default, minimum, maximum, max_value_message=None):
        values = request.query_params.getlist(name)
        if len(values) > 1:
            raise serializers.ValidationError({name: [ONCE_ONLY]})
        value = values[0] if values else ""
        if value == "":
            return default
        messages = {"max_value": max_value_message} if max_value_message else {}
        field = serializers.IntegerField(
            min_value=minimum, max_value=maximum, error_messages=messages
        )
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
                "description": _(
                    "Number of events to skip, at most %(max)s: narrow the filters to go further."
                )
                % {"max": MAX_OFFSET},
            },
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            extra = bounds[parameter["name"]]
            parameter["description"] = extra.pop("description")
            parameter["schema"].update(extra)
        return parameters
