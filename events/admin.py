import csv
import re
from contextlib import suppress

from django.contrib import admin, messages
from django.contrib.admin.utils import get_deleted_objects
from django.db import models
from django.db.models import Case, Count, ExpressionWrapper, F, Q, When
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .forms import EventAdminForm
from .models import Event, Report, Series, StatusChange, Technology
from .time_zones import utc_offset_label

CSV_FIELDS = [
    "title",
    "slug",
    "starts_at",
    "ends_at",
    "time_zone",
    "mode",
    "city",
    "state",
    "venue",
    "address",
    "online_url",
    "organizer_name",
    "organizer_email",
    "url",
    "is_free",
    "price_from",
    "price_to",
    "currency",
    "tickets_url",
    "status",
    "cancellation_reason",
    "created_at",
    "updated_at",
]


# Spreadsheets run a cell as a formula when it starts with one of these characters
# (full-width forms included). A cell starts at the start of the value and after
# every separator: "," in most locales, ";" where "," is the decimal mark, as in
# Brazil, and after line breaks; spaces and quotes before the character count too.
_FORMULA_START = re.compile(r"(^|[,;\n\r])([\s\"]*?)(?=[=+\-@\t\r\uff1d\uff0b\uff0d\uff20])")


def _csv_safe(value):
    """The value with a quote before every character that some spreadsheet, in
    either separator convention, would read as the start of a formula."""
    return _FORMULA_START.sub(r"\1\2'", str(value))


class WhenFilter(admin.SimpleListFilter):
    """Upcoming events are what staff look after; "last 7 days" was not useful."""

    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", _("Happening from today")), ("past", _("Before today"))]

    def queryset(self, request, queryset):
        today = _start_of_today()
        if self.value() == "upcoming":
            return queryset.filter(starts_at__gte=today)
        if self.value() == "past":
            return queryset.filter(starts_at__lt=today)
        return queryset


class ReportedFilter(admin.SimpleListFilter):
    title = _("reports")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", _("Reported by visitors")), ("no", _("Not reported"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(report_count__gt=0)
        if self.value() == "no":
            return queryset.filter(report_count=0)
        return queryset


def _start_of_today():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def _local_start(event):
    local = event.local_starts_at
    return f"{date_format(local, 'SHORT_DATETIME_FORMAT')} {utc_offset_label(local)}"


class EventPartInline(admin.TabularInline):
    """Read-only rows that belong to the event: whoever may see the event sees them."""

    extra = 0

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("events.view_event")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StatusChangeInline(EventPartInline):
    model = StatusChange
    verbose_name_plural = _("Status history")
    fields = ["changed_at", "from_status", "to_status", "channel", "user"]
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False


