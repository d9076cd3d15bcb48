from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.api.pagination import MAX_OFFSET
from events.models import Event
from events.tests.factories import EventFactory, TechnologyFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api:event-list")


def titles(response):
    assert response.status_code == 200, response.content
    return [event["title"] for event in response.json()["results"]]


def days_from_now(days):
    return timezone.now() + timedelta(days=days)


def test_list_shows_upcoming_published_events_soonest_first(api_client):
    EventFactory(title="Later", starts_at=days_from_now(9))
    EventFactory(title="Sooner", starts_at=days_from_now(2))
    EventFactory(title="Cancelled", starts_at=days_from_now(3), status=Event.Status.CANCELLED)
    EventFactory(title="Pending", status=Event.Status.PENDING)
    EventFactory(title="Over", starts_at=days_from_now(-5))

    assert titles(api_client.get(LIST_URL)) == ["Sooner", "Later"]


def test_list_includes_an_event_happening_now(api_client):
    EventFactory(title="Now", starts_at=days_from_now(0) - timedelta(hours=1))

    assert titles(api_client.get(LIST_URL)) == ["Now"]


def test_past_true_lists_past_events_most_recent_first(api_client):
    EventFactory(title="Long ago", starts_at=days_from_now(-30))
    EventFactory(title="Last week", starts_at=days_from_now(-7))
    EventFactory(title="Upcoming", starts_at=days_from_now(7))

    assert titles(api_client.get(LIST_URL, {"past": "true"})) == ["Last week", "Long ago"]
    assert titles(api_client.get(LIST_URL, {"past": "false"})) == ["Upcoming"]


def test_list_answers_the_public_fields_and_hides_the_organizer_email(api_client):
    python = TechnologyFactory(name="Python", slug="python")
    event = EventFactory(technologies=[python], organizer_email="private@example.org")

    result = api_client.get(LIST_URL).json()["results"][0]

    assert result["slug"] == event.slug
    assert result["technologies"] == [{"name": "Python", "slug": "python"}]
    assert result["page_url"] == f"http://testserver{event.get_absolute_url()}"
    assert result["starts_at"] == timezone.localtime(event.starts_at).isoformat()
    assert "organizer_email" not in result
    assert "private@example.org" not in api_client.get(LIST_URL).content.decode()
    assert "edit_token" not in result and "edit_url" not in result


def test_list_shows_the_organizer_email_to_event_managers(manager_client):
    EventFactory(organizer_email="private@example.org")

    result = manager_client.get(LIST_URL).json()["results"][0]

    assert result["organizer_email"] == "private@example.org"


def test_staff_without_permission_do_not_see_the_organizer_email(staff_client):
    EventFactory(organizer_email="private@example.org")

    assert "organizer_email" not in staff_client.get(LIST_URL).json()["results"][0]


def test_search_ignores_case_and_accents_and_needs_every_word(api_client):
    EventFactory(title="Python São Paulo")
    EventFactory(title="Python Rio", city="Rio de Janeiro")
    EventFactory(title="Java Meetup", city="Recife")

    assert titles(api_client.get(LIST_URL, {"search": "sao paulo PYTHON"})) == ["Python São Paulo"]


def test_city_filter_ignores_case(api_client):
    EventFactory(title="In Recife", city="Recife")
    EventFactory(title="In Natal", city="Natal")

    assert titles(api_client.get(LIST_URL, {"city": "recife"})) == ["In Recife"]


def test_technology_filter_is_repeatable_and_matches_any(api_client):
    python = TechnologyFactory(name="Python", slug="python")
    rust = TechnologyFactory(name="Rust", slug="rust")
    go = TechnologyFactory(name="Go", slug="go")
    EventFactory(title="Py", technologies=[python], starts_at=days_from_now(1))
    EventFactory(title="Rs", technologies=[rust, python], starts_at=days_from_now(2))
    EventFactory(title="Go", technologies=[go], starts_at=days_from_now(3))

    assert titles(api_client.get(LIST_URL, {"technology": "rust"})) == ["Rs"]
    assert titles(api_client.get(f"{LIST_URL}?technology=python&technology=rust")) == ["Py", "Rs"]


