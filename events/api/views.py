from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from events import services
from events.models import Event, Series, Technology, public_events
from events.recurrence import RULE_FIELDS

from . import schema
from .exceptions import CoverStorageUnavailable
from .filters import EventApiFilter
from .pagination import EventPagination
from .permissions import EDIT_TOKEN_HEADER, EditTokenHolderOrEventManager, is_event_manager
from .serializers import (
    CitySerializer,
    CoverUploadSerializer,
    EventCreatedSerializer,
    EventOrganizerEditSerializer,
    EventSerializer,
    EventStaffEditSerializer,
    EventSubmissionSerializer,
    SeriesSerializer,
    TechnologyWithCountSerializer,
)
from .throttling import EditTokenThrottle, EventCreateThrottle


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "The event changed since the version named in If-Match: read it again and resend "
        "your change if it still applies."
    )
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _(
        "A PUT replaces the whole event: send the ETag of the version you read in "
        "If-Match, so that it replaces nobody else's change."
    )
    default_code = "precondition_required"


def etag(revision):
    return f'"{revision}"'


class EventWriteMixin:
    """Changes go through events.services, like the site's and the admin's.

    Answers carry the event's revision as ETag; a change sent with If-Match is
    made only if the event is still at that revision (412 otherwise). Answers
    that may carry the edit token or private fields are never stored by a cache.
    """

    def expected_revision(self):
        """The revision named by If-Match; None when absent or `*` (any version)."""
        condition = self.request.headers.get("If-Match")
        if condition is None or condition.strip() == "*":
            return None
        tags = parse_etags(condition)
        revisions = [tag.strip('"') for tag in tags if tag.startswith('"')]
        if len(tags) != 1 or not revisions or not revisions[0].isdigit():
            # Not an ETag this API gave (weak, foreign, or several): unconfirmed.
            raise PreconditionFailed()
        return int(revisions[0])

    def get_serializer_class(self):
        """Writes are validated by what the writer's role may write."""
        is_manager = self.acts_as_event_manager()
        if self.action == "create":
            return EventSerializer if is_manager else EventSubmissionSerializer
        if self.action in ("update", "partial_update"):
            return EventStaffEditSerializer if is_manager else EventOrganizerEditSerializer
        return EventSerializer

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial") and "If-Match" not in request.headers:
            # Not found and not allowed come first: they do not depend on the request's headers.
            self.get_object()
            raise PreconditionRequired()
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer):
        fields, technology_names = serializer.event_fields()
        event = serializer.instance
        # Organizers may only cancel and restore (EventOrganizerEditSerializer.validate_status).
        status = fields.pop("status", event.status)
        try:
            services.event_update_and_set_status(
                event=event,
                channel=services.Channel.API,
                changes=fields,
                status=status,
                technology_names=technology_names,
                following=self.for_following_dates(),
                expected_revision=self.expected_revision(),
                moderated=not self.acts_as_event_manager(),
                user=self.request.user,
            )
        except services.EventChanged:
            raise PreconditionFailed() from None

    def for_following_dates(self):
        """?following=true: the change is for this date of a series and the following ones."""
        value = self.request.query_params.get("following", "")
        if value not in ("", "true", "false"):
            raise ValidationError({"following": [_("Use true or false.")]})
        return value == "true"

    def deletes_following_dates(self):
        return self.for_following_dates()

    def perform_destroy(self, event):
        try:
            if self.deletes_following_dates():
                services.series_delete_following(
                    event=event,
                    channel=services.Channel.API,
                    expected_revision=self.expected_revision(),
                )
            else:
                services.event_delete(
                    event=event,
                    channel=services.Channel.API,
                    expected_revision=self.expected_revision(),
                )
        except services.EventChanged:
            raise PreconditionFailed() from None

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code in (200, 201) and "revision" in (response.data or {}):
            response["ETag"] = etag(response.data["revision"])
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.answers_privately():
            response["Cache-Control"] = "no-store"
        return response

    @schema.event_cover
    @action(
        detail=True, methods=["put", "delete"], url_path="cover", parser_classes=[MultiPartParser]
    )
    def cover(self, request, *args, **kwargs):
        """The event's cover image: PUT a multipart `image`, DELETE to remove it."""
        event = self.get_object()
        moderated = not self.acts_as_event_manager()
        if request.method == "DELETE":
            services.event_remove_cover(
                event=event, channel=services.Channel.API, moderated=moderated
            )
        else:
            upload = CoverUploadSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            image = upload.validated_data["image"]
            if not services.event_attach_cover(
                event=event, cover=image, channel=services.Channel.API, moderated=moderated
            ):
                raise CoverStorageUnavailable
        return Response(self.get_serializer(event).data)


