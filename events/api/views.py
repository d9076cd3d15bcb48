from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from events import services
from events.models import Event, Technology

from .filters import EventApiFilter
from .pagination import EventPagination
from .permissions import EditTokenHolderOrEventManager, is_event_manager
from .schema import RETRY_AFTER, error_responses
from .serializers import (
    CitySerializer,
    EventCreatedSerializer,
    EventSerializer,
    TechnologyWithCountSerializer,
)
from .throttling import EditTokenThrottle, EventCreateThrottle

EDIT_TOKEN_HEADER = "X-Edit-Token"

EDIT_TOKEN_PARAMETER = OpenApiParameter(
    EDIT_TOKEN_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=_(
        "The event's edit token, given when it was created. With it anyone may read "
        "(even while pending), change and delete the event; a wrong token answers 404."
    ),
)
WRITE_ERRORS = (400, 401, 403, 404, 413, 415, 429)


class EventWriteMixin:
    """Changes go through events.services, like the site's and the admin's."""

    def perform_update(self, serializer):
        fields, technology_names = serializer.event_fields()
        event = serializer.instance
        for name, value in fields.items():
            setattr(event, name, value)
        services.event_update(
            event=event, channel=services.Channel.API, technology_names=technology_names
        )

    def perform_destroy(self, event):
        services.event_delete(event=event, channel=services.Channel.API)


