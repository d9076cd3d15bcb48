"""The filters of the event lists, shared by the pages, the feeds and the API,
so one query string means the same everywhere."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import SiteForm
from .models import Event, Technology


class EventFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        max_length=200,
        help_text=_("Words in the title, description, city, venue, technologies or organizer."),
    )
    city = django_filters.CharFilter(
        field_name="city", lookup_expr="iexact", label=_("City"), max_length=100
    )
    technology = django_filters.ModelMultipleChoiceFilter(
        field_name="technologies__slug",
        to_field_name="slug",
        queryset=Technology.objects.all(),
        label=_("Technology"),
        help_text=_("Technology slug; repeat the parameter for several (any of them matches)."),
    )
    mode = django_filters.ChoiceFilter(
        choices=Event.Mode.choices, label=_("Mode"), empty_label=_("Any mode")
    )
    is_free = django_filters.TypedChoiceFilter(
        choices=[("", _("Any price")), ("true", _("Free")), ("false", _("Paid"))],
        coerce=lambda value: value == "true",
        label=_("Price"),
    )
    starts_after = django_filters.DateFilter(
        field_name="starts_at",
        lookup_expr="date__gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    starts_before = django_filters.DateFilter(
        field_name="starts_at",
        lookup_expr="date__lte",
        label=_("Until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Event
        form = SiteForm
        fields = [
            "search",
            "city",
            "technology",
            "mode",
            "is_free",
            "starts_after",
            "starts_before",
        ]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