def test_mode_filter(api_client):
    EventFactory(title="Live")
    EventFactory(title="Stream", mode=Event.Mode.ONLINE, online_url="https://example.org/live")

    assert titles(api_client.get(LIST_URL, {"mode": "online"})) == ["Stream"]


def test_is_free_filter(api_client):
    EventFactory(title="Free", is_free=True)
    EventFactory(title="Paid", is_free=False)

    assert titles(api_client.get(LIST_URL, {"is_free": "true"})) == ["Free"]
    assert titles(api_client.get(LIST_URL, {"is_free": "false"})) == ["Paid"]


def test_date_range_filters(api_client):
    EventFactory(title="Day 2", starts_at=days_from_now(2))
    EventFactory(title="Day 5", starts_at=days_from_now(5))
    EventFactory(title="Day 9", starts_at=days_from_now(9))
    after = timezone.localdate(days_from_now(4)).isoformat()
    before = timezone.localdate(days_from_now(6)).isoformat()

    assert titles(api_client.get(LIST_URL, {"starts_after": after})) == ["Day 5", "Day 9"]
    assert titles(api_client.get(LIST_URL, {"starts_before": before})) == ["Day 2", "Day 5"]
    assert titles(api_client.get(LIST_URL, {"starts_after": after, "starts_before": before})) == [
        "Day 5"
    ]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("start", ["Early start", "Late start"]),
        ("-start", ["Late start", "Early start"]),
        ("created", ["Late start", "Early start"]),
        ("-created", ["Early start", "Late start"]),
    ],
)
def test_ordering(api_client, ordering, expected):
    EventFactory(title="Late start", starts_at=days_from_now(9))
    EventFactory(title="Early start", starts_at=days_from_now(2))

    assert titles(api_client.get(LIST_URL, {"ordering": ordering})) == expected


def test_ordering_keeps_pages_apart_when_events_start_together(api_client):
    starts_at = days_from_now(3)
    for number in range(6):
        EventFactory(title=f"Same time {number}", starts_at=starts_at)

    pages = [
        titles(api_client.get(LIST_URL, {"ordering": "start", "limit": 2, "offset": offset}))
        for offset in (0, 2, 4)
    ]

    assert sorted(sum(pages, [])) == [f"Same time {number}" for number in range(6)]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("technology", "no-such-technology"),
        ("mode", "underwater"),
        ("is_free", "yes"),
        ("past", "maybe"),
        ("starts_after", "2030-02-30"),
        ("starts_before", "2030-13-45"),
        ("starts_after", "99999-01-01"),
        ("ordering", "title"),
        ("search", "x" * 201),
        ("city", "nul\x00byte"),
        ("limit", "ten"),
        ("offset", "-1"),
    ],
)
def test_malformed_query_values_answer_400_naming_the_parameter(api_client, parameter, value):
    EventFactory()

    response = api_client.get(LIST_URL, {parameter: value})

    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [parameter]
    assert parameter in body["message"]


