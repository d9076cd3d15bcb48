"""What the OpenAPI document says beyond what drf-spectacular infers: the error
body, each operation's summary and answers, the two faces of `technologies`, and
an example for every field."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers

from events.models import TECHNOLOGY_NAME_MAX_LENGTH

from .permissions import EDIT_TOKEN_HEADER
from .serializers import (
    CitySerializer,
    CoverUploadSerializer,
    EventCreatedSerializer,
    EventOrganizerEditSerializer,
    EventSerializer,
    EventStaffEditSerializer,
    EventSubmissionSerializer,
    SeriesSerializer,
    StrictURLField,
    TechnologiesField,
    TechnologySerializer,
    TechnologyWithCountSerializer,
)


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    message = serializers.CharField(help_text=_("What went wrong, in words for people."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_(
            "For invalid input: messages by field or query parameter name "
            "(`non_field_errors` for the whole body). Empty otherwise."
        ),
    )

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    400: _(
        "Invalid input, each problem under its field in `errors`: a required field missing; "
        "a field unknown, read-only, or not for the client's role to write; a value of the "
        "wrong type or outside its choices; text with invisible control characters (or a "
        "line break in one-line fields); a year outside 1970–2100; an end before the start; "
        "an online or hybrid event without `online_url`; an event with the same title, "
        "start and city as another (unless `confirm_duplicate`)."
    ),
    401: _("Missing or invalid credentials (`Authorization: Token …`)."),
    403: _("Not allowed (e.g. staff without the permission, or a session without CSRF token)."),
    404: _("No such event, or an edit token that does not match it."),
    412: _(
        "The event changed since the version named in `If-Match`: read it again and "
        "resend the change if it still applies. Nothing was changed."
    ),
    413: _("The request body is too large."),
    428: _(
        "A PUT without `If-Match`: send the ETag of the version you read (or `*` to "
        "replace whatever version is there). Nothing was changed."
    ),
    415: _("The request body is not JSON (`Content-Type: application/json`)."),
    429: _("Too many requests from this client: retry after `Retry-After` seconds."),
    503: _("The image storage is unavailable: nothing was changed."),
}


INVALID_QUERY = _(
    "An invalid query parameter, named in `errors`: a value outside its choices (mode, "
    "is_free, past, status, ordering), a technology slug of no public event, a date that "
    "is not YYYY-MM-DD, invisible control characters or a line break in search or city, "
    "a parameter other than technology given more than once, a limit outside 1–100, or "
    "an offset beyond the deepest page."
)


def error_responses(*status_codes, **descriptions):
    """The error answers with their description, or the one given as e.g. `e400=...`."""
    return {
        code: OpenApiResponse(
            ErrorSerializer,
            description=descriptions.get(f"e{code}", ERROR_DESCRIPTIONS[code]),
        )
        for code in status_codes
    }


def document_uri_too_long(result, generator, request, public):
    """Postprocessing hook: every operation may meet the HTTP server's 414, which
    answers before the API does, in its own words (not the Error body)."""
    for operations in result["paths"].values():
        for operation in operations.values():
            operation["responses"]["414"] = {"description": str(URI_TOO_LONG)}
    return result


URI_TOO_LONG = _(
    "The address is too long: the HTTP server in front of the API refuses request lines "
    "over 4094 bytes, in plain text. Narrow the filters instead of listing many values."
)


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=_(
        'Optional: the ETag of the version you read (e.g. `"3"`). The change is made only '
        "if the event is still at that version, else 412. Without it, a PATCH changes the "
        "fields it sends and keeps everyone else's changes to the other fields."
    ),
)
IF_MATCH_REQUIRED = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=_(
        'The ETag of the version you read (e.g. `"3"`): a PUT replaces the whole event, so '
        "it is made only if the event is still at that version, else 412. `*` replaces "
        "whatever version is there. Without it, 428."
    ),
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description=_("The event's version (its `revision`, quoted), for `If-Match`."),
)

RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    description=_("Seconds to wait before trying again."),
)

# What each view of events/api/views.py documents, applied there as a class decorator.


def _applying_all(*decorators):
    """One decorator applying several, the first outermost (as when stacked)."""

    def decorate(view):
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return decorate


EDIT_TOKEN_PARAMETER = OpenApiParameter(
    EDIT_TOKEN_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=_(
        "The event's edit token, given when it was created. With it anyone may read "
        "(even while pending), change and delete the event; a wrong token answers 404."
    ),
)


def written_by_roles(name, *serializers, partial=False):
    """A request body that each role writes with its own serializer (see
    EventWriteSerializer); made `anyOf` by the hook either_role_request."""
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[serializer(partial=partial) for serializer in serializers],
        resource_type_field_name=None,
    )


ROLE_REQUESTS = {
    "create": written_by_roles("EventCreate", EventSubmissionSerializer, EventSerializer),
    "update": written_by_roles("EventEdit", EventOrganizerEditSerializer, EventStaffEditSerializer),
    "partial_update": written_by_roles(
        "EventEdit",
        EventOrganizerEditSerializer,
        EventStaffEditSerializer,
        partial=True,
    ),
}


def either_role_request(result, generator, request, public):
    """Postprocessing hook: a body of ROLE_REQUESTS is valid when one role may send
    it, and a body without staff's fields suits both roles: `anyOf`, not `oneOf`."""
    # As drf-spectacular names them: "Request" for the request direction, "Patched"
    # for PATCH.
    names = {f"{proxy.component_name}Request" for proxy in ROLE_REQUESTS.values()}
    names |= {f"Patched{name}" for name in names}
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name in names:
            schema["anyOf"] = schema.pop("oneOf")
    return result


