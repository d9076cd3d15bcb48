"""Changing and deleting events, by slug with X-Edit-Token and by the token alone."""

import logging

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.api.serializers import EventOrganizerEditSerializer
from events.models import Event, Technology
from events.tests.factories import EventFactory, TechnologyFactory
from events.tests.helpers import EDIT_TOKEN

pytestmark = pytest.mark.django_db

HOLDER = {"X-Edit-Token": EDIT_TOKEN}
# A PUT replaces the event whatever version it is at (a test that reads no ETag).
REPLACING = {**HOLDER, "If-Match": "*"}
BY_TOKEN_URL = reverse("api:event-by-token-detail", args=[EDIT_TOKEN])
ENGLISH = {"Accept-Language": "en"}


def detail_url(event):
    return reverse("api:event-detail", args=[event.slug])


def test_put_replaces_the_fields_and_keeps_the_slug(api_client, owned_event, event_payload):
    response = api_client.put(detail_url(owned_event), event_payload, headers=REPLACING)

    assert response.status_code == 200, response.content
    owned_event.refresh_from_db()
    assert owned_event.title == event_payload["title"]
    assert owned_event.city == "Florianópolis"
    assert response.json()["slug"] == owned_event.slug
    assert [t["name"] for t in response.json()["technologies"]] == ["Django", "Python"]


def test_put_without_technologies_clears_them(api_client, event_payload):
    python = TechnologyFactory(name="Python", slug="python")
    event = EventFactory(edit_token=EDIT_TOKEN, technologies=[python])
    del event_payload["technologies"]

    response = api_client.put(detail_url(event), event_payload, headers=REPLACING)

    assert response.status_code == 200, response.content
    assert response.json()["technologies"] == []


def test_put_needs_every_required_field(api_client, owned_event):
    response = api_client.put(detail_url(owned_event), {"title": "Only this"}, headers=REPLACING)

    assert response.status_code == 400
    assert {"description", "starts_at", "organizer_name"} <= set(response.json()["errors"])


# Optional fields and what a PUT that leaves them out makes of them.
OPTIONAL_WHEN_REPLACING = {
    "ends_at": None,
    "venue": "",
    "address": "",
    "state": "",
    "organizer_email": "",
    "url": "",
    "tickets_url": "",
    "cancellation_reason": "",
}


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(left_out=st.sets(st.sampled_from(sorted(OPTIONAL_WHEN_REPLACING)), min_size=1))
def test_put_empties_the_optional_fields_it_leaves_out(api_client, event_payload, left_out):
    Event.objects.all().delete()  # The previous example's, holding the same token.
    event = EventFactory(
        edit_token=EDIT_TOKEN,
        ends_at=None,
        venue="Old venue",
        address="Old address",
        state="SC",
        url="https://old.example.org",
        tickets_url="https://old.example.org/tickets",
        cancellation_reason="Old reason",
    )
    event_payload |= {"venue": "ACATE", "address": "Rod. SC-401", "state": "SC"}
    event_payload |= {"url": "https://new.example.org", "tickets_url": "https://new.example.org/t"}
    event_payload |= {"cancellation_reason": "New reason"}
    body = {name: value for name, value in event_payload.items() if name not in left_out}
    if "venue" in left_out:
        body |= {"mode": "online", "online_url": "https://live.example.org"}

    response = api_client.put(detail_url(event), body, headers=REPLACING, format="json")

    assert response.status_code == 200, response.content
    event.refresh_from_db()
    for name in left_out:
        assert getattr(event, name) == OPTIONAL_WHEN_REPLACING[name], name


def test_put_of_an_in_person_event_without_online_url_empties_it(api_client, event_payload):
    event = EventFactory(
        edit_token=EDIT_TOKEN, mode=Event.Mode.HYBRID, online_url="https://old.example.org"
    )
    event_payload["mode"] = "in_person"

    response = api_client.put(detail_url(event), event_payload, headers=REPLACING)

    assert response.status_code == 200, response.content
    event.refresh_from_db()
    assert event.online_url == ""


