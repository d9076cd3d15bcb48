from datetime import UTC

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events.forms import MAX_TECHNOLOGIES
from events.models import (
    Event,
    Technology,
    validate_no_control_characters,
    validate_technology_name,
)


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

    default_error_messages = {
        "not_a_list": _("Expected a list of technology names."),
        "too_many": _("Use at most {max} technologies."),
    }
    max_items = MAX_TECHNOLOGIES

    def to_internal_value(self, data):
        if not isinstance(data, list) or not all(
            isinstance(name, str) and _is_encodable(name) and "\x00" not in name for name in data
        ):
            self.fail("not_a_list")
        if len(data) > self.max_items:
            self.fail("too_many", max=self.max_items)
        for name in data:
            if name.strip():
                try:
                    validate_no_control_characters(name)
                    validate_technology_name(" ".join(name.split()))
                except DjangoValidationError as error:
                    raise serializers.ValidationError(error.messages) from None
        return data

    def to_representation(self, technologies):
        return TechnologySerializer(technologies.all(), many=True).data


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
            "status",
            "created_at",
            "updated_at",
            "page_url",
            "confirm_duplicate",
        ]
        read_only_fields = ["slug", "created_at", "updated_at"]
        extra_kwargs = {
            "organizer_email": {
                "help_text": _(
                    "Private: receives the edit link. Shown only to staff and to the "
                    "holder of the edit token."
                )
            },
            "status": {
                "help_text": _(
                    "Set by staff. The edit token holder may only cancel a published event."
                )
            },
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, event):
        return self.context["request"].build_absolute_uri(event.get_absolute_url())

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = exc.detail
        else:
            errors = {}
        errors.update({name: [_("Unknown field.")] for name in unknown})
        if errors:
            raise serializers.ValidationError(errors)
        return value

    def to_representation(self, event):
        data = super().to_representation(event)
        if not self.context.get("shows_private_fields"):
            del data["organizer_email"]
        return data

    def validate_status(self, status):
        current = self.instance.status if self.instance else None
        if self.context.get("is_event_manager") or status == current:
            return status
        if (
            self.instance
            and status == Event.Status.CANCELLED
            and self.instance.organizer_can_cancel
        ):
            return status
        raise serializers.ValidationError(_("Only staff can set this status."))

    def validate(self, attrs):
        if self.instance is None and not attrs["confirm_duplicate"]:
            duplicate = Event.objects.similar_to(
                title=attrs["title"], starts_at=attrs["starts_at"], city=attrs.get("city", "")
            )
            if duplicate.exists():
                raise serializers.ValidationError(
                    _(
                        "An event with the same title, start and city already exists. If yours "
                        "is a different event, send it again with confirm_duplicate: true."
                    ),
                    code="duplicate",
                )
        return attrs

    def event_fields(self):
        """The validated model fields, and the technology names (None: unchanged)."""
        fields = dict(self.validated_data)
        fields.pop("confirm_duplicate", None)
        return fields, fields.pop("technologies", None)


class EventCreatedSerializer(EventSerializer):
    """The answer to a creation: the only time the edit token is ever shown."""

    edit_token = serializers.CharField(
        read_only=True, help_text=_("Secret: keep it to edit or delete the event later.")
    )
    edit_url = serializers.URLField(
        read_only=True, help_text=_("Private page of the site where the event can be edited.")
    )

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "edit_token", "edit_url"]
