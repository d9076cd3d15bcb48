"""Who may read, change and delete an event addressed by its slug."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import Event
from events.tests.factories import EventFactory
from events.tests.helpers import EDIT_TOKEN, api_client_with_token_of

pytestmark = pytest.mark.django_db

WRONG_TOKEN = "w" * 43


@pytest.fixture
def clients(api_client, staff_client, manager_client):
    """The client of each actor, and the headers it sends."""
    return {
        "anonymous": (api_client, {}),
        "right token": (api_client, {"X-Edit-Token": EDIT_TOKEN}),
        "wrong token": (api_client, {"X-Edit-Token": WRONG_TOKEN}),
        "staff without permission": (staff_client, {}),
        "staff with permission": (manager_client, {}),
    }


def detail_url(event):
    return reverse("api:event-detail", args=[event.slug])


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 404),
        ("right token", 200),
        ("wrong token", 404),
        ("staff without permission", 404),
        ("staff with permission", 200),
    ],
)
def test_who_may_read_a_pending_event(clients, actor, status):
    event = EventFactory(edit_token=EDIT_TOKEN, status=Event.Status.PENDING)
    client, headers = clients[actor]

    response = client.get(detail_url(event), headers=headers)

    assert response.status_code == status
    if status == 200:
        assert response.json()["status"] == "pending"


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 200),
        ("right token", 200),
        ("wrong token", 404),
        ("staff without permission", 200),
        ("staff with permission", 200),
    ],
)
@pytest.mark.parametrize("event_status", [Event.Status.PUBLISHED, Event.Status.CANCELLED])
def test_who_may_read_a_public_event(clients, actor, status, event_status):
    event = EventFactory(edit_token=EDIT_TOKEN, status=event_status)
    client, headers = clients[actor]

    response = client.get(detail_url(event), headers=headers)

    assert response.status_code == status
    if status == 200:
        assert response.json()["status"] == event_status


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 401),
        ("right token", 200),
        ("wrong token", 404),
        ("staff without permission", 403),
        ("staff with permission", 200),
    ],
)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_who_may_change_an_event(clients, event_payload, actor, status, method):
    event = EventFactory(edit_token=EDIT_TOKEN, title="Before")
    client, headers = clients[actor]

    response = getattr(client, method)(
        detail_url(event), {**event_payload, "title": "After"}, headers={**headers, "If-Match": "*"}
    )

    assert response.status_code == status
    event.refresh_from_db()
    assert event.title == ("After" if status == 200 else "Before")


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 401),
        ("right token", 204),
        ("wrong token", 404),
        ("staff without permission", 403),
        ("staff with permission", 204),
    ],
)
def test_who_may_delete_an_event(clients, actor, status):
    event = EventFactory(edit_token=EDIT_TOKEN)
    client, headers = clients[actor]

    response = client.delete(detail_url(event), headers=headers)

    assert response.status_code == status
    assert Event.objects.filter(pk=event.pk).exists() == (status != 204)


def test_anonymous_writes_ask_for_credentials(api_client):
    event = EventFactory()

    response = api_client.delete(detail_url(event))

    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_a_wrong_token_answers_like_a_missing_event(api_client, method):
    existing = EventFactory(edit_token=EDIT_TOKEN, status=Event.Status.PENDING)
    missing_url = reverse("api:event-detail", args=["no-such-event-2030-01-01"])
    headers = {"X-Edit-Token": WRONG_TOKEN}

    for_existing = getattr(api_client, method)(detail_url(existing), {}, headers=headers)
    for_missing = getattr(api_client, method)(missing_url, {}, headers=headers)

    assert for_existing.status_code == for_missing.status_code == 404
    assert for_existing.content == for_missing.content
    assert dict(for_existing.headers) == dict(for_missing.headers)


@pytest.mark.parametrize(("client_name", "status"), [("api_client", 401), ("staff_client", 403)])
def test_without_right_to_write_a_missing_event_answers_like_an_existing_one(
    request, client_name, status
):
    client = request.getfixturevalue(client_name)
    existing = EventFactory(status=Event.Status.PENDING)
    missing_url = reverse("api:event-detail", args=["no-such-event-2030-01-01"])

    for_existing = client.delete(detail_url(existing))
    for_missing = client.delete(missing_url)

    assert for_existing.status_code == for_missing.status_code == status
    assert for_existing.content == for_missing.content


def test_staff_need_the_permission_for_each_kind_of_write(db, event_payload):
    user = User.objects.create_user("editor", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_event"))
    client = api_client_with_token_of(user)
    event = EventFactory()

    assert client.patch(detail_url(event), {"title": "Edited"}).status_code == 200
    assert client.delete(detail_url(event)).status_code == 403


def test_a_user_who_is_not_staff_may_not_write_even_with_permissions(db):
    user = User.objects.create_user("outsider")
    user.user_permissions.add(*Permission.objects.filter(codename__endswith="_event"))
    event = EventFactory()

    assert api_client_with_token_of(user).delete(detail_url(event)).status_code == 403


def test_staff_may_use_their_admin_session_with_its_csrf_protection(manager_client):
    manager = User.objects.get(username="manager")
    event = EventFactory(status=Event.Status.PENDING)
    without_csrf_token = APIClient(enforce_csrf_checks=True)
    without_csrf_token.force_login(manager)

    assert without_csrf_token.get(detail_url(event)).status_code == 200
    refused = without_csrf_token.delete(detail_url(event))
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["message"]
    assert Event.objects.filter(pk=event.pk).exists()


def test_an_invalid_api_token_answers_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api_client.get(reverse("api:event-list"))

    assert response.status_code == 401
    assert response.json()["errors"] == {}


def test_the_token_holder_sees_the_organizer_email(api_client, owned_event):
    response = api_client.get(detail_url(owned_event), headers={"X-Edit-Token": EDIT_TOKEN})

    assert response.json()["organizer_email"] == "org@example.org"


def test_the_public_never_sees_the_organizer_email(api_client, owned_event):
    response = api_client.get(detail_url(owned_event))

    assert "organizer_email" not in response.json()
    assert "org@example.org" not in response.content.decode()


def test_the_token_holder_may_cancel_a_published_event(api_client, owned_event):
    response = api_client.patch(
        detail_url(owned_event), {"status": "cancelled"}, headers={"X-Edit-Token": EDIT_TOKEN}
    )

    assert response.status_code == 200
    owned_event.refresh_from_db()
    assert owned_event.status == Event.Status.CANCELLED


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (Event.Status.PENDING, "published"),
        (Event.Status.PUBLISHED, "pending"),
        (Event.Status.CANCELLED, "published"),
    ],
)
def test_the_token_holder_may_not_publish_or_moderate(api_client, current, wanted):
    # A cancellation can be undone only before the start (see the next test).
    event = EventFactory(
        edit_token=EDIT_TOKEN, status=current, starts_at=timezone.now() - timedelta(hours=1)
    )

    response = api_client.patch(
        detail_url(event), {"status": wanted}, headers={"X-Edit-Token": EDIT_TOKEN}
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["status"]
    event.refresh_from_db()
    assert event.status == current


def test_the_token_holder_may_undo_a_cancellation_before_the_start(api_client):
    event = EventFactory(
        edit_token=EDIT_TOKEN, status=Event.Status.CANCELLED, cancellation_reason="Rain."
    )

    response = api_client.patch(
        detail_url(event), {"status": "published"}, headers={"X-Edit-Token": EDIT_TOKEN}
    )

    assert response.status_code == 200
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert event.cancellation_reason == ""


def test_the_token_holder_cancels_with_a_public_reason(api_client):
    event = EventFactory(edit_token=EDIT_TOKEN)

    response = api_client.patch(
        detail_url(event),
        {"status": "cancelled", "cancellation_reason": "Speaker ill."},
        headers={"X-Edit-Token": EDIT_TOKEN},
    )

    assert response.status_code == 200
    assert response.json()["cancellation_reason"] == "Speaker ill."
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED


def test_event_managers_may_publish_a_pending_event(manager_client):
    event = EventFactory(status=Event.Status.PENDING)

    response = manager_client.patch(detail_url(event), {"status": "published"})

    assert response.status_code == 200
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED


def test_staff_sending_a_token_act_as_its_holder(manager_client, owned_event):
    response = manager_client.patch(
        detail_url(owned_event), {"status": "pending"}, headers={"X-Edit-Token": WRONG_TOKEN}
    )

    assert response.status_code == 404


def test_api_tokens_are_issued_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:authtoken_tokenproxy_add")).status_code == 200