@pytest.mark.parametrize("url", [lambda event: detail_url(event), lambda event: BY_TOKEN_URL])
def test_put_without_if_match_answers_428_and_changes_nothing(
    api_client, owned_event, event_payload, url
):
    response = api_client.put(url(owned_event), event_payload, headers=HOLDER)

    assert response.status_code == 428
    assert "If-Match" in response.json()["message"]
    owned_event.refresh_from_db()
    assert owned_event.title != event_payload["title"]


def test_put_without_if_match_to_a_missing_event_answers_404(api_client, event_payload):
    response = api_client.put(
        reverse("api:event-detail", args=["nothing-here"]), event_payload, headers=HOLDER
    )

    assert response.status_code == 404


def test_patch_changes_only_what_is_sent_and_refreshes_the_search(api_client, owned_event):
    response = api_client.patch(
        detail_url(owned_event), {"technologies": ["Kotlin"]}, headers=HOLDER
    )

    assert response.json()["technologies"] == [{"name": "Kotlin", "slug": "kotlin"}]
    assert response.json()["title"] == owned_event.title
    found = api_client.get(reverse("api:event-list"), {"search": "kotlin"}).json()
    assert [event["slug"] for event in found["results"]] == [owned_event.slug]


def test_patch_may_clear_the_technologies(api_client):
    event = EventFactory(edit_token=EDIT_TOKEN, technologies=[TechnologyFactory()])

    response = api_client.patch(detail_url(event), {"technologies": []}, headers=HOLDER)

    assert response.json()["technologies"] == []


