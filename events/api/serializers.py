from datetime import UTC

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events import covers, fragments, recurrence
from events.models import MAX_TECHNOLOGIES, Event, Series, Technology, clean_technology_names


class StrictTextMixin:
    """Only JSON strings: DRF would turn numbers into text, and a lone surrogate
    (valid in JSON, invalid in UTF-8) would fail in the database instead."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not _is_encodable(data):
            self.fail("invalid")
        return super().to_internal_value(data)


def _is_encodable(text):
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


class StrictCharField(StrictTextMixin, serializers.CharField):
    pass


class StrictEmailField(StrictTextMixin, serializers.EmailField):
    pass


class StrictURLField(StrictTextMixin, serializers.URLField):
    pass


class StrictBooleanField(serializers.BooleanField):
    """Only JSON true and false, not the strings and numbers DRF also accepts."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with a UTC offset: a time without one would be ambiguous."""

    default_error_messages = {
        "naive": _("Include the UTC offset, e.g. 2025-06-10T19:00:00-03:00."),
    }

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        try:
            # Databases store UTC: a time at the edge of year 1 or 9999 may not fit.
            value.astimezone(UTC)
        except OverflowError:
            self.fail("overflow")
        return super().enforce_timezone(value)


class TechnologySerializer(serializers.ModelSerializer):
    class Meta:
        model = Technology
        fields = ["name", "slug"]


class TechnologyWithCountSerializer(TechnologySerializer):
    upcoming_event_count = serializers.IntegerField(
        read_only=True, help_text=_("Published events with this technology not over yet.")
    )

    class Meta(TechnologySerializer.Meta):
        fields = [*TechnologySerializer.Meta.fields, "upcoming_event_count"]


class CitySerializer(serializers.Serializer):
    city = serializers.CharField(source="name", read_only=True)
    event_count = serializers.IntegerField(
        read_only=True, help_text=_("Public events (past and upcoming) in this city.")
    )


class TechnologiesField(serializers.Field):
    """Technology names on input (created when new, matched case-insensitively by
    the services); objects with name and slug on output. See events.api.schema."""

    default_error_messages = {"not_a_list": _("Expected a list of technology names.")}
    max_items = MAX_TECHNOLOGIES

    def to_internal_value(self, data):
        if not isinstance(data, list) or not all(
            isinstance(name, str) and _is_encodable(name) and "\x00" not in name for name in data
        ):
            self.fail("not_a_list")
        try:
            return clean_technology_names(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def get_attribute(self, instance):
        return instance.technology_list

    def to_representation(self, technologies):
        return [self._technology_serializer.to_representation(t) for t in technologies]

    @cached_property
    def _technology_serializer(self):
        # One for every event of a page: building a serializer's fields costs more
        # than serializing a technology.
        return TechnologySerializer()


class RecurrenceSerializer(serializers.Serializer):
    """How a new event repeats (events.recurrence): validated into a Rule."""

    frequency = serializers.ChoiceField(
        choices=recurrence.Frequency.choices,
        help_text=_(
            "weekly (every `interval` weeks), monthly_day (the same day of the month) or "
            "monthly_weekday (the same weekday, e.g. 2nd Thursday: `weekday_position`)."
        ),
    )
    interval = serializers.IntegerField(
        min_value=1,
        max_value=recurrence.MAX_INTERVAL,
        default=1,
        help_text=_("Every how many weeks or months."),
    )
    weekday_position = serializers.ChoiceField(
        choices=recurrence.WeekdayPosition.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "For monthly_weekday: 1 to 5, or -1 for the last one of the month. "
            "Dropped for the other frequencies."
        ),
    )
    until = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The last possible date, on the event's clock. Give it or `count`."),
    )
    count = serializers.IntegerField(
        min_value=2,
        max_value=recurrence.MAX_OCCURRENCES,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The number of dates. Give it or `until`. At most a year of dates."),
    )

    def validate(self, data):
        return recurrence.Rule(**data)


class SeriesLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The series' number."))
    url = serializers.URLField(help_text=_("The series and its dates in the API."))


class EventSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
        models.URLField: StrictURLField,
        models.BooleanField: StrictBooleanField,
        models.DateTimeField: AwareDateTimeField,
    }

    technologies = TechnologiesField(
        required=False,
        help_text=_(
            "Names on input (created when new, matched ignoring case); "
            "objects with name and slug on output."
        ),
    )
    page_url = serializers.SerializerMethodField(help_text=_("The event's public page."))
    cover_image = serializers.SerializerMethodField(
        help_text=_(
            "The cover image's copies by format (webp, jpg), each a list of url and width; "
            "null without one. Sent with PUT to the event's cover/ address."
        )
    )
    series = serializers.SerializerMethodField(
        help_text=_("The series this event is a date of; null for a single event.")
    )
    recurrence = RecurrenceSerializer(
        write_only=True,
        required=False,
        allow_null=True,
        help_text=_(
            "Only when creating: make the event a series, one event per date from "
            "`starts_at` on. The answer is the first date; its edit token acts on every date."
        ),
    )
    confirm_duplicate = StrictBooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=_(
            "When creating: publish even though an event with the same title, start and "
            "city exists (otherwise 400)."
        ),
    )

    class Meta:
        model = Event
        fields = [
            "slug",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "time_zone",
            "mode",
            "city",
            "state",
            "venue",
            "address",
            "online_url",
            "technologies",
            "organizer_name",
            "organizer_email",
            "url",
            "is_free",
            "price_from",
            "price_to",
            "currency",
            "tickets_url",
            "status",
            "rejection_reason",
            "cancellation_reason",
            "created_at",
            "updated_at",
            "revision",
            "page_url",
            "cover_image",
            "series",
            "recurrence",
            "confirm_duplicate",
        ]
        read_only_fields = ["slug", "created_at", "updated_at", "revision"]
        extra_kwargs = {
            "organizer_email": {
                "help_text": _(
                    "Private: receives the edit link. Shown only to staff and to the "
                    "holder of the edit token."
                )
            },
            "time_zone": {
                "help_text": _(
                    "IANA name of the zone where the event happens, e.g. America/Manaus. "
                    "Times are shown on its clock. When left out on creation: the zone of "
                    "the city, else America/Sao_Paulo."
                )
            },
            "status": {
                "help_text": _(
                    "Set by staff. The edit token holder may only cancel a published event, "
                    "and publish it again while it has not started."
                )
            },
            "is_free": {"help_text": _("Free events have no price.")},
            "price_from": {
                "help_text": _("The cheapest ticket, or the only price; only for paid events.")
            },
            "price_to": {"help_text": _("The most expensive ticket, when prices vary.")},
            "currency": {"help_text": _("ISO 4217 code of the prices.")},
            "rejection_reason": {
                "help_text": _(
                    "Set by staff when rejecting. Shown only to staff and to the holder of "
                    "the edit token."
                )
            },
            "cancellation_reason": {
                "help_text": _("Shown on the public page of a cancelled event.")
            },
            "revision": {
                "help_text": _(
                    "Grows with every change; the answer's ETag. Send it back in If-Match to "
                    "change the event only if nobody changed it since."
                )
            },
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, event):
        return self.context["request"].build_absolute_uri(event.get_absolute_url())

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "url": {"type": "string", "format": "uri"},
                        "width": {"type": "integer"},
                    },
                },
            },
        }
    )
    def get_cover_image(self, event):
        sources = event.cover_sources()
        if sources is None:
            return None
        absolute = self.context["request"].build_absolute_uri
        return {
            extension: [{"url": absolute(url), "width": width} for url, width in copies]
            for extension, copies in sources.items()
        }

    @extend_schema_field(SeriesLinkSerializer(allow_null=True))
    def get_series(self, event):
        if event.series_id is None:
            return None
        url = reverse("api:series-detail", args=[event.series_id])
        return {"id": event.series_id, "url": self.context["request"].build_absolute_uri(url)}

    def validate_recurrence(self, rule):
        if self.instance is not None and rule is not None:
            raise serializers.ValidationError(_("Only when creating an event."))
        return rule

    def to_internal_value(self, data):
        """Fields that the writer may not write are refused, not ignored: a client
        that sends them expects them to count. The schema says so with
        `additionalProperties: false` (events.api.schema.ClosedRequestExtension)."""
        names = set(data) if isinstance(data, dict) else set()
        read_only = {name for name, field in self.fields.items() if field.read_only}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = exc.detail
        else:
            errors = {}
        errors.update({name: [_("Unknown field.")] for name in sorted(names - set(self.fields))})
        errors.update({name: [_("This field is read-only.")] for name in sorted(names & read_only)})
        if errors:
            raise serializers.ValidationError(errors)
        return value

    def to_representation(self, event):
        if self.context.get("public_read"):
            return fragments.kept_for_event(
                "api-event", event, lambda: self._representation(event), *self.context["site"]
            )
        return self._representation(event)

    def _representation(self, event):
        # Times with the offset of the event's own clock.
        with timezone.override(event.zone):
            data = super().to_representation(event)
        if not self.context.get("shows_private_fields"):
            del data["organizer_email"]
            del data["rejection_reason"]
        return data

    def event_fields(self):
        """The validated model fields, and the technology names (None: unchanged)."""
        fields = dict(self.validated_data)
        fields.pop("confirm_duplicate", None)
        fields.pop("recurrence", None)
        if self.instance is None:
            # Empty: the model takes the city's zone.
            fields.setdefault("time_zone", "")
        elif not self.partial:
            # A PUT replaces the event: what it leaves out becomes empty (or its
            # default), as on creation. The status is a step, not a value: kept
            # unless sent.
            for name in self.replaced_fields():
                fields.setdefault(name, Event._meta.get_field(name).get_default())
            fields.setdefault("technologies", [])
        return fields, fields.pop("technologies", None)

    def replaced_fields(self):
        skipped = {"status", "technologies", "confirm_duplicate"}
        return [
            name
            for name, field in self.fields.items()
            if not field.read_only and name not in skipped
        ]

    @property
    def confirms_duplicate(self):
        return self.validated_data.get("confirm_duplicate", False)

    @property
    def recurrence_rule(self):
        return self.validated_data.get("recurrence")