def test_an_unknown_technology_is_refused_as_any_invalid_choice_in_the_order_of_the_filters(
    api_client,
):
    EventFactory(technologies=[TechnologyFactory(name="Python", slug="python")])

    response = api_client.get(
        f"{LIST_URL}?mode=underwater&technology=python&technology=gone&technology=other",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == {
        "message": "Invalid input in: technology, mode.",
        "errors": {
            "technology": ["Select a valid choice. gone is not one of the available choices."],
            "mode": ["Select a valid choice. underwater is not one of the available choices."],
        },
    }


def test_a_technology_of_pending_events_only_is_refused(api_client):
    EventFactory(technologies=[TechnologyFactory(name="Hidden", slug="hidden")], status="pending")

    response = api_client.get(LIST_URL, {"technology": "hidden"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["technology"]


def test_unknown_query_parameters_are_ignored(api_client):
    EventFactory(title="Shown")

    assert titles(api_client.get(LIST_URL, {"utm_source": "newsletter"})) == ["Shown"]


def test_list_pages_with_limit_and_offset_and_a_total_count(api_client):
    for day in range(1, 26):
        EventFactory(title=f"Day {day:02}", starts_at=days_from_now(day))

    first = api_client.get(LIST_URL).json()
    second = api_client.get(first["next"]).json()

    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["previous"] is None
    assert [event["title"] for event in second["results"]] == [
        f"Day {day:02}" for day in range(21, 26)
    ]
    assert second["next"] is None
    assert titles(api_client.get(LIST_URL, {"limit": 2, "offset": 3})) == ["Day 04", "Day 05"]


@pytest.mark.parametrize(
    ("limit", "status"), [("1", 200), ("100", 200), ("0", 400), ("101", 400), ("-5", 400)]
)
def test_limit_goes_from_1_to_100(api_client, limit, status):
    EventFactory()

    response = api_client.get(LIST_URL, {"limit": limit})

    assert response.status_code == status
    if status == 400:
        assert list(response.json()["errors"]) == ["limit"]


def test_offset_past_the_end_answers_an_empty_page(api_client):
    EventFactory()

    response = api_client.get(LIST_URL, {"offset": 10})

    assert response.json()["count"] == 1
    assert response.json()["results"] == []


@pytest.mark.parametrize("offset", [MAX_OFFSET + 1, 10**30])
def test_an_offset_past_the_bound_answers_400_suggesting_narrower_filters(api_client, offset):
    response = api_client.get(LIST_URL, {"offset": offset}, headers={"Accept-Language": "en"})

    assert response.status_code == 400
    (message,) = response.json()["errors"]["offset"]
    assert "narrow the filters" in message


def test_the_deepest_offset_is_served(api_client):
    assert api_client.get(LIST_URL, {"offset": MAX_OFFSET}).status_code == 200


@pytest.mark.parametrize("event_count", [5, 50])
def test_list_runs_the_same_queries_however_many_events(
    api_client, django_assert_num_queries, event_count, settings
):
    settings.PUBLIC_CACHE_SECONDS = 0
    technologies = TechnologyFactory.create_batch(3)
    for _ in range(event_count):
        EventFactory(technologies=technologies)

    # The count, the page of events with their technologies' ids, and the
    # technologies themselves, which the process then keeps.
    with django_assert_num_queries(3):
        response = api_client.get(LIST_URL, {"limit": 100})
    with django_assert_num_queries(2):
        again = api_client.get(LIST_URL, {"limit": 100})

    assert len(response.json()["results"]) == event_count
    assert again.json() == response.json()


def test_list_links_each_event_to_the_address_it_was_asked_at(api_client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    settings.ALLOWED_HOSTS = ["testserver", "encontros.example"]
    event = EventFactory()

    first = api_client.get(LIST_URL).json()["results"][0]
    # The representation kept for the first address is not the other's.
    other = api_client.get(LIST_URL, headers={"host": "encontros.example"}).json()["results"][0]

    assert first["page_url"] == f"http://testserver{event.get_absolute_url()}"
    assert other["page_url"] == f"http://encontros.example{event.get_absolute_url()}"


def test_list_leaves_cancelled_events_out_unless_asked(api_client):
    EventFactory(title="On")
    EventFactory(title="Off", status=Event.Status.CANCELLED)
    titles = [e["title"] for e in api_client.get(LIST_URL).json()["results"]]
    assert titles == ["On"]
    cancelled = api_client.get(LIST_URL, {"status": "cancelled"}).json()["results"]
    assert [e["title"] for e in cancelled] == ["Off"]
    assert api_client.get(LIST_URL, {"status": "pending"}).status_code == 400


def test_a_past_event_is_still_readable_by_its_slug(api_client):
    event = EventFactory(starts_at=timezone.now() - timedelta(days=30))
    response = api_client.get(reverse("api:event-detail", kwargs={"slug": event.slug}))
    assert response.status_code == 200
    assert response.json()["slug"] == event.slug