@extend_schema_view(
    list=extend_schema(
        summary=_("List events"),
        description=_(
            "Published events not over yet, soonest first; `past=true` lists past events, "
            "most recent first, and `status=cancelled` the cancelled ones."
        ),
        responses={200: EventSerializer(many=True), **error_responses(400, 401)},
    ),
    create=extend_schema(
        summary=_("Publish an event"),
        description=_(
            "Anyone may publish. When the site requires approval, events from anyone but "
            "staff wait as pending. The answer is the only one that carries the edit token."
        ),
        responses={201: EventCreatedSerializer, **error_responses(400, 401, 403, 413, 415, 429)},
        parameters=[
            RETRY_AFTER,
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[201],
                description=_("The new event in the API."),
            ),
        ],
    ),
    retrieve=extend_schema(
        summary=_("Read an event"),
        description=_(
            "Published and cancelled events are public; pending ones only with the edit "
            "token or for staff."
        ),
        parameters=[EDIT_TOKEN_PARAMETER, RETRY_AFTER],
        responses={200: EventSerializer, **error_responses(401, 404, 429)},
    ),
    update=extend_schema(
        summary=_("Replace an event"),
        description=_(
            "For the holder of the edit token (X-Edit-Token) and for staff with the "
            "permission to change events. Technologies left out stay as they are."
        ),
        parameters=[EDIT_TOKEN_PARAMETER, RETRY_AFTER],
        responses={200: EventSerializer, **error_responses(*WRITE_ERRORS)},
    ),
    partial_update=extend_schema(
        summary=_("Change some fields of an event"),
        description=_(
            "For the holder of the edit token (X-Edit-Token) and for staff with the "
            "permission to change events."
        ),
        parameters=[EDIT_TOKEN_PARAMETER, RETRY_AFTER],
        responses={200: EventSerializer, **error_responses(*WRITE_ERRORS)},
    ),
    destroy=extend_schema(
        summary=_("Delete an event"),
        description=_(
            "For the holder of the edit token (X-Edit-Token) and for staff with the "
            "permission to delete events."
        ),
        parameters=[EDIT_TOKEN_PARAMETER, RETRY_AFTER],
        responses={204: None, **error_responses(401, 403, 404, 429)},
    ),
)
@extend_schema(
    # Anonymous clients may read, create, and change with an edit token (X-Edit-Token).
    auth=[{"tokenAuth": []}, {"cookieAuth": []}, {}],
)
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

    def filter_queryset(self, queryset):
        # The filters and their defaults (upcoming, published) narrow the list only:
        # one event is found by its slug whatever its date or status.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_queryset(self):
        events = Event.objects.with_technologies()
        if self.action == "list":
            return events.public()
        if self.edit_token is not None:
            return events.by_edit_token(self.edit_token)
        if self.acts_as_event_manager():
            return events
        return events.public()

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action == "create":
            throttles.append(EventCreateThrottle())
        if self.edit_token is not None:
            throttles.append(EditTokenThrottle())
        return throttles

    def get_serializer_context(self):
        is_manager = self.acts_as_event_manager()
        return {
            **super().get_serializer_context(),
            "is_event_manager": is_manager,
            # The creator and the token holder wrote the e-mail themselves.
            "shows_private_fields": is_manager
            or self.action == "create"
            or self.edit_token is not None,
        }

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields, technology_names = serializer.event_fields()
        event = Event(**fields)
        token = services.event_create(
            event=event,
            channel=services.Channel.API,
            technology_names=technology_names,
            moderated=not self.acts_as_event_manager(),
        )
        event.edit_token = token
        event.edit_url = services.edit_link(request, token)
        services.send_edit_link(event=event, edit_url=event.edit_url)
        location = request.build_absolute_uri(reverse("api:event-detail", args=[event.slug]))
        return Response(
            EventCreatedSerializer(event, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


@extend_schema_view(
    retrieve=extend_schema(
        summary=_("Read an event by its edit token"),
        responses={200: EventSerializer, **error_responses(401, 404, 429)},
    ),
    update=extend_schema(
        summary=_("Replace an event by its edit token"),
        responses={200: EventSerializer, **error_responses(*WRITE_ERRORS)},
    ),
    partial_update=extend_schema(
        summary=_("Change some fields of an event by its edit token"),
        responses={200: EventSerializer, **error_responses(*WRITE_ERRORS)},
    ),
    destroy=extend_schema(
        summary=_("Delete an event by its edit token"),
        responses={204: None, **error_responses(401, 403, 404, 429)},
    ),
)
@extend_schema(
    parameters=[
        RETRY_AFTER,
        OpenApiParameter(
            "token",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            description=_("The event's edit token, given when it was created."),
        ),
    ]
)
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
        event = Event.objects.with_technologies().by_edit_token(self.kwargs["token"]).first()
        if event is None:
            raise NotFound()
        return event

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "shows_private_fields": True}

    def finalize_response(self, request, response, *args, **kwargs):
        # Django logs every 4xx answer with its path, which here holds the token.
        response._has_been_logged = True
        return super().finalize_response(request, response, *args, **kwargs)


@extend_schema(
    summary=_("List technologies"),
    description=_(
        "Technologies of public events, by name, with their number of upcoming events: "
        "for filter menus. Filter events with `technology=<slug>`."
    ),
    responses={200: TechnologyWithCountSerializer(many=True), **error_responses(401)},
)
class TechnologyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TechnologyWithCountSerializer
    queryset = Technology.objects.public().with_upcoming_event_counts().order_by(Lower("name"))


@extend_schema(
    summary=_("List cities"),
    description=_(
        "Cities of public events, by name, with their number of events: for filter "
        "menus. Filter events with `city=<name>`."
    ),
    responses={200: CitySerializer(many=True), **error_responses(401)},
)
class CityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CitySerializer
    queryset = Event.objects.public().cities()


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def not_found(request, *args, **kwargs):
    """Any other path under /api/: a 404 in the API's error shape, not the site's page."""
    raise NotFound()


class SelfHostedDocsMixin:
    """The documentation pages may load nothing from other sites. Redoc's sidebar
    shows its maker's logo from a CDN: the policy blocks it and Redoc drops the
    image when it fails to load."""

    CONTENT_SECURITY_POLICY = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "worker-src 'self' blob:; frame-ancestors 'none'"
    )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = self.CONTENT_SECURITY_POLICY
        return response


class RedocView(SelfHostedDocsMixin, SpectacularRedocView):
    pass


class SwaggerView(SelfHostedDocsMixin, SpectacularSwaggerSplitView):
    pass