FOLLOWING = OpenApiParameter(
    "following",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description=_(
        "true: for a date of a series, change (or delete) it and the following dates. A new "
        "start moves them by as much, on the event's clock. The holder of an edit token "
        "leaves the cancelled following dates unchanged."
    ),
)
WRITE_ERRORS = (400, 401, 403, 404, 412, 413, 415, 429)
REPLACE_ERRORS = (*WRITE_ERRORS, 428)
DELETE_ERRORS = (400, 401, 403, 404, 412, 429)

event_cover = extend_schema(
    summary=_("Set or remove the cover image"),
    description=_(
        "PUT a multipart/form-data body with the `image` file (JPEG, PNG or WebP, at most "
        "5 MB); DELETE removes it. For the same people as changes to the event."
    ),
    request={"multipart/form-data": CoverUploadSerializer},
    parameters=[EDIT_TOKEN_PARAMETER, RETRY_AFTER],
    responses={200: EventSerializer, **error_responses(*WRITE_ERRORS, 503)},
)

event_viewset = _applying_all(
    extend_schema_view(
        list=extend_schema(
            summary=_("List events"),
            description=_(
                "Published events not over yet, soonest first; `past=true` lists past events, "
                "most recent first, and `status=cancelled` the cancelled ones."
            ),
            responses={
                200: EventSerializer(many=True),
                **error_responses(400, 401, e400=INVALID_QUERY),
            },
        ),
        create=extend_schema(
            summary=_("Publish an event"),
            request=ROLE_REQUESTS["create"],
            description=_(
                "Anyone may publish. When the site requires approval, events from anyone but "
                "staff wait as pending. The answer is the only one that carries the edit token."
            ),
            responses={
                201: EventCreatedSerializer,
                **error_responses(400, 401, 403, 413, 415, 429),
            },
            parameters=[
                ETAG,
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
            parameters=[EDIT_TOKEN_PARAMETER, ETAG, RETRY_AFTER],
            responses={200: EventSerializer, **error_responses(401, 404, 429)},
        ),
        update=extend_schema(
            summary=_("Replace an event"),
            request=ROLE_REQUESTS["update"],
            description=_(
                "For the holder of the edit token (X-Edit-Token) and for staff with the "
                "permission to change events. The body replaces the whole event: optional "
                "fields left out become empty (technologies: none), as on creation; the "
                "status stays unless sent. Needs `If-Match`."
            ),
            parameters=[EDIT_TOKEN_PARAMETER, IF_MATCH_REQUIRED, ETAG, RETRY_AFTER, FOLLOWING],
            responses={200: EventSerializer, **error_responses(*REPLACE_ERRORS)},
        ),
        partial_update=extend_schema(
            summary=_("Change some fields of an event"),
            request=ROLE_REQUESTS["partial_update"],
            description=_(
                "For the holder of the edit token (X-Edit-Token) and for staff with the "
                "permission to change events."
            ),
            parameters=[EDIT_TOKEN_PARAMETER, IF_MATCH, ETAG, RETRY_AFTER, FOLLOWING],
            responses={200: EventSerializer, **error_responses(*WRITE_ERRORS)},
        ),
        destroy=extend_schema(
            summary=_("Delete an event"),
            description=_(
                "For the holder of the edit token (X-Edit-Token) and for staff with the "
                "permission to delete events."
            ),
            parameters=[EDIT_TOKEN_PARAMETER, IF_MATCH, RETRY_AFTER, FOLLOWING],
            responses={204: None, **error_responses(*DELETE_ERRORS)},
        ),
    ),
    extend_schema(
        # Anonymous clients may read, create, and change with an edit token (X-Edit-Token).
        auth=[{"tokenAuth": []}, {"cookieAuth": []}, {}],
    ),
)


event_by_token_viewset = _applying_all(
    extend_schema_view(
        retrieve=extend_schema(
            summary=_("Read an event by its edit token"),
            parameters=[ETAG],
            responses={200: EventSerializer, **error_responses(401, 404, 429)},
        ),
        update=extend_schema(
            summary=_("Replace an event by its edit token"),
            description=_(
                "The body replaces the whole event: optional fields left out become empty "
                "(technologies: none), as on creation; the status stays unless sent. Needs "
                "`If-Match`."
            ),
            parameters=[IF_MATCH_REQUIRED, ETAG, FOLLOWING],
            responses={200: EventSerializer, **error_responses(*REPLACE_ERRORS)},
        ),
        partial_update=extend_schema(
            summary=_("Change some fields of an event by its edit token"),
            parameters=[IF_MATCH, ETAG, FOLLOWING],
            responses={200: EventSerializer, **error_responses(*WRITE_ERRORS)},
        ),
        destroy=extend_schema(
            summary=_("Delete an event by its edit token"),
            parameters=[IF_MATCH, FOLLOWING],
            responses={204: None, **error_responses(*DELETE_ERRORS)},
        ),
    ),
    extend_schema(
        parameters=[
            RETRY_AFTER,
            OpenApiParameter(
                "token",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description=_("The event's edit token, given when it was created."),
            ),
        ]
    ),
)


series_viewset = extend_schema_view(
    retrieve=extend_schema(
        summary=_("Read a series"),
        description=_(
            "A recurring event: its rule and its public dates (each an event of its own), "
            "soonest first."
        ),
        parameters=[RETRY_AFTER],
        responses={200: SeriesSerializer, **error_responses(401, 404, 429)},
        auth=[{"tokenAuth": []}, {"cookieAuth": []}, {}],
    ),
)


technology_viewset = extend_schema(
    summary=_("List technologies"),
    description=_(
        "Technologies of public events, by name, with their number of upcoming events: "
        "for filter menus. Filter events with `technology=<slug>`."
    ),
    responses={200: TechnologyWithCountSerializer(many=True), **error_responses(401)},
)


city_viewset = extend_schema(
    summary=_("List cities"),
    description=_(
        "Cities of public events, by name, with their number of events: for filter "
        "menus. Filter events with `city=<name>`."
    ),
    responses={200: CitySerializer(many=True), **error_responses(401)},
)


class TechnologiesFieldExtension(OpenApiSerializerFieldExtension):
    target_class = TechnologiesField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if direction == "request":
            name = {"type": "string", "maxLength": TECHNOLOGY_NAME_MAX_LENGTH}
            return {"type": "array", "items": name, "maxItems": field.max_items}
        technology = auto_schema.resolve_serializer(TechnologySerializer, direction)
        return {"type": "array", "items": technology.ref}


class ClosedRequestExtension(OpenApiSerializerExtension):
    """Event bodies with other fields than their own are refused (400, see
    EventSerializer.to_internal_value): their request schemas say so."""

    target_class = EventSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


# Django's Unicode slugs (`^[-\w]+\Z`, letters and digits of any script), written for
# JSON Schema's ECMA-262 regexes, where `\w` is ASCII only.
UNICODE_SLUG_PATTERN = r"^[-_\p{L}\p{N}]+$"


class UnicodeSlugFieldExtension(OpenApiSerializerFieldExtension):
    target_class = serializers.SlugField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if self.target.allow_unicode:
            schema["pattern"] = UNICODE_SLUG_PATTERN
        return schema


class IriFieldExtension(OpenApiSerializerFieldExtension):
    """Addresses given by people: Django's URLValidator accepts any Unicode letter in
    them and they are kept as written (`https://example.org/segurança`), so they are
    IRIs (RFC 3987), not the ASCII-only URIs of the `uri` format. An empty value means
    none: validators read "" as a valid IRI reference, so the address itself is never
    empty, or an empty value would match both choices of the field's `oneOf`."""

    target_class = StrictURLField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "format": "iri", "minLength": 1}


