import json

import pytest
from django.core import mail
from django.urls import reverse

from events.models import Event, Technology
from events.tests.factories import EventFactory, TechnologyFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api:event-list")


def test_anyone_can_publish_an_event(api_client, event_payload):
    response = api_client.post(LIST_URL, event_payload)

    assert response.status_code == 201, response.content
    event = Event.objects.get()
    assert event.title == "Python Floripa #42"
    assert event.status == Event.Status.PUBLISHED
    assert response["Location"] == f"http://testserver/api/events/{event.slug}/"
    assert response.json()["slug"] == event.slug
    assert response.json()["starts_at"] == "2030-06-10T19:00:00-03:00"


def test_creation_answer_carries_the_edit_token_and_private_link(api_client, event_payload):
    body = api_client.post(LIST_URL, event_payload).json()

    token = body["edit_token"]
    assert len(token) >= 43
    assert Event.objects.by_edit_token(token).get().slug == body["slug"]
    assert Event.objects.get().edit_token_hash != token
    assert body["edit_url"] == f"http://testserver{reverse('events:edit', args=[token])}"
    assert api_client.get(body["edit_url"]).status_code == 200


def test_edit_token_appears_only_in_the_creation_answer(api_client, event_payload):
    created = api_client.post(LIST_URL, event_payload).json()
    token = created["edit_token"]
    detail_url = reverse("api:event-detail", args=[created["slug"]])
    by_token_url = reverse("api:event-by-token-detail", args=[token])

    later_answers = [
        api_client.get(LIST_URL),
        api_client.get(detail_url),
        api_client.get(detail_url, headers={"X-Edit-Token": token}),
        api_client.get(by_token_url),
        api_client.patch(by_token_url, {"title": "Renamed"}),
        api_client.put(detail_url, event_payload, headers={"X-Edit-Token": token, "If-Match": "*"}),
    ]

    for response in later_answers:
        assert response.status_code == 200, response.content
        assert token not in response.content.decode()
        assert "edit_token" not in response.content.decode()
        assert "edit_url" not in response.content.decode()


def test_the_edit_link_is_emailed_to_the_organizer(api_client, event_payload):
    body = api_client.post(LIST_URL, event_payload).json()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["contato@pythonfloripa.org"]
    assert body["edit_url"] in mail.outbox[0].body


def test_technologies_are_created_when_new_and_matched_ignoring_case(api_client, event_payload):
    TechnologyFactory(name="Python", slug="python")
    event_payload["technologies"] = ["PYTHON", "python", "  Rust  ", ""]

    body = api_client.post(LIST_URL, event_payload).json()

    assert body["technologies"] == [
        {"name": "Python", "slug": "python"},
        {"name": "Rust", "slug": "rust"},
    ]
    assert Technology.objects.count() == 2


def test_created_event_is_found_by_the_search(api_client, event_payload):
    event_payload["technologies"] = ["Elixir"]
    api_client.post(LIST_URL, event_payload)

    results = api_client.get(LIST_URL, {"search": "florianopolis elixir"}).json()["results"]

    assert [event["title"] for event in results] == ["Python Floripa #42"]


def test_with_approval_required_anonymous_events_wait_as_pending(
    api_client, event_payload, settings
):
    settings.EVENTS_REQUIRE_APPROVAL = True

    body = api_client.post(LIST_URL, event_payload).json()

    assert body["status"] == "pending"
    assert api_client.get(LIST_URL).json()["count"] == 0
    detail_url = reverse("api:event-detail", args=[body["slug"]])
    assert api_client.get(detail_url).status_code == 404
    with_token = api_client.get(detail_url, headers={"X-Edit-Token": body["edit_token"]})
    assert with_token.json()["status"] == "pending"


def test_with_approval_required_event_managers_publish_directly(
    manager_client, event_payload, settings
):
    settings.EVENTS_REQUIRE_APPROVAL = True

    assert manager_client.post(LIST_URL, event_payload).json()["status"] == "published"


def test_staff_without_permission_are_moderated_like_anyone(staff_client, event_payload, settings):
    settings.EVENTS_REQUIRE_APPROVAL = True

    assert staff_client.post(LIST_URL, event_payload).json()["status"] == "pending"


def test_event_managers_may_set_the_status(manager_client, event_payload):
    event_payload["status"] = "pending"

    assert manager_client.post(LIST_URL, event_payload).json()["status"] == "pending"


@pytest.mark.parametrize("status", ["published", "cancelled", "pending"])
def test_anonymous_clients_may_not_set_the_status(api_client, event_payload, status):
    event_payload["status"] = status

    response = api_client.post(LIST_URL, event_payload)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["status"]
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"ends_at": "2030-06-10T18:00:00-03:00"}, ["ends_at"]),
        ({"city": "", "venue": ""}, ["city", "venue"]),
        ({"mode": "online", "online_url": ""}, ["online_url"]),
        ({"mode": "hybrid"}, ["online_url"]),
        ({"url": "javascript:alert(1)"}, ["url"]),
        ({"online_url": "ftp://example.org/stream"}, ["online_url"]),
        ({"organizer_email": "not an e-mail"}, ["organizer_email"]),
        ({"title": "   "}, ["title"]),
    ],
)
def test_the_site_validation_rules_apply(api_client, event_payload, changes, fields):
    response = api_client.post(LIST_URL, {**event_payload, **changes})

    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert set(fields) <= set(errors)
    assert not Event.objects.exists()


def test_an_online_event_needs_no_place(api_client, event_payload):
    event_payload.update(mode="online", city="", venue="", online_url="https://meet.example.org")

    assert api_client.post(LIST_URL, event_payload).status_code == 201