def test_changes_follow_the_site_validation_and_store_nothing_when_invalid(api_client, owned_event):
    response = api_client.patch(
        detail_url(owned_event),
        {"title": "Changed", "ends_at": "2000-01-01T00:00:00-03:00", "technologies": ["New"]},
        headers=HOLDER,
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["ends_at"]
    owned_event.refresh_from_db()
    assert owned_event.title != "Changed"
    assert not Technology.objects.filter(name="New").exists()


def test_switching_to_online_needs_an_online_url(api_client, owned_event):
    response = api_client.patch(detail_url(owned_event), {"mode": "online"}, headers=HOLDER)

    assert response.status_code == 400
    assert "online_url" in response.json()["errors"]


def test_unknown_fields_are_refused_when_changing(api_client, owned_event):
    response = api_client.patch(
        detail_url(owned_event), {"edit_token_hash": "0" * 64}, headers=HOLDER
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["edit_token_hash"]


def test_delete_with_the_token(api_client, owned_event):
    response = api_client.delete(detail_url(owned_event), headers=HOLDER)

    assert response.status_code == 204
    assert not Event.objects.exists()
    assert api_client.get(detail_url(owned_event)).status_code == 404


def test_by_token_reads_the_event_with_its_private_fields(api_client):
    event = EventFactory(
        edit_token=EDIT_TOKEN, status=Event.Status.PENDING, organizer_email="org@example.org"
    )

    response = api_client.get(BY_TOKEN_URL)

    assert response.status_code == 200
    assert response.json()["slug"] == event.slug
    assert response.json()["organizer_email"] == "org@example.org"


def test_by_token_put_and_patch_change_the_event(api_client, owned_event, event_payload):
    assert api_client.put(BY_TOKEN_URL, event_payload, headers={"If-Match": "*"}).status_code == 200
    patched = api_client.patch(BY_TOKEN_URL, {"is_free": False})

    assert patched.status_code == 200
    owned_event.refresh_from_db()
    assert owned_event.title == event_payload["title"]
    assert owned_event.is_free is False


def test_by_token_delete_removes_the_event(api_client, owned_event):
    assert api_client.delete(BY_TOKEN_URL).status_code == 204
    assert not Event.objects.exists()
    assert api_client.get(BY_TOKEN_URL).status_code == 404


@pytest.mark.parametrize(
    "token", ["w" * 43, "short", "with.dots", "%F0%9F%90%8D", "x" * 500, EDIT_TOKEN.upper()]
)
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_by_token_with_a_wrong_or_malformed_token_answers_404(
    api_client, owned_event, token, method
):
    response = getattr(api_client, method)(f"/api/events/by-token/{token}/", {"title": "x"})

    assert response.status_code == 404
    assert response.json() == {"message": "Não encontrado.", "errors": {}}
    owned_event.refresh_from_db()
    assert owned_event.title != "x"


def test_by_token_holder_may_not_publish_a_pending_event(api_client):
    EventFactory(edit_token=EDIT_TOKEN, status=Event.Status.PENDING)

    response = api_client.patch(BY_TOKEN_URL, {"status": "published"})

    assert response.status_code == 400
    assert Event.objects.get().status == Event.Status.PENDING


def test_answers_by_token_are_not_logged_with_the_token_in_the_path(
    api_client, owned_event, caplog
):
    with caplog.at_level(logging.DEBUG):
        api_client.patch(BY_TOKEN_URL, {"title": None})
        api_client.get(f"/api/events/by-token/{'w' * 43}/")

    assert EDIT_TOKEN not in caplog.text
    assert "w" * 43 not in caplog.text


class TestVersions:
    """ETag and If-Match: a client changes the version it read, or nothing."""

    def test_answers_carry_the_revision_as_etag(self, api_client, owned_event):
        read = api_client.get(detail_url(owned_event), headers=HOLDER)
        changed = api_client.patch(detail_url(owned_event), {"venue": "New"}, headers=HOLDER)

        assert (read["ETag"], read.json()["revision"]) == ('"0"', 0)
        assert (changed["ETag"], changed.json()["revision"]) == ('"1"', 1)
        assert api_client.get(BY_TOKEN_URL)["ETag"] == '"1"'

    @pytest.mark.parametrize("condition", ['"0"', "*", ' "0" '])
    def test_a_change_with_the_current_version_is_made(self, api_client, owned_event, condition):
        response = api_client.patch(
            detail_url(owned_event), {"venue": "New"}, headers={**HOLDER, "If-Match": condition}
        )

        assert response.status_code == 200
        assert Event.objects.get().venue == "New"

    @pytest.mark.parametrize(
        ("method", "url"),
        [
            ("patch", lambda event: detail_url(event)),
            ("put", lambda event: detail_url(event)),
            ("delete", lambda event: detail_url(event)),
            ("patch", lambda event: BY_TOKEN_URL),
            ("delete", lambda event: BY_TOKEN_URL),
        ],
    )
    def test_a_change_to_an_older_version_answers_412_and_changes_nothing(
        self, api_client, owned_event, event_payload, method, url
    ):
        read = api_client.get(detail_url(owned_event), headers=HOLDER)["ETag"]
        api_client.patch(detail_url(owned_event), {"venue": "Theirs"}, headers=HOLDER)

        response = getattr(api_client, method)(
            url(owned_event), event_payload, headers={**HOLDER, "If-Match": read, **ENGLISH}
        )

        assert response.status_code == 412
        assert response.json() == {
            "message": "The event changed since the version named in If-Match: read it again "
            "and resend your change if it still applies.",
            "errors": {},
        }
        stored = Event.objects.get()
        assert (stored.venue, stored.revision) == ("Theirs", 1)

    @pytest.mark.parametrize("condition", ['W/"0"', "0", '"zero"', '"0", "1"', '"-1"'])
    def test_a_condition_that_is_not_one_of_its_etags_answers_412(
        self, api_client, owned_event, condition
    ):
        response = api_client.patch(
            detail_url(owned_event), {"venue": "New"}, headers={**HOLDER, "If-Match": condition}
        )

        assert response.status_code == 412
        assert Event.objects.get().venue != "New"

    def test_a_patch_without_condition_keeps_what_others_changed_meanwhile(
        self, api_client, owned_event
    ):
        api_client.patch(detail_url(owned_event), {"venue": "Theirs"}, headers=HOLDER)

        response = api_client.patch(detail_url(owned_event), {"title": "Mine"}, headers=HOLDER)

        assert (response.json()["title"], response.json()["venue"]) == ("Mine", "Theirs")

    def test_the_schema_documents_if_match_etag_and_412(self, api_client):
        schema = api_client.get(reverse("api:schema"), {"format": "json"}).json()
        operation = schema["paths"]["/api/events/{slug}/"]["patch"]

        assert "If-Match" in [parameter["name"] for parameter in operation["parameters"]]
        assert "412" in operation["responses"]
        assert "ETag" in operation["responses"]["200"]["headers"]
        assert "412" in schema["paths"]["/api/events/{slug}/"]["delete"]["responses"]


# A value other than the cancelled event's (below) for each field its organizer may send.
OTHER_VALUES = {
    "title": "Renamed",
    "description": "Other talks.",
    "starts_at": "2030-06-10T19:00:00-03:00",
    "ends_at": "2030-06-10T22:00:00-03:00",
    "time_zone": "America/Manaus",
    "mode": "online",
    "city": "Recife",
    "state": "PE",
    "venue": "Porto Digital",
    "address": "Rua do Bom Jesus, 1",
    "online_url": "https://live.example.org",
    "technologies": ["Rust"],
    "organizer_name": "Other group",
    "organizer_email": "other@example.org",
    "url": "https://other.example.org",
    "is_free": False,
    "price_from": "10.00",
    "price_to": "20.00",
    "currency": "USD",
    "tickets_url": "https://other.example.org/tickets",
    "cancellation_reason": "Other reason.",
}
# The status is the organizer's explicit steps (cancel, restore), not an edit.
ORGANIZER_EDITABLE = sorted(
    name
    for name, field in EventOrganizerEditSerializer().fields.items()
    if not field.read_only and name != "status"
)


def cancelled_event():
    return EventFactory(
        edit_token=EDIT_TOKEN,
        status=Event.Status.CANCELLED,
        cancellation_reason="Rain.",
        organizer_email="org@example.org",
    )


class TestCancelledEvent:
    """A cancelled event's organizer undoes the cancellation before changing it."""

    @pytest.fixture(autouse=True)
    def _approval_mode(self, settings):
        settings.EVENTS_REQUIRE_APPROVAL = True

    @pytest.mark.parametrize(
        ("method", "url"),
        [("patch", lambda event: detail_url(event)), ("put", lambda event: BY_TOKEN_URL)],
    )
    def test_a_token_holders_change_to_a_cancelled_event_is_refused_and_changes_nothing(
        self, api_client, event_payload, method, url
    ):
        event = cancelled_event()

        response = getattr(api_client, method)(
            url(event), event_payload, headers={**REPLACING, **ENGLISH}, format="json"
        )

        assert response.status_code == 400
        assert "Undo the cancellation first" in response.json()["message"]
        stored = Event.objects.get()
        assert (stored.status, stored.title, stored.revision) == (
            Event.Status.CANCELLED,
            event.title,
            event.revision,
        )

    @settings(max_examples=60)
    @given(names=st.sets(st.sampled_from(ORGANIZER_EDITABLE), min_size=1), data=st.data())
    def test_no_edit_by_the_token_holder_turns_a_cancelled_event_into_anything_else(
        self, api_client, cold_caches, names, data
    ):
        Event.objects.all().delete()  # The previous example's, holding the same token.
        cold_caches()  # And its count of edit token requests.
        event = cancelled_event()
        current = api_client.get(detail_url(event), headers=HOLDER).json()
        body = {
            name: data.draw(
                st.one_of(
                    st.sampled_from([current[name], OTHER_VALUES[name]]), st.text(max_size=12)
                ),
                label=name,
            )
            for name in sorted(names)
        }

        response = api_client.patch(detail_url(event), body, headers=HOLDER, format="json")

        assert response.status_code in (200, 400), response.content
        assert Event.objects.get().status == Event.Status.CANCELLED
