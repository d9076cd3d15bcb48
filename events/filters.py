"""The filters of the event lists, shared by the pages, the feeds and the API,
so one query string means the same everywhere."""

import copy
import functools
from datetime import timedelta

import django_filters
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .forms import SiteForm
from .menus import filter_menus
from .models import SINGLE_LINE_TEXT, Event, PagedByKeys, Technology, public_events

ONCE_ONLY = _("Give this parameter once.")
# The filters that take several values (any of them matches).
REPEATABLE = {"technology"}


class FiltersBoundPerRequest(dict):
    """A FilterSet's base_filters. FilterSet.__init__ deep-copies them for each
    request (querysets and choices included) only to give each filter its FilterSet
    (`parent`, on which its method is looked up) and `model`. A shallow copy of each
    is enough: what a request sets on its filters goes into the copy's own
    attributes, and none of them changes what the copies share (`extra`, the field
    of the form class, see EventFilter.shared_form_class)."""

    def __deepcopy__(self, memo):
        return {name: _copy_to_bind(filter_) for name, filter_ in self.items()}


def _copy_to_bind(filter_):
    copied = copy.copy(filter_)
    if filter_.method is not None:
        # The copy's FilterMethod would still look the method up on the original
        # filter's parent (none): setting the method again makes the copy its own.
        copied.method = filter_.method
    return copied


class SharedFields(dict):
    """The fields of a form class that no form changes: BaseForm.__init__
    deep-copies base_fields (widgets, choices) into every form, so that one may
    change its own; the filter forms change none of theirs, and share them."""

    def __deepcopy__(self, memo):
        return dict(self)


class TechnologySlugsField(forms.MultipleChoiceField):
    """Technology slugs, as many as given. Which of them name a public technology
    is for FilterForm to say, with the technologies EventFilter read."""

    def valid_value(self, value):
        return True


class TechnologyFilter(django_filters.MultipleChoiceFilter):
    field_class = TechnologySlugsField


class FilterForm(forms.Form):
    """EventFilter's form: the chosen technologies are checked against those that
    EventFilter read, not read once more."""

    # {slug: public technology} of the technologies the request named, set on
    # each form by EventFilter.
    technologies = {}

    def clean_technology(self):
        slugs = self.cleaned_data["technology"]
        for slug in slugs:
            if slug not in self.technologies:
                raise forms.ValidationError(
                    forms.ModelMultipleChoiceField.default_error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": slug},
                )
        # In the order the technologies were read (by name), as the filter's
        # descriptions list them.
        return [technology for slug, technology in self.technologies.items() if slug in slugs]


class SiteFilterForm(FilterForm, SiteForm):
    pass


class EventFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        max_length=200,
        validators=SINGLE_LINE_TEXT,
        help_text=_("Words in the title, description, city, venue, technologies or organizer."),
    )
    city = django_filters.CharFilter(
        field_name="city",
        lookup_expr="iexact",
        label=_("City"),
        max_length=100,
        validators=SINGLE_LINE_TEXT,
    )
    technology = TechnologyFilter(
        field_name="technologies__slug",
        method="filter_technology",
        label=_("Technology"),
        help_text=_("Technology slug; repeat the parameter for several (any of them matches)."),
    )
    mode = django_filters.ChoiceFilter(
        choices=Event.Mode.choices, label=_("Mode"), empty_label=_("Any mode")
    )
    is_free = django_filters.TypedChoiceFilter(
        # The empty choice comes first so that the list's form does not filter by default.
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
        form = SiteFilterForm
        fields = [
            "search",
            "city",
            "technology",
            "mode",
            "is_free",
            "starts_after",
            "starts_before",
        ]

    def __init__(self, data=None, *args, lenient=False, **kwargs):
        """`lenient`: drop the values that are not valid (e.g. a technology removed
        since a link was shared) instead of refusing the request; `ignored` lists
        them for a notice. Pages, feeds and the embed are lenient, the API is not."""
        self.ignored = []
        if data is not None:
            data = data.copy()
            if lenient:
                # A blank field of a form (`city=`) means no filter: sent twice, it
                # is no repeated parameter, and it is not worth a notice.
                for name in self.base_filters:
                    values = [value for value in data.getlist(name) if value]
                    if values:
                        data.setlist(name, values)
                    else:
                        data.pop(name, None)
            # The list's "any technology" option sends `technology=`: it means no filter.
            slugs = [slug for slug in data.getlist("technology") if slug]
            # Former slugs of renamed technologies mean the technology. Technologies
            # of pending events only are nobody's business yet. (Their QuerySet is
            # worth building only for a request that names some.)
            technologies = Technology.objects.public().by_slugs(slugs) if slugs else {}
            if lenient:
                label = self.base_filters["technology"].label
                self.ignored += [(label, slug) for slug in slugs if slug not in technologies]
                slugs = [slug for slug in slugs if slug in technologies]
            current = [technologies[slug].slug if slug in technologies else slug for slug in slugs]
            data.setlist("technology", list(dict.fromkeys(current)))
            self._technologies = {
                technology.slug: technology for technology in technologies.values()
            }
        else:
            self._technologies = {}
        super().__init__(data, *args, **kwargs)
        if lenient and data is not None and not self.is_valid():
            for name in self.form.errors:
                label = self.filters[name].label
                self.ignored += [(label, value) for value in self.data.getlist(name)]
                self.data.pop(name)
            del self._form
            self.form.is_valid()

    @classmethod
    def get_filters(cls):
        return FiltersBoundPerRequest(super().get_filters())

    def get_form_class(self):
        return self.shared_form_class()

    @classmethod
    @functools.cache
    def shared_form_class(cls):
        """The form class of this FilterSet class, built once: django-filter builds
        one for each request (get_form_class), with new fields."""
        fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
        form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
        form_class.base_fields = SharedFields(form_class.base_fields)
        return form_class

    @property
    def form(self):
        if not hasattr(self, "_form"):
            super().form.technologies = self._technologies
        return self._form

    def is_valid(self):
        """A filter of one value given more than once is invalid whatever the order of
        its values (`?mode=x&mode=online` as `?mode=online&mode=x`): the form alone
        would judge the last one only. The API refuses it; pages ignore it."""
        valid = super().is_valid()
        repeated = [
            name
            for name in self.filters
            if name not in REPEATABLE and self.is_bound and len(self.data.getlist(name)) > 1
        ]
        for name in repeated:
            if ONCE_ONLY not in self.form.errors.get(name, []):
                self.form.add_error(name, ONCE_ONLY)
        return valid and not repeated

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_technology(self, queryset, name, technologies):
        return queryset.with_any_technology(technologies)

    @property
    def chosen_technologies(self):
        """The valid technologies the request chose, read once (see __init__)."""
        return self.form.cleaned_data.get("technology") or []

    def names_in_use(self):
        """The filters the request gives a value to (valid or not)."""
        return names_given(self.filters, self.data)

    def paged(self):
        """The filtered events as paginators take them. A list the filters narrow
        is read keys first (EventQuerySet.rows); the whole list is read in the
        order of its index as it is, where keys first would only cost a second
        query to build."""
        return PagedByKeys(self.qs) if self.names_in_use() else self.qs

    def query_string(self, **extra):
        """The request's filter parameters alone (no page number, no unknown keys), then
        `extra`: the same filters for feeds, the embed and canonical links."""
        pairs = [(name, value) for name in self.filters for value in self.data.getlist(name)]
        return urlencode([(name, value) for name, value in pairs if value] + list(extra.items()))

    @cached_property
    def active_filters(self):
        """The valid active filters, each as (parameter, value, description), e.g.
        ("technology", "python", "Python"): described once for the feeds' titles,
        the list's heading and its removable chips. `value` is None for a parameter
        that takes one value."""
        data = self.form.cleaned_data
        active = [
            ("technology", technology.slug, technology.name)
            for technology in self.chosen_technologies
        ]
        if data.get("city"):
            active.append(("city", None, self._city_name(data["city"])))
        if data.get("mode"):
            active.append(("mode", None, str(Event.Mode(data["mode"]).label)))
        if data.get("is_free") is True:
            active.append(("is_free", None, str(_("Free"))))
        elif data.get("is_free") is False:
            active.append(("is_free", None, str(_("Paid"))))
        if data.get("starts_after"):
            date = date_format(data["starts_after"], "SHORT_DATE_FORMAT")
            active.append(("starts_after", None, _("from %(date)s") % {"date": date}))
        if data.get("starts_before"):
            date = date_format(data["starts_before"], "SHORT_DATE_FORMAT")
            active.append(("starts_before", None, _("until %(date)s") % {"date": date}))
        if data.get("search"):
            active.append(("search", None, _("“%(search)s”") % {"search": data["search"]}))
        return active

    def _effective_pairs(self):
        """The filter parameters as the filters read them: every technology, and the
        last value of the others."""
        pairs = []
        for name in self.filters:
            values = self.data.getlist(name) if name == "technology" else [self.data.get(name)]
            pairs += [(name, value) for value in values if value]
        return pairs

    def describe(self):
        """Short descriptions of the valid active filters, e.g. ["Python", "Recife"]."""
        return [description for _name, _value, description in self.active_filters]

    def removable_filters(self):
        """(description, query string without that filter): the list's chips."""
        chips = []
        for name, value, description in self.active_filters:
            pairs = [
                (key, kept)
                for key, kept in self._effective_pairs()
                if not (key == name and value in (None, kept))
            ]
            chips.append((description, urlencode(pairs)))
        return chips

    def shortcuts(self, today):
        """(label, query string, applied) of the list's quick filters: this week (Monday
        to Sunday), this weekend, online; each keeps the other filters in use."""
        monday = today - timedelta(days=today.weekday())
        sunday = monday + timedelta(days=6)
        presets = [
            (_("This week"), {"starts_after": monday, "starts_before": sunday}),
            (
                _("This weekend"),
                {"starts_after": monday + timedelta(days=5), "starts_before": sunday},
            ),
            (_("Online"), {"mode": Event.Mode.ONLINE}),
        ]
        links = []
        for label, preset in presets:
            values = {name: str(value) for name, value in preset.items()}
            pairs = [(name, value) for name, value in self._effective_pairs() if name not in values]
            applied = all(self.data.get(name) == value for name, value in values.items())
            links.append((label, urlencode(pairs + list(values.items())), applied))
        return links

    @cached_property
    def menus(self):
        """The city and technology menus of the list pages (events.menus), once."""
        return filter_menus()

    def _city_name(self, city):
        """Visitors type "recife"; the events say "Recife": the spelling of the city
        menu, else of the events (a city the kept menu does not have yet)."""
        key = city.lower()
        for row in self.menus["cities"]:
            if row["key"] == key:
                return row["name"]
        spelled = Event.objects.public().filter(city__iexact=city).values_list("city", flat=True)
        return spelled.first() or city


def names_given(filters, query):
    """The names of `filters` that the query string gives a value to."""
    return {name for name in filters if any(query.getlist(name))}


def public_filterset(request, *, past=False):
    """The filters of the request over public upcoming (or past) events.

    Invalid values are ignored (see EventFilter's `lenient`): the list page says so,
    and calendar applications and widgets, which cannot show an error page, still
    get the events of the valid filters.
    """
    events = public_events().past() if past else public_events().upcoming()
    return EventFilter(request.GET, queryset=events, lenient=True)


def upcoming_filterset(request):
    """The request's filters over public upcoming events, for the feeds and the embed."""
    return public_filterset(request)


def feed_title(filterset):
    """Says what the feed holds, e.g. "Encontros Tech: Python · Recife"."""
    parts = filterset.describe()
    if not parts:
        return gettext("%(site)s: upcoming events") % {"site": settings.APP_TITLE}
    return gettext("%(site)s: %(filters)s") % {
        "site": settings.APP_TITLE,
        "filters": " · ".join(parts),
    }


def with_query(url, query_string):
    return f"{url}?{query_string}" if query_string else url


def subscription_links(request, filterset):
    """Absolute links to the calendar, feeds and embed holding the list's current filters."""
    query_string = filterset.query_string()

    def absolute(name):
        return request.build_absolute_uri(with_query(reverse(name), query_string))

    calendar_name = feed_title(filterset)
    calendar_url = absolute("events:calendar")
    embed_url = absolute("events:embed")
    return {
        "calendar_name": calendar_name,
        "calendar_url": calendar_url,
        "webcal_url": "webcal://" + calendar_url.split("://", 1)[1],
        "atom_url": absolute("events:atom"),
        "rss_url": absolute("events:rss"),
        "embed_url": embed_url,
        "embed_code": format_html(
            '<iframe src="{}" title="{}" width="100%" height="600" style="border:0" '
            'loading="lazy"></iframe>',
            embed_url,
            calendar_name,
        ),
    }