def test_a_duplicate_needs_confirmation(api_client, event_payload):
    assert api_client.post(LIST_URL, event_payload).status_code == 201

    refused = api_client.post(LIST_URL, event_payload, headers={"Accept-Language": "en"})
    confirmed = api_client.post(LIST_URL, {**event_payload, "confirm_duplicate": True})

    assert refused.status_code == 400
    assert "already exists" in refused.json()["message"]
    assert list(refused.json()["errors"]) == ["non_field_errors"]
    assert confirmed.status_code == 201
    assert Event.objects.count() == 2
    assert len({event.slug for event in Event.objects.all()}) == 2


def test_html_is_stored_as_text(api_client, event_payload):
    event_payload["title"] = "<script>alert('x')</script>"

    body = api_client.post(LIST_URL, event_payload).json()

    assert body["title"] == "<script>alert('x')</script>"
    page = api_client.get(body["page_url"]).content.decode()
    assert "<script>alert('x')</script>" not in page


@pytest.mark.parametrize(
    "text",
    ["Encontro 🐍🎉", "Pythonistas 東京", "مؤتمر بايثون", "Ñandú & Çedilha", "e\u0301 combining"],
)
def test_unicode_text_is_kept(api_client, event_payload, text):
    event_payload.update(title=text, description=text)

    body = api_client.post(LIST_URL, event_payload).json()

    assert body["title"] == text
    assert Event.objects.get().description == text


def post_raw(client, body, content_type="application/json"):
    return client.generic("POST", LIST_URL, body, content_type=content_type)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('{"title": NaN}', "application/json", 400),
        ('"just a string"', "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ("", "application/json", 400),
        ('{"title": "x"}', "text/plain", 415),
        ("title=x&description=y", "application/x-www-form-urlencoded", 415),
        (b'{"title": "\xff\xfe"}', "application/json", 400),
        ('{"title": "' + "9" * 5000 + '"}', "application/json", 400),
        ('{"is_free": ' + "9" * 5000 + "}", "application/json", 400),
    ],
)
def test_malformed_bodies_are_rejected(api_client, body, content_type, status):
    response = post_raw(api_client, body, content_type)

    assert response.status_code == status
    assert response.json()["message"]
    assert not Event.objects.exists()


def test_a_body_over_the_size_limit_answers_413(api_client, event_payload, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    event_payload["description"] = "x" * 2000

    response = api_client.post(LIST_URL, event_payload, headers={"Accept-Language": "en"})

    assert response.status_code == 413
    assert response.json() == {"message": "The request body is too large.", "errors": {}}
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", None),
        ("title", 42),
        ("title", ["a list"]),
        ("title", {"an": "object"}),
        ("title", "x" * 201),
        ("title", "nul \x00 byte"),
        ("title", "lone surrogate \ud800"),
        ("description", "x" * 10_001),
        ("starts_at", None),
        ("starts_at", 1_900_000_000),
        ("starts_at", "tomorrow"),
        ("starts_at", "2030-06-10T19:00:00"),
        ("starts_at", "9999-12-31T23:59:00-12:00"),
        ("starts_at", "0001-01-01T00:00:00+14:00"),
        ("is_free", "true"),
        ("is_free", 1),
        ("is_free", None),
        ("mode", "underwater"),
        ("mode", True),
        ("technologies", "Python, Django"),
        ("technologies", [1, 2]),
        ("technologies", [None]),
        ("technologies", ["x" * 51]),
        ("technologies", [f"Tech {n}" for n in range(11)]),
        ("technologies", ["!!!"]),
        ("technologies", None),
        ("url", "x" * 600),
        ("url", 10**400),
        ("city", 1e308),
        ("unexpected", "field"),
        ("edit_token_hash", "0" * 64),
    ],
)
def test_invalid_values_answer_400_naming_the_field(api_client, event_payload, field, value):
    body = json.dumps({**event_payload, field: value})

    response = post_raw(api_client, body)

    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]
    assert field in response.json()["message"]
    assert not Event.objects.exists()
    assert not Technology.objects.exists()


def test_read_only_fields_sent_are_refused_and_nothing_is_created(api_client, event_payload):
    event_payload.update(slug="chosen-slug", created_at="2000-01-01T00:00:00Z", page_url="x")

    response = api_client.post(LIST_URL, event_payload)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"slug", "created_at", "page_url"}
    assert not Event.objects.exists()


def test_a_naive_time_error_explains_the_offset(api_client, event_payload):
    event_payload["starts_at"] = "2030-06-10T19:00"

    response = api_client.post(LIST_URL, event_payload, headers={"Accept-Language": "en"})

    assert response.json()["errors"]["starts_at"] == [
        "Include the UTC offset, e.g. 2025-06-10T19:00:00-03:00."
    ]


def test_errors_follow_the_requested_language(api_client):
    english = api_client.post(LIST_URL, {}, headers={"Accept-Language": "en"}).json()
    portuguese = api_client.post(LIST_URL, {}, headers={"Accept-Language": "pt-br"}).json()

    assert english["errors"]["title"] == ["This field is required."]
    assert portuguese["errors"]["title"] == ["Este campo é obrigatório."]


def test_creating_does_not_touch_other_events(api_client, event_payload):
    existing = EventFactory()

    api_client.post(LIST_URL, {**event_payload, "title": None})

    assert Event.objects.get() == existing


@pytest.mark.parametrize(
    "field,value",
    [("title", "Meetup\x08 bad"), ("technologies", ["#" * 50]), ("technologies", ["Py\x01"])],
)
def test_invisible_characters_and_overlong_technology_slugs_are_refused(
    api_client, event_payload, field, value
):
    response = api_client.post(reverse("api:event-list"), {**event_payload, field: value})
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Event.objects.exists()