class SeriesSerializer(serializers.ModelSerializer):
    """A series and its public dates, soonest first."""

    events = serializers.SerializerMethodField(help_text=_("Its public dates, soonest first."))
    calendar_url = serializers.SerializerMethodField(
        help_text=_("Every public date as an iCalendar file.")
    )

    class Meta:
        model = Series
        fields = [
            "id",
            "frequency",
            "interval",
            "weekday_position",
            "until",
            "count",
            "calendar_url",
            "events",
        ]
        extra_kwargs = {
            "weekday_position": {
                "help_text": _(
                    "For monthly_weekday: 1 to 5, or -1 for the last one of the month; "
                    "null for the other frequencies."
                )
            }
        }

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, series):
        events = series.events.public().with_technologies().order_by("starts_at", "pk")
        return EventSerializer(events, many=True, context=self.context).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_calendar_url(self, series):
        url = reverse("events:series-calendar", kwargs={"pk": series.pk})
        return self.context["request"].build_absolute_uri(url)


def _without(*names):
    return [name for name in EventSerializer.Meta.fields if name not in names]


class EventWriteSerializer(EventSerializer):
    """What one kind of client may send; answers show the whole event (EventSerializer).

    The API validates each write with the serializer of the writer's role, and the
    OpenAPI document shows each as its own request body: one rule for both."""

    def to_representation(self, event):
        return EventSerializer(event, context=self.context).data


class EventSubmissionSerializer(EventWriteSerializer):
    """A new event from anyone but staff: the status and the rejection are staff's."""

    class Meta(EventSerializer.Meta):
        fields = _without("status", "rejection_reason")


class EventOrganizerEditSerializer(EventWriteSerializer):
    """A change by the holder of the edit token: the status only to cancel a published
    event or publish it again while it has not started."""

    class Meta(EventSerializer.Meta):
        fields = _without("rejection_reason", "confirm_duplicate", "recurrence")

    def validate_status(self, status):
        event = self.instance
        if status == event.status:
            return status
        if status == Event.Status.CANCELLED and event.organizer_can_cancel:
            return status
        if status == Event.Status.PUBLISHED and event.organizer_can_restore():
            return status
        raise serializers.ValidationError(_("Only staff can set this status."))


class EventStaffEditSerializer(EventWriteSerializer):
    """A change by staff with the permission to change events: every field."""

    class Meta(EventSerializer.Meta):
        fields = _without("confirm_duplicate", "recurrence")


class EventCreatedSerializer(EventSerializer):
    """The answer to a creation: the only time the edit token is ever shown.

    The token and the edit link come from the context (`submission`, an
    events.services.Submission): the event itself never holds them."""

    edit_token = serializers.CharField(
        read_only=True, help_text=_("Secret: keep it to edit or delete the event later.")
    )
    edit_url = serializers.URLField(
        read_only=True, help_text=_("Private page of the site where the event can be edited.")
    )

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "edit_token", "edit_url"]

    def to_representation(self, event):
        submission = self.context["submission"]
        return {
            **super().to_representation(event),
            "edit_token": submission.edit_token,
            "edit_url": submission.edit_url,
        }


class CoverUploadSerializer(serializers.Serializer):
    image = serializers.FileField(
        help_text=_("JPEG, PNG or WebP, at most 5 MB; re-encoded, without its metadata.")
    )

    def validate_image(self, upload):
        try:
            return covers.process_upload(upload)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