EXAMPLES = {
    "image": "(the image file)",
    "cover_image": {
        extension: [
            {
                "url": f"https://media.example.org/covers/Xq3T0vYk8bQ2-{width}.{extension}",
                "width": width,
            }
            for width in (480, 960, 1440)
        ]
        for extension in ("webp", "jpg")
    },
    "slug": "python-floripa-42-2025-06-10",
    "title": "Python Floripa #42",
    "description": "Talks about Django and data science, then pizza.\nFree registration.",
    "starts_at": "2025-06-10T19:00:00-03:00",
    "ends_at": "2025-06-10T22:00:00-03:00",
    "time_zone": "America/Sao_Paulo",
    "mode": "hybrid",
    "city": "Florianópolis",
    "state": "SP",
    "venue": "Centro de Inovação ACATE",
    "address": "Rodovia SC-401, 4150",
    "online_url": "https://www.youtube.com/@pythonfloripa",
    "technologies": ["Python", "Django"],
    "organizer_name": "Python Floripa",
    "organizer_email": "contato@pythonfloripa.org",
    "url": "https://pythonfloripa.org/encontros/42",
    "is_free": False,
    "price_from": "30.00",
    "price_to": "120.00",
    "currency": "BRL",
    "tickets_url": "https://pythonfloripa.org/ingressos/42",
    "cancellation_reason": "",
    "rejection_reason": "",
    "status": "published",
    "created_at": "2025-05-02T10:15:00-03:00",
    "updated_at": "2025-05-03T08:30:00-03:00",
    "revision": 3,
    "page_url": "https://encontros.tech/events/python-floripa-42-2025-06-10/",
    "confirm_duplicate": False,
    "edit_token": "f3Vx9mQ2hTzL0aYc8pKd1rWsBn6eJu4oGi7lXyEvHqA",
    "edit_url": "https://encontros.tech/events/edit/f3Vx9mQ2hTzL0aYc8pKd1rWsBn6eJu4oGi7lXyEvHqA/",
    "name": "Python",
    "series": {"id": 7, "url": "https://encontros.tech/api/series/7/"},
    "recurrence": {"frequency": "monthly_weekday", "weekday_position": 2, "count": 6},
    "frequency": "monthly_weekday",
    "weekday_position": 2,
    "id": 7,
    "interval": 1,
    "until": "2025-12-31",
    "count": 6,
    "calendar_url": "https://encontros.tech/events/series/7.ics",
    "upcoming_event_count": 12,
    "event_count": 48,
    "message": "Invalid input in: starts_at.",
    "errors": {"starts_at": ["Include the UTC offset, e.g. 2025-06-10T19:00:00-03:00."]},
}
# Where a name means something else in one component.
COMPONENT_EXAMPLES = {
    "image": "(the image file)",
    "cover_image": {
        extension: [
            {
                "url": f"https://media.example.org/covers/Xq3T0vYk8bQ2-{width}.{extension}",
                "width": width,
            }
            for width in (480, 960, 1440)
        ]
        for extension in ("webp", "jpg")
    },
    ("Technology", "slug"): "python",
    ("TechnologyWithCount", "slug"): "python",
    ("Event", "technologies"): [
        {"name": "Python", "slug": "python"},
        {"name": "Django", "slug": "django"},
    ],
    ("EventCreated", "technologies"): [
        {"name": "Python", "slug": "python"},
        {"name": "Django", "slug": "django"},
    ],
    ("City", "city"): "São Paulo",
    ("SeriesLink", "url"): "https://encontros.tech/api/series/7/",
}


