"""Whatever a client sends (a body, a path parameter, a query string), the API
answers below 500, and every error is JSON in the documented shape."""

import json
from urllib.parse import quote

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from events.api.views import EventViewSet
from events.tests.factories import EventFactory, TechnologyFactory
from events.tests.helpers import EDIT_TOKEN

from .test_errors import assert_error_body

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api:event-list")
# Any code point, lone surrogates and NUL included (JSON can escape them all).
ANY_CHARACTER = st.one_of(
    st.characters(codec=None),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.just("\x00"),
)
ANY_STRING = st.text(alphabet=ANY_CHARACTER, max_size=20)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_STRING,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(ANY_STRING, children, max_size=4)
    ),
    max_leaves=12,
)
FIELD_NAMES = ["title", "description", "starts_at", "technologies", "city", "status", "url"]
EVENT_BODIES = st.dictionaries(st.sampled_from(FIELD_NAMES) | ANY_STRING, JSON_VALUES, max_size=6)
DEEPLY_NESTED = st.integers(min_value=1, max_value=200_000).flatmap(
    lambda depth: st.sampled_from(["[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth])
)


def assert_answered_in_api_shape(response):
    assert response.status_code < 500, response.content[:200]
    if response.status_code >= 400:
        assert_error_body(response, response.status_code)


@pytest.fixture
def writes(client, settings):
    """Every way to write an event: create, and change by slug or by token."""
    settings.API_CREATE_THROTTLE_RATE = "100000/h"
    settings.EVENTS_EDIT_TOKEN_RATE = "100000/h"
    event = EventFactory(edit_token=EDIT_TOKEN)
    by_slug = reverse("api:event-detail", args=[event.slug])
    by_token = reverse("api:event-by-token-detail", args=[EDIT_TOKEN])
    return [
        ("post", LIST_URL),
        ("put", by_slug),
        ("patch", by_slug),
        ("patch", by_token),
    ]


def send(client, method, url, body):
    if method == "get":
        return client.get(url, headers={"X-Edit-Token": EDIT_TOKEN})
    return getattr(client, method)(
        url,
        body,
        content_type="application/json",
        headers={"X-Edit-Token": EDIT_TOKEN, "If-Match": "*"},
    )


@given(body=EVENT_BODIES)
@settings(max_examples=80)
def test_any_json_body_is_answered_below_500(client, writes, body):
    for method, url in writes:
        # ensure_ascii writes lone surrogates as escapes, as a client may.
        assert_answered_in_api_shape(send(client, method, url, json.dumps(body)))


@given(body=st.one_of(st.binary(max_size=40), DEEPLY_NESTED.map(str.encode)))
@settings(max_examples=60)
def test_any_bytes_and_any_nesting_are_answered_below_500(client, writes, body):
    for method, url in writes:
        assert_answered_in_api_shape(send(client, method, url, body))


@pytest.mark.parametrize(
    "body",
    ["[" * 100_000 + "]" * 100_000, '{"\\ud800": 1}', '{"title": "\\udfff"}', "{"],
)
def test_the_reported_malformed_bodies_are_400s(client, writes, body):
    for method, url in writes:
        assert_error_body(send(client, method, url, body), 400)


@given(value=st.text(alphabet=ANY_CHARACTER.filter(lambda c: not 0xD800 <= ord(c) <= 0xDFFF)))
@settings(max_examples=50)
def test_any_path_parameter_is_answered_below_500(client, writes, value):
    parameter = quote(value.encode(), safe="")
    for method in ("get", "patch", "delete"):
        for name in ("api:event-detail", "api:event-by-token-detail"):
            url = reverse(name, args=["x"]).replace("/x/", f"/{parameter}/")
            assert_answered_in_api_shape(send(client, method, url, "{}"))


@pytest.mark.parametrize("url", ["/api/events/%00/", "/api/events/by-token/%00/"])
def test_a_nul_byte_in_a_path_parameter_is_a_400(client, url):
    assert_error_body(client.get(url), 400)


@given(
    name=st.sampled_from(["search", "city", "technology", "mode", "past", "limit"]) | ANY_STRING,
    value=st.text(alphabet=ANY_CHARACTER.filter(lambda c: not 0xD800 <= ord(c) <= 0xDFFF)),
)
@settings(max_examples=150)
def test_any_query_parameter_is_answered_below_500(client, name, value):
    query = f"{quote(name.encode('utf-8', 'surrogatepass'), safe='')}={quote(value.encode())}"

    assert_answered_in_api_shape(client.get(f"{LIST_URL}?{query}"))


@pytest.mark.parametrize("path", ["/api/events%0A/", "/api/events/%0A/", "/api/%0D%0A/"])
def test_paths_with_line_breaks_get_a_json_404(client, path):
    assert_error_body(client.get(path), 404)


def test_a_database_outage_is_a_json_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(EventViewSet, "list", refuse)

    response = client.get(LIST_URL)

    assert_error_body(response, 503)
    assert response["Retry-After"]


def test_a_server_error_is_a_json_500():
    client = Client(raise_request_exception=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(EventViewSet, "list", lambda *args, **kwargs: 1 / 0)
        response = client.get(LIST_URL)

    assert_error_body(response, 500)


def test_pages_keep_their_html_error_pages(client):
    response = client.get("/?search=%00")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "query",
    ["past=foo&past=true", "past=true&past=foo", "past=true&past=true", "limit=5&limit=500"],
)
def test_a_repeated_parameter_is_a_400_whatever_its_values(client, query):
    body = assert_error_body(client.get(f"{LIST_URL}?{query}"), 400)

    assert list(body["errors"]) == [query.split("=")[0]]


@given(
    name=st.sampled_from(["search", "city", "mode", "is_free", "past", "status", "ordering"]),
    values=st.lists(st.sampled_from(["", "true", "false", "online", "start", "x"]), min_size=2),
)
@settings(max_examples=60)
def test_every_value_of_a_repeated_parameter_counts(client, name, values):
    body = assert_error_body(client.get(LIST_URL, {name: values}), 400)

    assert name in body["errors"]


def test_the_technology_filter_may_repeat(client):
    for slug in ("python", "rust"):
        EventFactory(technologies=[TechnologyFactory(name=slug.title(), slug=slug)])

    response = client.get(f"{LIST_URL}?technology=python&technology=rust")

    assert response.status_code == 200
    assert response.json()["count"] == 2