class ReportInline(EventPartInline):
    model = Report
    fields = ["created_at", "reason", "text"]
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        # Dealt with: staff may clear a report.
        return request.user.has_perm("events.change_event")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = [
        "title",
        "local_start",
        "city",
        "mode",
        "status",
        "email_confirmed",
        "report_count",
        "technology_list",
    ]
    list_filter = [WhenFilter, "status", ReportedFilter, "mode", "city", "technologies"]
    inlines = [ReportInline, StatusChangeInline]
    search_fields = [
        "title",
        "description",
        "city",
        "venue",
        "organizer_name",
        "organizer_email",
        "technologies__name",
    ]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    ordering = ["-starts_at"]
    autocomplete_fields = ["technologies"]
    readonly_fields = ["slug", "created_at", "updated_at", "cover_preview", "series_link"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "status",
                    "rejection_reason",
                    "cancellation_reason",
                    "description",
                    "technologies",
                ]
            },
        ),
        (_("Cover image"), {"fields": ["cover_preview", "remove_cover"]}),
        (_("When"), {"fields": ["starts_at", "ends_at", "time_zone", "series_link"]}),
        (_("Where"), {"fields": ["mode", "city", "state", "venue", "address", "online_url"]}),
        (_("Organizer"), {"fields": ["organizer_name", "organizer_email", "url"]}),
        (
            _("Price"),
            {"fields": ["is_free", "price_from", "price_to", "currency", "tickets_url"]},
        ),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]
    actions = [
        "publish",
        "reject",
        "move_to_pending",
        "cancel",
        "duplicate",
        "export_csv",
        "issue_edit_link",
    ]

    def get_queryset(self, request):
        # Not super(): its ordering names these annotations before they exist.
        is_past = Q(starts_at__lt=_start_of_today())
        return (
            Event.objects.annotate(
                report_count=Count("reports", distinct=True),
                is_past=ExpressionWrapper(is_past, output_field=models.BooleanField()),
                upcoming_order=Case(When(is_past, then=None), default=F("starts_at")),
            )
            .prefetch_related("technologies")
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        # Upcoming events first, soonest first; then past ones, most recent first.
        return ["is_past", "upcoming_order", "-starts_at"]

    # An unconfirmed event stays off the site even when approved: staff see why.
    @admin.display(description=_("address confirmed"), boolean=True)
    def email_confirmed(self, event):
        return not event.awaiting_email_confirmation

    @admin.display(description=_("reports"), ordering="report_count")
    def report_count(self, event):
        return event.report_count

    @admin.display(description=_("starts at"), ordering="starts_at")
    def local_start(self, event):
        return _local_start(event)

    @admin.display(description=_("series"))
    def series_link(self, event):
        if event.series_id is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:events_series_change", args=[event.series_id]),
            event.series.get_frequency_display(),
        )

    @admin.display(description=_("technologies"))
    def technology_list(self, event):
        return ", ".join(technology.name for technology in event.technologies.all())

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "pending_count": Event.objects.pending().count(),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("cover image"))
    def cover_preview(self, event):
        sources = event.cover_sources()
        if not sources:
            return _("None")
        url, _width = sources["jpg"][0]
        return format_html('<img src="{}" alt="" style="max-width: 240px">', url)

    def save_model(self, request, obj, form, change):
        if not change:
            services.event_create(
                event=obj, channel=services.Channel.ADMIN, moderated=False, user=request.user
            )
            return
        changed = set(form.changed_data)
        if "time_zone" in changed:
            # The same wall-clock times in another zone are other moments.
            changed.update(["starts_at", "ends_at"])
        changes = {
            field.name: getattr(obj, field.name)
            for field in Event._meta.concrete_fields
            if field.name in changed
        }
        try:
            services.event_update(
                event=obj,
                channel=services.Channel.ADMIN,
                changes=changes,
                moderated=False,
                user=request.user,
            )
            if form.cleaned_data.get("remove_cover") and obj.cover:
                services.event_remove_cover(
                    event=obj, channel=services.Channel.ADMIN, moderated=False
                )
        except Event.DoesNotExist:
            raise Http404 from None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.refresh_search_text(form.instance)

    def delete_model(self, request, obj):
        services.event_delete(event=obj, channel=services.Channel.ADMIN)

    def delete_queryset(self, request, queryset):
        for event in queryset:
            # Already deleted by someone else meanwhile: nothing left to do.
            with suppress(Event.DoesNotExist):
                services.event_delete(event=event, channel=services.Channel.ADMIN)

    def _set_status(self, request, queryset, status):
        for event in queryset:
            services.event_set_status(
                event=event, status=status, channel=services.Channel.ADMIN, user=request.user
            )
        count = len(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d event is now %(status)s.",
                "%(count)d events are now %(status)s.",
                count,
            )
            % {"count": count, "status": Event.Status(status).label.lower()},
            messages.SUCCESS,
        )

    @admin.action(description=_("Publish the selected events"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Event.Status.PUBLISHED)

    @admin.action(
        description=_("Reject the selected events (give a reason on each event's page)"),
        permissions=["change"],
    )
    def reject(self, request, queryset):
        self._set_status(request, queryset, Event.Status.REJECTED)

    @admin.action(description=_("Move the selected events back to pending"), permissions=["change"])
    def move_to_pending(self, request, queryset):
        self._set_status(request, queryset, Event.Status.PENDING)

    @admin.action(description=_("Cancel the selected events"), permissions=["change"])
    def cancel(self, request, queryset):
        self._set_status(request, queryset, Event.Status.CANCELLED)

    @admin.action(description=_("Duplicate the selected events (as pending)"), permissions=["add"])
    def duplicate(self, request, queryset):
        for event in queryset:
            copy = services.event_duplicate(event=event)
            self.message_user(
                request,
                _("Created “%(title)s”: adjust its dates and publish it.") % {"title": copy.title},
                messages.SUCCESS,
            )

    @admin.action(description=_("Export the selected events as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"events-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        writer = csv.writer(response)
        writer.writerow([*CSV_FIELDS, "technologies"])
        for event in queryset:
            row = [getattr(event, field) for field in CSV_FIELDS]
            row.append(", ".join(technology.name for technology in event.technologies.all()))
            writer.writerow([_csv_safe(value) for value in row])
        return response

    @admin.action(
        description=_("Issue a new edit link (the old one stops working)"), permissions=["change"]
    )
    def issue_edit_link(self, request, queryset):
        # Shown on a page of its own, never through the messages framework, whose
        # cookie is signed but readable by anyone who holds it.
        links = [
            (event, services.edit_link(request, services.event_issue_edit_token(event=event)))
            for event in queryset
        ]
        response = TemplateResponse(
            request,
            "admin/events/event/edit_links.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("New edit links"),
                "links": links,
            },
        )
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "strict-origin"
        return response


@admin.register(Technology)
class TechnologyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "event_count"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_count=Count("events"))

    @admin.display(description=_("events"), ordering="event_count")
    def event_count(self, technology):
        return technology.event_count

    def save_model(self, request, obj, form, change):
        services.technology_save(technology=obj)

    def delete_model(self, request, obj):
        services.technology_delete(technology=obj)

    def delete_queryset(self, request, queryset):
        for technology in queryset:
            services.technology_delete(technology=technology)


class SeriesEventInline(EventPartInline):
    """The dates of a series, each changed on its own event page."""

    model = Event
    fields = ["event_link", "local_start", "status"]
    readonly_fields = fields
    ordering = ["starts_at", "pk"]
    verbose_name_plural = _("Dates")

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("event"))
    def event_link(self, event):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:events_event_change", args=[event.pk]), event
        )

    @admin.display(description=_("starts at"))
    def local_start(self, event):
        return _local_start(event)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    """A series as a whole: its rule, its dates, and actions on all its upcoming dates.
    Whoever may manage events may manage series (the "Event managers")."""

    list_display = ["__str__", "frequency", "interval", "date_count", "created_at"]
    list_filter = ["frequency"]
    search_fields = ["events__title"]
    fields = ["frequency", "interval", "weekday_position", "until", "count", "created_at"]
    readonly_fields = fields
    inlines = [SeriesEventInline]
    actions = ["publish_all", "cancel_all"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_title().annotate(date_count=Count("events"))

    @admin.display(description=_("dates"), ordering="date_count")
    def date_count(self, series):
        return series.date_count

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("events.view_event")

    def has_add_permission(self, request):
        # A series comes from a submission, on the site or through the API.
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("events.change_event")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("events.delete_event")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def get_deleted_objects(self, objs, request):
        # Deleting a series deletes its dates (services.series_delete), which its
        # foreign key alone would keep: the confirmation lists them too.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        dates = list(Event.objects.filter(series__in=objs).order_by("starts_at", "pk"))
        dates_deleted, date_counts, date_perms_needed, dates_protected = get_deleted_objects(
            dates, request, self.admin_site
        )
        return (
            [*deleted, *dates_deleted],
            {**counts, **date_counts},
            perms_needed | date_perms_needed,
            [*protected, *dates_protected],
        )

    def delete_model(self, request, obj):
        services.series_delete(series=obj, channel=services.Channel.ADMIN)

    def delete_queryset(self, request, queryset):
        for series in queryset:
            services.series_delete(series=series, channel=services.Channel.ADMIN)

    def _set_status(self, request, queryset, status):
        count = sum(
            services.series_set_status(
                series=series, status=status, channel=services.Channel.ADMIN, user=request.user
            )
            for series in queryset
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d date is now %(status)s.",
                "%(count)d dates are now %(status)s.",
                count,
            )
            % {"count": count, "status": Event.Status(status).label.lower()},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Publish the pending upcoming dates of the selected series"),
        permissions=["change"],
    )
    def publish_all(self, request, queryset):
        self._set_status(request, queryset, Event.Status.PUBLISHED)

    @admin.action(
        description=_("Cancel every upcoming date of the selected series"),
        permissions=["change"],
    )
    def cancel_all(self, request, queryset):
        self._set_status(request, queryset, Event.Status.CANCELLED)
