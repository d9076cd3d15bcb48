"""The OpenAPI document and its documentation pages."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.tests.helpers import EDIT_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api_client):
    response = api_client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_validates_without_warnings(tmp_path, capsys):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "schema.yml")

    assert "Warning" not in capsys.readouterr().err
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3.")


def test_the_schema_documents_every_endpoint(schema):
    assert set(schema["paths"]) == {
        "/api/events/",
        "/api/events/{slug}/",
        "/api/events/by-token/{token}/",
        "/api/events/{slug}/cover/",
        "/api/events/by-token/{token}/cover/",
        "/api/technologies/",
        "/api/cities/",
        "/api/series/{id}/",
    }
    assert set(schema["paths"]["/api/events/{slug}/"]) == {"get", "put", "patch", "delete"}


def test_every_field_has_a_type_and_an_example(schema):
    for name, component in schema["components"]["schemas"].items():
        for field, definition in component.get("properties", {}).items():
            if "$ref" in definition or "$ref" in definition.get("items", {}):
                continue
            assert "example" in definition, f"{name}.{field}"
            assert "type" in definition or "oneOf" in definition or "allOf" in definition


def test_every_error_answer_is_documented_with_the_error_body(schema):
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            # The HTTP server answers 414 before the API, in its own words.
            errors = {
                code: answer
                for code, answer in operation["responses"].items()
                if code >= "4" and code != "414"
            }
            assert "414" in operation["responses"], f"{method} {path}"
            assert "401" in errors, f"{method} {path}"
            for code, answer in errors.items():
                assert answer["content"]["application/json"]["schema"] == error, code
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"message", "errors"}


def test_the_edit_token_is_only_in_the_creation_answer(schema):
    components = schema["components"]["schemas"]

    assert "edit_token" in components["EventCreated"]["properties"]
    assert "edit_token" not in components["Event"]["properties"]
    created = schema["paths"]["/api/events/"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/EventCreated")


def test_technologies_are_names_on_input_and_objects_on_output(schema):
    components = schema["components"]["schemas"]

    submission = components["EventSubmissionRequest"]["properties"]
    assert submission["technologies"]["items"]["type"] == "string"
    assert components["Event"]["properties"]["technologies"]["items"] == {
        "$ref": "#/components/schemas/Technology"
    }


def example_body(schema, component):
    """The request body that the document's examples show for a component."""
    properties = schema["components"]["schemas"][component]["properties"]
    return {name: definition["example"] for name, definition in properties.items()}


def test_each_role_has_its_request_body(schema):
    components = schema["components"]["schemas"]
    writes = {
        name: set(components[name]["properties"])
        for name in (
            "EventSubmissionRequest",
            "EventRequest",
            "EventOrganizerEditRequest",
            "EventStaffEditRequest",
        )
    }

    assert {"status", "rejection_reason"} & writes["EventSubmissionRequest"] == set()
    assert "rejection_reason" not in writes["EventOrganizerEditRequest"]
    assert "status" in writes["EventOrganizerEditRequest"]
    assert {"status", "rejection_reason"} <= writes["EventRequest"]
    assert {"status", "rejection_reason"} <= writes["EventStaffEditRequest"]
    create = schema["paths"]["/api/events/"]["post"]["requestBody"]["content"]
    assert components[create["application/json"]["schema"]["$ref"].split("/")[-1]]["anyOf"] == [
        {"$ref": "#/components/schemas/EventSubmissionRequest"},
        {"$ref": "#/components/schemas/EventRequest"},
    ]


def test_the_example_submission_is_accepted_from_anyone(schema, api_client):
    response = api_client.post(
        reverse("api:event-list"), example_body(schema, "EventSubmissionRequest"), format="json"
    )

    assert response.status_code == 201, response.json()