def allow_empty_query_values(result, generator, request, public):
    """Postprocessing hook: an empty query value means "not given", as HTML forms
    send it (`?city=&mode=online&ordering=`)."""
    for operations in result["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    parameter["allowEmptyValue"] = True
    return result


# Answers carry every field of their component, but these.
OPTIONAL_IN_ANSWERS = {"organizer_email", "rejection_reason"}


def require_answer_fields(result, generator, request, public):
    """Postprocessing hook: mark what answers always carry as required, so that
    generated clients need no checks for presence. drf-spectacular marks only what
    requests require (fields with a default are optional there)."""
    for component, schema in result.get("components", {}).get("schemas", {}).items():
        if "properties" in schema and not component.endswith("Request"):
            schema["required"] = sorted(set(schema["properties"]) - OPTIONAL_IN_ANSWERS)
    return result


def add_examples(result, generator, request, public):
    """Postprocessing hook: an example on every property of every component.

    Enums ($ref) list their values; lists of other components (the paginated
    `results`) show them through those components' examples.
    """
    for component, schema in result.get("components", {}).get("schemas", {}).items():
        for name, prop in schema.get("properties", {}).items():
            if "example" in prop or "$ref" in prop:
                continue
            if (component, name) in COMPONENT_EXAMPLES:
                prop["example"] = COMPONENT_EXAMPLES[(component, name)]
            elif "$ref" not in prop.get("items", {}):
                prop["example"] = EXAMPLES[name]
    return result


def _links(source, targets):
    """OpenAPI links from an answer to the operations on the same event, each with
    the values it takes from the answer or its request (runtime expressions)."""
    return {
        "".join(word.capitalize() for word in operation_id.split("_")): {
            "operationId": operation_id,
            "parameters": {name: source[name] for name in names},
        }
        for operation_id, names in targets.items()
    }


BY_SLUG = ("slug", "header.X-Edit-Token")
BY_SLUG_IF_MATCH = (*BY_SLUG, "header.If-Match")
BY_TOKEN = ("token",)
BY_TOKEN_IF_MATCH = ("token", "header.If-Match")
# What each operation's answer leads to: the creation answer gives the slug, the
# token and the ETag; a read or change by slug gives the ETag and keeps the token
# that its request sent.
LINKS = {
    ("/api/events/", "post", "201"): _links(
        {
            "slug": "$response.body#/slug",
            "token": "$response.body#/edit_token",
            "header.X-Edit-Token": "$response.body#/edit_token",
            "header.If-Match": "$response.header.ETag",
        },
        {
            "events_retrieve": BY_SLUG,
            "events_update": BY_SLUG_IF_MATCH,
            "events_partial_update": BY_SLUG_IF_MATCH,
            "events_destroy": BY_SLUG_IF_MATCH,
            "events_by_token_retrieve": BY_TOKEN,
            "events_by_token_update": BY_TOKEN_IF_MATCH,
            "events_by_token_partial_update": BY_TOKEN_IF_MATCH,
            "events_by_token_destroy": BY_TOKEN_IF_MATCH,
        },
    ),
    **{
        ("/api/events/{slug}/", method, "200"): _links(
            {
                "slug": "$request.path.slug",
                "header.X-Edit-Token": "$request.header.X-Edit-Token",
                "header.If-Match": "$response.header.ETag",
            },
            {
                "events_retrieve": BY_SLUG,
                "events_update": BY_SLUG_IF_MATCH,
                "events_partial_update": BY_SLUG_IF_MATCH,
                "events_destroy": BY_SLUG_IF_MATCH,
            },
        )
        for method in ("get", "put", "patch")
    },
    **{
        ("/api/events/by-token/{token}/", method, "200"): _links(
            {"token": "$request.path.token", "header.If-Match": "$response.header.ETag"},
            {
                "events_by_token_retrieve": BY_TOKEN,
                "events_by_token_update": BY_TOKEN_IF_MATCH,
                "events_by_token_partial_update": BY_TOKEN_IF_MATCH,
                "events_by_token_destroy": BY_TOKEN_IF_MATCH,
            },
        )
        for method in ("get", "put", "patch")
    },
}


def add_links(result, generator, request, public):
    """Postprocessing hook: the links of LINKS, so that clients and generators can
    follow an event from its creation to its reading, change and deletion."""
    for (path, method, status), links in LINKS.items():
        result["paths"][path][method]["responses"][status]["links"] = links
    return result


# English texts that drf-spectacular takes from docstrings and from its own
# defaults, out of gettext's reach; every other text of the document is
# translated where it is written. One language per document.
UNTRANSLATED_TEXTS = {
    "The event addressed by its edit token alone, as the earlier Flask API did.": _(
        "The event addressed by its edit token alone, as the earlier Flask API did."
    ),
    'Token-based authentication with required prefix "Token"': _(
        "Staff token, sent as `Authorization: Token …`."
    ),
    "No response body": _("No response body"),
}


# Components described by their serializer's docstring, written for developers.
SUBMISSION = _("A new event from anyone but staff: the status and the rejection are staff's.")
STAFF_SUBMISSION = _("A new event from staff with the permission to add events: every field.")
ORGANIZER_EDIT = _(
    "A change by the holder of the edit token: the status only to cancel a published event, "
    "or to publish it again while it has not started."
)
STAFF_EDIT = _("A change by staff with the permission to change events: every field.")
EITHER_ROLE = _(
    "What the client's role may send: staff (with `Authorization`) the second form, "
    "everyone else the first."
)
COMPONENT_DESCRIPTIONS = {
    "Error": _("The body of every error answer."),
    "EventCreated": _("The answer to a creation: the only time the edit token is ever shown."),
    "EventSubmissionRequest": SUBMISSION,
    "EventRequest": STAFF_SUBMISSION,
    "EventOrganizerEditRequest": ORGANIZER_EDIT,
    "PatchedEventOrganizerEditRequest": ORGANIZER_EDIT,
    "EventStaffEditRequest": STAFF_EDIT,
    "PatchedEventStaffEditRequest": STAFF_EDIT,
    "EventCreateRequest": EITHER_ROLE,
    "EventEditRequest": EITHER_ROLE,
    "PatchedEventEditRequest": EITHER_ROLE,
    "Recurrence": _("How a new event repeats. Dates keep the start's time on the event's clock."),
    "RecurrenceRequest": _(
        "How a new event repeats. Dates keep the start's time on the event's clock."
    ),
    "Series": _("A series and its public dates, soonest first."),
}


def translate_untranslated_texts(result, generator, request, public):
    """Postprocessing hook: the texts of UNTRANSLATED_TEXTS and COMPONENT_DESCRIPTIONS
    in the request's language."""
    components = result.get("components", {}).get("schemas", {})
    for name, description in COMPONENT_DESCRIPTIONS.items():
        if name in components:
            components[name]["description"] = str(description)

    def translate(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "description" and isinstance(value, str | Promise):
                    node[key] = str(UNTRANSLATED_TEXTS.get(str(value), value))
                else:
                    translate(value)
        elif isinstance(node, list):
            for item in node:
                translate(item)

    translate(result)
    return result
