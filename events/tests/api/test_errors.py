"""Every error answers with the same body: {"message": ..., "errors": {...}}."""

import json
from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api:event-list")


def assert_error_body(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"message", "errors"}
    assert isinstance(body["message"], str) and body["message"]
    assert all(
        isinstance(messages, list) and all(isinstance(m, str) for m in messages)
        for messages in body["errors"].values()
    )
    return body


def test_validation_errors_list_messages_per_field(api_client):
    body = assert_error_body(api_client.post(LIST_URL, {"title": ""}), 400)

    assert {"title", "description", "starts_at", "organizer_name"} <= set(body["errors"])


def test_errors_inside_lists_are_flattened_per_field(api_client, event_payload):
    event_payload["technologies"] = ["ok", "x" * 60]

    body = assert_error_body(api_client.post(LIST_URL, event_payload), 400)

    assert list(body["errors"]) == ["technologies"]


def test_401(api_client):
    event = EventFactory()
    body = assert_error_body(api_client.delete(reverse("api:event-detail", args=[event.slug])), 401)

    assert body["errors"] == {}


def test_403(staff_client):
    event = EventFactory()

    assert_error_body(staff_client.delete(reverse("api:event-detail", args=[event.slug])), 403)


def test_404_for_a_missing_event(api_client):
    assert_error_body(api_client.get(reverse("api:event-detail", args=["nope"])), 404)


@pytest.mark.parametrize("path", ["/api/", "/api/nothing/here/", "/api/events/by-token/"])
def test_404_for_unknown_api_paths(api_client, path):
    assert_error_body(api_client.get(path), 404)


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_a_missing_trailing_slash_redirects_in_json_keeping_the_method(api_client, method):
    response = getattr(api_client, method)("/api/events")

    assert response.status_code == 308
    assert response["Location"] == LIST_URL
    assert response["Content-Type"] == "application/json"
    assert LIST_URL in response.json()["message"]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.text(st.characters(codec="utf-8", exclude_characters="?#%"), max_size=30).map(
        lambda text: "/api/" + quote(text, safe="/")
    ),
    method=st.sampled_from(["get", "post", "put", "patch", "delete", "options", "head"]),
)
def test_every_answer_under_the_api_is_json(api_client, path, method):
    response = getattr(api_client, method)(path)

    if method != "head":
        assert response["Content-Type"] == "application/json", (path, response.status_code)
        json.loads(response.content)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("delete", LIST_URL),
        ("put", LIST_URL),
        ("post", reverse("api:technology-list")),
        ("post", reverse("api:city-list")),
        ("options", LIST_URL),
    ],
)
def test_405(api_client, method, url):
    body = assert_error_body(getattr(api_client, method)(url), 405)

    assert body["errors"] == {}


def test_405_for_a_method_an_event_does_not_have(api_client):
    event = EventFactory()

    assert_error_body(api_client.post(reverse("api:event-detail", args=[event.slug])), 405)


def test_415(api_client):
    response = api_client.generic("POST", LIST_URL, "<event/>", content_type="application/xml")

    assert_error_body(response, 415)


def test_429(api_client, event_payload, settings):
    settings.API_CREATE_THROTTLE_RATE = "1/h"
    api_client.post(LIST_URL, event_payload)

    assert_error_body(api_client.post(LIST_URL, event_payload), 429)