def test_the_example_staff_submission_is_accepted_from_staff(schema, manager_client):
    response = manager_client.post(
        reverse("api:event-list"), example_body(schema, "EventRequest"), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "published"


def test_the_example_organizer_edit_is_accepted_from_the_token_holder(
    schema, api_client, owned_event
):
    response = api_client.put(
        reverse("api:event-detail", args=[owned_event.slug]),
        example_body(schema, "EventOrganizerEditRequest"),
        format="json",
        headers={"X-Edit-Token": EDIT_TOKEN, "If-Match": "*"},
    )

    assert response.status_code == 200, response.json()


def test_the_example_staff_edit_is_accepted_from_staff(schema, manager_client, owned_event):
    response = manager_client.put(
        reverse("api:event-detail", args=[owned_event.slug]),
        example_body(schema, "EventStaffEditRequest"),
        format="json",
        headers={"If-Match": "*"},
    )

    assert response.status_code == 200, response.json()


def test_a_submission_with_staff_fields_is_refused_naming_them(api_client, event_payload):
    event_payload |= {"status": "published", "rejection_reason": "Spam."}

    response = api_client.post(reverse("api:event-list"), event_payload, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "rejection_reason"}


EVENT_REQUESTS = [
    "EventSubmissionRequest",
    "EventRequest",
    "EventOrganizerEditRequest",
    "PatchedEventOrganizerEditRequest",
    "EventStaffEditRequest",
    "PatchedEventStaffEditRequest",
]


@pytest.mark.parametrize("component", EVENT_REQUESTS)
def test_event_request_bodies_allow_only_their_own_fields(schema, component):
    assert schema["components"]["schemas"][component]["additionalProperties"] is False


@pytest.fixture
def unthrottled(settings):
    settings.API_CREATE_THROTTLE_RATE = "100000/h"
    settings.EVENTS_EDIT_TOKEN_RATE = "100000/h"


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(min_size=1, max_size=30))
def test_a_field_outside_the_request_schema_is_refused_naming_it(
    schema, api_client, owned_event, event_payload, unthrottled, name
):
    submission = schema["components"]["schemas"]["EventSubmissionRequest"]["properties"]
    edit = schema["components"]["schemas"]["PatchedEventOrganizerEditRequest"]["properties"]
    created = api_client.post(
        reverse("api:event-list"), {**event_payload, name: "x"}, format="json"
    )
    changed = api_client.patch(
        reverse("api:event-detail", args=[owned_event.slug]),
        {name: "x"},
        format="json",
        headers={"X-Edit-Token": EDIT_TOKEN},
    )

    if name not in submission:
        assert created.status_code == 400
        assert name in created.json()["errors"]
    if name not in edit:
        assert changed.status_code == 400
        assert name in changed.json()["errors"]


@pytest.mark.parametrize("name", ["slug", "created_at", "updated_at", "revision", "page_url"])
def test_read_only_fields_sent_in_a_write_are_refused(api_client, owned_event, name):
    current = api_client.get(reverse("api:event-detail", args=[owned_event.slug])).json()

    response = api_client.patch(
        reverse("api:event-detail", args=[owned_event.slug]),
        {name: current[name]},
        format="json",
        headers={"X-Edit-Token": EDIT_TOKEN},
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [name]


@pytest.mark.parametrize("path", ["/api/events/{slug}/", "/api/events/by-token/{token}/"])
def test_put_documents_that_it_needs_if_match(schema, path):
    put = schema["paths"][path]["put"]

    if_match = [p for p in put["parameters"] if p["name"] == "If-Match"]
    assert if_match[0]["required"] is True
    assert {"412", "428"} <= set(put["responses"])


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_documentation_pages_use_only_self_hosted_assets(api_client, name):
    response = api_client.get(reverse(name))

    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    assert not [url for url in assets if "//" in url]
    for url in assets:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    assert "fonts.googleapis" not in page


def test_swagger_ui_gets_its_script_from_the_api_not_inline(api_client):
    page = api_client.get(reverse("api:docs")).content.decode()
    script = api_client.get(reverse("api:docs"), {"script": ""})

    assert "<script>" not in page
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()


def schema_texts(api_client, language):
    response = api_client.get(
        reverse("api:schema"), {"format": "json"}, HTTP_ACCEPT_LANGUAGE=language
    )
    texts = {}

    def collect(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("description", "summary", "title") and isinstance(value, str):
                    texts[f"{path}/{key}"] = value
                else:
                    collect(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                collect(item, f"{path}/{index}")

    collect(response.json(), "")
    return texts


def test_the_documentation_speaks_one_language_following_the_request(api_client):
    portuguese, english = schema_texts(api_client, "pt-br"), schema_texts(api_client, "en")

    # Every English text has its Portuguese at the same place, but names and codes.
    same = {
        path: text
        for path, text in english.items()
        if text
        and portuguese.get(path) == text
        and not path.endswith("/info/title")
        and not text.lstrip().startswith("* `")
    }
    assert same == {}


def test_the_creation_links_to_reading_changing_and_deleting_the_event(schema):
    links = schema["paths"]["/api/events/"]["post"]["responses"]["201"]["links"]
    operations = {
        operation["operationId"] for path in schema["paths"].values() for operation in path.values()
    }

    assert {link["operationId"] for link in links.values()} >= {
        "events_retrieve",
        "events_update",
        "events_partial_update",
        "events_destroy",
    }
    assert {link["operationId"] for link in links.values()} <= operations
    assert links["EventsUpdate"]["parameters"] == {
        "slug": "$response.body#/slug",
        "header.X-Edit-Token": "$response.body#/edit_token",
        "header.If-Match": "$response.header.ETag",
    }


def test_the_list_documents_its_query_rules(schema):
    invalid = schema["paths"]["/api/events/"]["get"]["responses"]["400"]["description"]

    for rule in ("technology", "YYYY-MM-DD", "search", "1–100"):
        assert rule in invalid, rule


def test_writes_document_their_body_rules(schema):
    for path, method in [("/api/events/", "post"), ("/api/events/{slug}/", "put")]:
        invalid = schema["paths"][path][method]["responses"]["400"]["description"]
        for rule in ("1970–2100", "online_url", "confirm_duplicate"):
            assert rule in invalid, rule
