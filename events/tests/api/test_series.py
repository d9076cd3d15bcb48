"""Series in the API: created with `recurrence`, read at /api/series/<id>/, changed
for one date or ?following=true."""

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from events.models import Event, Series
from events.recurrence import MAX_OCCURRENCES

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api:event-list")
# 2030-06-10, the start of event_payload, is the second Monday of June.
MONTHLY = {"frequency": "monthly_weekday", "weekday_position": 2, "count": 3}
JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
)


def create_series(api_client, event_payload, recurrence=MONTHLY):
    return api_client.post(LIST_URL, {**event_payload, "recurrence": recurrence}, format="json")


def test_creating_with_a_recurrence_makes_one_event_per_date(api_client, event_payload):
    response = create_series(api_client, event_payload)
    assert response.status_code == 201, response.content
    body = response.json()
    series = Series.objects.get()
    assert body["series"] == {
        "id": series.pk,
        "url": f"http://testserver/api/series/{series.pk}/",
    }
    starts = [e.starts_at.isoformat() for e in series.events.order_by("starts_at")]
    assert starts == [
        "2030-06-10T22:00:00+00:00",
        "2030-07-08T22:00:00+00:00",
        "2030-08-12T22:00:00+00:00",
    ]
    assert body["edit_url"].startswith("http://testserver/events/edit/series/")


def test_a_single_event_has_no_series(api_client, event_payload):
    assert api_client.post(LIST_URL, event_payload, format="json").json()["series"] is None


@pytest.mark.parametrize(
    "recurrence",
    [
        {"frequency": "daily", "count": 3},
        {"frequency": "weekly"},
        {"frequency": "weekly", "count": 1},
        {"frequency": "weekly", "count": MAX_OCCURRENCES + 1},
        {"frequency": "weekly", "count": 3, "until": "2030-12-01"},
        {"frequency": "weekly", "until": "2030-01-01"},
        {"frequency": "monthly_weekday", "weekday_position": 3, "count": 3},
        {"frequency": "monthly_weekday", "count": 3},
        {"frequency": "weekly", "interval": 0, "count": 3},
        "weekly",
    ],
)
def test_a_bad_recurrence_is_a_400_naming_it_and_creates_nothing(
    api_client, event_payload, recurrence
):
    response = create_series(api_client, event_payload, recurrence)
    assert response.status_code == 400, response.content
    assert "recurrence" in response.json()["errors"]
    assert not Event.objects.exists()
    assert not Series.objects.exists()


def test_the_series_lists_its_public_dates(api_client, event_payload):
    create_series(api_client, event_payload)
    series = Series.objects.get()
    body = api_client.get(reverse("api:series-detail", args=[series.pk])).json()
    assert body["frequency"] == "monthly_weekday"
    assert body["weekday_position"] == 2
    assert [event["slug"] for event in body["events"]] == list(
        series.events.order_by("starts_at").values_list("slug", flat=True)
    )
    assert body["calendar_url"].endswith(f"/events/series/{series.pk}.ics")


@pytest.mark.parametrize("frequency", ["weekly", "monthly_day"])
def test_a_series_not_on_the_same_weekday_shows_no_weekday_position(
    api_client, event_payload, frequency
):
    recurrence = {"frequency": frequency, "weekday_position": 2, "count": 3}
    assert create_series(api_client, event_payload, recurrence).status_code == 201
    series = Series.objects.get()
    body = api_client.get(reverse("api:series-detail", args=[series.pk])).json()
    assert body["frequency"] == frequency
    assert body["weekday_position"] is None
    assert series.weekday_position is None


def test_an_unknown_series_is_a_404(api_client):
    assert api_client.get(reverse("api:series-detail", args=[12345])).status_code == 404


def test_the_series_token_changes_one_date_or_this_and_following(api_client, event_payload):
    token = create_series(api_client, event_payload).json()["edit_token"]
    slugs = list(Event.objects.order_by("starts_at").values_list("slug", flat=True))
    headers = {"HTTP_X_EDIT_TOKEN": token}
    one = api_client.patch(
        reverse("api:event-detail", args=[slugs[0]]), {"title": "First"}, format="json", **headers
    )
    assert one.status_code == 200, one.content
    following = api_client.patch(
        reverse("api:event-detail", args=[slugs[1]]) + "?following=true",
        {"starts_at": "2030-07-08T20:00:00-03:00"},
        format="json",
        **headers,
    )
    assert following.status_code == 200, following.content
    events = list(Event.objects.order_by("starts_at"))
    assert [e.title for e in events] == ["First", "Python Floripa #42", "Python Floripa #42"]
    assert [e.starts_at.hour for e in events] == [22, 23, 23]


def test_following_must_be_true_or_false(api_client, event_payload):
    token = create_series(api_client, event_payload).json()["edit_token"]
    slug = Event.objects.order_by("starts_at").first().slug
    response = api_client.patch(
        reverse("api:event-detail", args=[slug]) + "?following=maybe",
        {"title": "x"},
        format="json",
        HTTP_X_EDIT_TOKEN=token,
    )
    assert response.status_code == 400
    assert Event.objects.filter(title="x").count() == 0