@schema.event_viewset
class EventViewSet(
    EventWriteMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Events by slug: the edit token holder or staff with the model permission may
    change them (see EditTokenHolderOrEventManager)."""

    serializer_class = EventSerializer
    lookup_field = "slug"
    filterset_class = EventApiFilter
    pagination_class = EventPagination
    permission_classes = [EditTokenHolderOrEventManager]

    @property
    def edit_token(self):
        return self.request.headers.get(EDIT_TOKEN_HEADER)

    def acts_as_event_manager(self):
        # Whoever sends a token acts as its holder, staff included.
        return self.edit_token is None and is_event_manager(self.request.user, self.request.method)

    def answers_privately(self):
        return (
            self.action == "create" or self.edit_token is not None or self.acts_as_event_manager()
        )

    def filter_queryset(self, queryset):
        # The filters and their defaults (upcoming, published) narrow the list only:
        # one event is found by its slug whatever its date or status.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_queryset(self):
        if self.action == "list":
            return public_events()
        events = Event.objects.with_technologies()
        if self.edit_token is not None:
            return events.by_edit_token(self.edit_token, with_series_token=True)
        if self.acts_as_event_manager():
            return events
        return public_events()

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action == "create":
            throttles.append(EventCreateThrottle())
        if self.edit_token is not None:
            throttles.append(EditTokenThrottle())
        return throttles

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            # The creator and the token holder wrote the e-mail themselves.
            "shows_private_fields": self.acts_as_event_manager()
            or self.action == "create"
            or self.edit_token is not None,
            # Anonymous reads: representations kept by events.fragments, for the
            # site's address that their links use.
            "public_read": self.action in ("list", "retrieve") and not self.answers_privately(),
            "site": (self.request.scheme, self.request.get_host()),
        }

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields, technology_names = serializer.event_fields()
        rule = serializer.recurrence_rule
        # A DuplicateEvent is a ValidationError: a 400 (see events.api.exceptions).
        common = {
            "event": Event(**fields),
            "channel": services.Channel.API,
            "technology_names": technology_names,
            "request": request,
            "moderated": not self.acts_as_event_manager(),
            "confirm_duplicate": serializer.confirms_duplicate,
        }
        if rule is None:
            submission = services.event_submit(**common)
        else:
            try:
                submission = services.series_submit(rule=rule, **common)
            except DjangoValidationError as error:
                if not hasattr(error, "error_dict"):
                    raise
                raise ValidationError(_with_rule_errors_nested(error.message_dict)) from None
        event = submission.event
        context = {**self.get_serializer_context(), "submission": submission}
        location = request.build_absolute_uri(reverse("api:event-detail", args=[event.slug]))
        return Response(
            EventCreatedSerializer(event, context=context).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


def _with_rule_errors_nested(errors):
    """A refused series' errors as the request names its fields: the rule's parts
    under `recurrence`, the event's fields as they are."""
    rule_errors = {name: errors.pop(name) for name in RULE_FIELDS if name in errors}
    return {**errors, "recurrence": rule_errors} if rule_errors else errors


@schema.event_by_token_viewset
class EventByTokenViewSet(
    EventWriteMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The event addressed by its edit token alone, as the earlier Flask API did."""

    serializer_class = EventSerializer
    lookup_field = "token"
    lookup_value_regex = "[^/]+"
    throttle_classes = [EditTokenThrottle]

    def get_object(self):
        # A date's own token names that date; a series token (the creation answer's
        # edit_token for a recurring event) names its first date.
        event = (
            Event.objects.with_technologies()
            .by_edit_token(self.kwargs["token"], with_series_token=True)
            .order_by("starts_at", "pk")
            .first()
        )
        if event is None:
            raise NotFound()
        return event

    def acts_as_event_manager(self):
        # Whoever sends a token acts as its holder, staff included.
        return False

    def deletes_following_dates(self):
        # A series token names the whole series: deleting through it deletes every
        # remaining date, so the address it names is gone afterwards.
        return (
            self.for_following_dates()
            or Series.objects.by_edit_token(self.kwargs["token"]).exists()
        )

    def answers_privately(self):
        return True

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "shows_private_fields": True}

    def finalize_response(self, request, response, *args, **kwargs):
        # Django logs every 4xx answer with its path, which here holds the token.
        response._has_been_logged = True
        return super().finalize_response(request, response, *args, **kwargs)


@schema.series_viewset
class SeriesViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A series of events and its public dates."""

    serializer_class = SeriesSerializer
    queryset = Series.objects.all()

    def get_object(self):
        series = super().get_object()
        if not series.events.public().exists():
            raise NotFound()
        return series


@schema.technology_viewset
class TechnologyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TechnologyWithCountSerializer
    queryset = Technology.objects.public().with_upcoming_event_counts().order_by(Lower("name"))


@schema.city_viewset
class CityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CitySerializer
    queryset = Event.objects.public().cities()


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def not_found(request, *args, **kwargs):
    """Any other path under /api/: a 404 in the API's error shape, not the site's page."""
    raise NotFound()
