import csv
from contextlib import suppress

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Event, Technology

CSV_FIELDS = [
    "title",
    "slug",
    "starts_at",
    "ends_at",
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
    "status",
    "created_at",
    "updated_at",
]


def _csv_safe(value):
    # Spreadsheets run cells starting with these characters as formulas.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class EventAdminForm(forms.ModelForm):
    remove_cover = forms.BooleanField(
        label=_("Remove the cover image"),
        required=False,
        help_text=_("Its files are deleted when you save."),
    )


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = ["title", "starts_at", "city", "mode", "status", "technology_list"]
    list_filter = ["status", "mode", "city", "technologies", "starts_at"]
    search_fields = [
        "title",
        "description",
        "city",
        "venue",
        "organizer_name",
        "organizer_email",
        "technologies__name",
    ]
    date_hierarchy = "starts_at"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    ordering = ["-starts_at"]
    autocomplete_fields = ["technologies"]
    readonly_fields = ["slug", "created_at", "updated_at", "cover_preview"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "description", "technologies"]}),
        (_("Cover image"), {"fields": ["cover_preview", "remove_cover"]}),
        (_("When"), {"fields": ["starts_at", "ends_at"]}),
        (_("Where"), {"fields": ["mode", "city", "state", "venue", "address", "online_url"]}),
        (_("Organizer"), {"fields": ["organizer_name", "organizer_email", "url", "is_free"]}),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]
    actions = [
        "publish",
        "move_to_pending",
        "cancel",
        "duplicate",
        "export_csv",
        "issue_edit_link",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("technologies")

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
            services.event_create(event=obj, channel=services.Channel.ADMIN, moderated=False)
            return
        changes = {
            field.name: getattr(obj, field.name)
            for field in Event._meta.concrete_fields
            if field.name in form.changed_data
        }
        try:
            services.event_update(event=obj, channel=services.Channel.ADMIN, changes=changes)
            if form.cleaned_data.get("remove_cover") and obj.cover:
                services.event_remove_cover(event=obj, channel=services.Channel.ADMIN)
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
            services.event_set_status(event=event, status=status, channel=services.Channel.ADMIN)
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
        for event in queryset:
            token = services.event_issue_edit_token(event=event)
            edit_url = services.edit_link(request, token)
            self.message_user(
                request,
                _(
                    "New edit link for “%(title)s”, shown only this once: %(url)s — "
                    "send it to the organizer."
                )
                % {"title": event.title, "url": edit_url},
                messages.WARNING,
            )


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
