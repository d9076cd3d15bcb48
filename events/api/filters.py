import copy

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.utils import extend_schema_field

from events.filters import EventFilter, FilterForm
from events.models import Event

TRUE_OR_FALSE = ["true", "false"]


def documented(filter_, **schema):
    """The filter with the OpenAPI schema that drf-spectacular cannot infer for it."""
    return extend_schema_field({"type": "string", **schema})(filter_)


def documented_shared(name, description, **schema):
    # A copy: the site's filter stays as it is.
    shared = EventFilter.declared_filters[name]
    return documented(copy.deepcopy(shared), description=description, **schema)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering with the primary key last, so that pages never overlap on ties
    (many events start at 19:00)."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.order_by(*(self.get_ordering_value(param) for param in value), "pk")


class EventApiFilter(EventFilter):
    """The site's filters, plus what pages express with their URL: past events and order."""

    technology = documented_shared(
        "technology",
        _("Technology slug; repeat the parameter for several (any of them matches)."),
    )
    is_free = documented_shared(
        "is_free", _("true: free events only; false: paid events only."), enum=TRUE_OR_FALSE
    )
    past = documented(
        django_filters.TypedChoiceFilter(
            choices=[("true", _("Past events")), ("false", _("Upcoming events"))],
            coerce=lambda value: value == "true",
            method="filter_past",
            label=_("Past"),
        ),
        enum=TRUE_OR_FALSE,
        description=_("true: events already over, most recent first. Default: upcoming events."),
    )
    status = documented(
        django_filters.ChoiceFilter(
            choices=[
                (Event.Status.PUBLISHED, Event.Status.PUBLISHED.label),
                (Event.Status.CANCELLED, Event.Status.CANCELLED.label),
            ],
            label=_("Status"),
        ),
        enum=[Event.Status.PUBLISHED, Event.Status.CANCELLED],
        description=_("published (default) or cancelled."),
    )
    ordering = StableOrderingFilter(
        fields=[("starts_at", "start"), ("created_at", "created")],
        field_labels={"starts_at": _("Start"), "created_at": _("Creation")},
        label=_("Ordering"),
        help_text=_("start or created; a leading minus sorts in descending order."),
    )

    class Meta(EventFilter.Meta):
        form = FilterForm
        fields = [*EventFilter.Meta.fields, "past", "status", "ordering"]

    def filter_queryset(self, queryset):
        if self.form.cleaned_data.get("past") in EMPTY_VALUES:
            queryset = queryset.upcoming()
        if self.form.cleaned_data.get("status") in EMPTY_VALUES:
            # The list is public() already: its published events, without repeating
            # public()'s condition on the organizer's confirmation (published()),
            # which would cost every query of the list its building and planning.
            queryset = queryset.filter(status=Event.Status.PUBLISHED)
        return super().filter_queryset(queryset)

    def filter_past(self, queryset, name, value):
        return queryset.past() if value else queryset.upcoming()