def test_recurrence_is_refused_on_a_change(api_client, event_payload):
    token = create_series(api_client, event_payload).json()["edit_token"]
    slug = Event.objects.order_by("starts_at").first().slug
    response = api_client.patch(
        reverse("api:event-detail", args=[slug]),
        {"recurrence": MONTHLY},
        format="json",
        HTTP_X_EDIT_TOKEN=token,
    )
    assert response.status_code == 400
    assert "recurrence" in response.json()["errors"]


def test_deleting_this_and_following(api_client, event_payload):
    token = create_series(api_client, event_payload).json()["edit_token"]
    slugs = list(Event.objects.order_by("starts_at").values_list("slug", flat=True))
    response = api_client.delete(
        reverse("api:event-detail", args=[slugs[1]]) + "?following=true",
        HTTP_X_EDIT_TOKEN=token,
    )
    assert response.status_code == 204
    assert list(Event.objects.values_list("slug", flat=True)) == slugs[:1]


def test_the_series_token_does_not_reach_other_events(api_client, event_payload):
    token = create_series(api_client, event_payload).json()["edit_token"]
    other = api_client.post(LIST_URL, {**event_payload, "title": "Other"}, format="json").json()
    response = api_client.patch(
        reverse("api:event-detail", args=[other["slug"]]),
        {"title": "Hijacked"},
        format="json",
        HTTP_X_EDIT_TOKEN=token,
    )
    assert response.status_code == 404


def test_an_invalid_event_field_is_named_as_for_a_single_event(api_client, event_payload):
    response = create_series(api_client, {**event_payload, "city": ""})
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["city"]
    assert not Series.objects.exists()


@pytest.mark.parametrize(
    ("starts_at", "recurrence", "part"),
    [
        # The sixth Thursday is in 2101, past the last year events may have.
        ("2100-12-02T19:00:00-03:00", {"frequency": "weekly", "count": 6}, "count"),
        # 2018-11-04 00:30 did not exist in Florianópolis (daylight saving time).
        ("2018-10-28T00:30:00-03:00", {"frequency": "weekly", "count": 3}, "frequency"),
    ],
)
def test_a_rule_that_reaches_an_impossible_date_is_a_400_under_recurrence(
    api_client, event_payload, starts_at, recurrence, part
):
    payload = {**event_payload, "starts_at": starts_at, "ends_at": None}
    response = create_series(api_client, payload, recurrence)
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["recurrence"]
    assert not Event.objects.exists()
    assert not Series.objects.exists()


@hypothesis_settings(max_examples=150)
@given(
    recurrence=st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "frequency": st.one_of(
                    st.sampled_from(["weekly", "monthly_day", "monthly_weekday"]), JSON_VALUES
                ),
                "interval": st.one_of(st.integers(-1, 14), JSON_VALUES),
                "weekday_position": st.one_of(st.integers(-2, 6), JSON_VALUES),
                "until": st.one_of(st.dates().map(str), JSON_VALUES),
                "count": st.one_of(st.integers(-1, 60), JSON_VALUES),
            },
        ),
        JSON_VALUES,
    ),
    starts_at=st.sampled_from(
        [
            "2030-06-10T19:00:00-03:00",
            "2030-01-31T19:00:00-03:00",
            "2100-12-20T19:00:00-03:00",
            "2018-10-28T00:30:00-03:00",
        ]
    ),
)
def test_any_recurrence_is_created_or_refused_under_its_name_creating_nothing(
    api_client, event_payload, cold_caches, recurrence, starts_at
):
    cold_caches()
    payload = {**event_payload, "starts_at": starts_at, "ends_at": None}
    with transaction.atomic():
        response = create_series(api_client, payload, recurrence)
        if response.status_code == 400:
            assert list(response.json()["errors"]) == ["recurrence"]
            assert not Event.objects.exists()
        else:
            assert response.status_code == 201, response.content
            # null: a single event.
            assert (1 if recurrence is None else 2) <= Event.objects.count() <= MAX_OCCURRENCES
        transaction.set_rollback(True)


@pytest.mark.parametrize("by_token", [False, True])
def test_deleting_following_with_a_stale_if_match_is_a_412_and_deletes_nothing(
    api_client, event_payload, by_token
):
    token = create_series(api_client, event_payload).json()["edit_token"]
    first = Event.objects.order_by("starts_at").first()
    if by_token:
        url = reverse("api:event-by-token-detail", args=[token])
        headers = {}
    else:
        url = reverse("api:event-detail", args=[first.slug])
        headers = {"HTTP_X_EDIT_TOKEN": token}
    stale = f'"{first.revision + 1}"'
    response = api_client.delete(f"{url}?following=true", HTTP_IF_MATCH=stale, **headers)
    assert response.status_code == 412, response.content
    assert Event.objects.count() == 3
