"""The filter form as a browser sends it: every field present, most of them blank."""

from datetime import date

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import services
from events.api.filters import EventApiFilter
from events.filters import EventFilter
from events.menus import MENUS_KEY, filter_menus
from events.models import Event, Technology

from .factories import EventFactory, TechnologyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BLANK_FORM = {
    "search": "",
    "city": "",
    "technology": "",
    "mode": "",
    "is_free": "",
    "starts_after": "",
    "starts_before": "",
}


def test_submitting_the_filter_form_untouched_lists_every_event(client):
    free, paid = EventFactory(is_free=True), EventFactory(is_free=False)

    response = client.get(reverse("events:list"), BLANK_FORM)

    assert response.status_code == 200
    assert list(response.context["event_list"]) == [free, paid]


def test_any_technology_and_any_price_are_the_preselected_choices(client):
    response = client.get(reverse("events:list"))

    form = response.context["filterset"].form
    assert form["is_free"].value() in (None, "")
    content = response.content.decode()
    assert '<option value="" selected>Any price</option>' in content
    assert '<option value="" selected>Any mode</option>' in content


def test_technology_filter_ignores_the_blank_choice_next_to_a_real_one(client):
    python = TechnologyFactory(name="Python", slug="python")
    with_python = EventFactory(technologies=[python])
    EventFactory()

    response = client.get(reverse("events:list"), {"technology": ["", "python"]})

    assert list(response.context["event_list"]) == [with_python]
    assert response.context["canonical_url"] == "http://testserver/en/?technology=python"


def test_an_unknown_technology_is_ignored_and_the_known_one_kept(client):
    python = TechnologyFactory(name="Python", slug="python")
    with_python = EventFactory(technologies=[python])
    EventFactory()

    response = client.get(reverse("events:list"), {"technology": ["gone", "python"]})

    assert list(response.context["event_list"]) == [with_python]
    assert response.context["filterset"].ignored == [("Technology", "gone")]
    assert response.context["canonical_url"] == "http://testserver/en/?technology=python"


def test_a_renamed_technology_keeps_its_old_links_working(client):
    technology = TechnologyFactory(name="JS", slug="js")
    event = EventFactory(technologies=[technology])
    technology.name = "JavaScript"
    services.technology_save(technology=technology)

    response = client.get(reverse("events:list"), {"technology": "js"})

    assert list(response.context["event_list"]) == [event]
    assert response.context["filterset"].ignored == []
    # The canonical link moves to the new slug.
    assert response.context["canonical_url"] == "http://testserver/en/?technology=javascript"


def test_a_technology_renamed_twice_answers_to_both_old_slugs(client):
    technology = TechnologyFactory(name="JS", slug="js")
    event = EventFactory(technologies=[technology])
    for name in ["ECMAScript", "JavaScript"]:
        technology.name = name
        services.technology_save(technology=technology)

    for slug in ["js", "ecmascript", "javascript"]:
        response = client.get(reverse("events:list"), {"technology": slug})
        assert list(response.context["event_list"]) == [event], slug


def test_a_new_technology_takes_over_a_former_slug(client):
    renamed = TechnologyFactory(name="JS", slug="js")
    renamed.name = "JavaScript"
    services.technology_save(technology=renamed)
    TechnologyFactory(name="Jsonnet", slug="jsonnet")

    # Typing the old name finds the renamed technology rather than creating a twin.
    assert Technology.objects.get_or_create_by_name("JS") == renamed
    # A technology that is given the old slug by a rename wins it.
    other = Technology.objects.get(slug="jsonnet")
    other.name = "JS"
    services.technology_save(technology=other)
    assert Technology.objects.by_slug("js") == other


def test_the_api_still_refuses_unknown_technologies(client):
    response = client.get(reverse("api:event-list"), {"technology": "gone"})

    assert response.status_code == 400


def test_the_api_follows_renamed_technologies(client):
    technology = TechnologyFactory(name="JS", slug="js")
    event = EventFactory(technologies=[technology])
    technology.name = "JavaScript"
    services.technology_save(technology=technology)

    response = client.get(reverse("api:event-list"), {"technology": "js"})

    assert [item["slug"] for item in response.json()["results"]] == [event.slug]


def public_upcoming_filterset(query, **kwargs):
    events = Event.objects.public().upcoming()
    return EventFilter(QueryDict(query), queryset=events, lenient=True, **kwargs)


def test_the_chosen_technologies_are_read_once(django_assert_num_queries):
    python = TechnologyFactory(name="Python", slug="python")
    EventFactory(technologies=[python])

    with django_assert_num_queries(1):
        filterset = public_upcoming_filterset("technology=python")
        assert filterset.is_valid()
        assert filterset.chosen_technologies == [python]
        assert filterset.describe() == ["Python"]


def test_the_api_reads_the_chosen_technologies_once(django_assert_num_queries):
    python = TechnologyFactory(name="Python", slug="python")
    EventFactory(technologies=[python])

    with django_assert_num_queries(1):
        filterset = EventApiFilter(QueryDict("technology=python"), queryset=Event.objects.all())
        assert filterset.is_valid()
        assert filterset.chosen_technologies == [python]


def test_a_technology_of_pending_events_only_is_ignored_and_the_public_one_kept(client):
    python = TechnologyFactory(name="Python", slug="python")
    with_python = EventFactory(technologies=[python])
    EventFactory(technologies=[TechnologyFactory(name="Hidden", slug="hidden")], status="pending")

    response = client.get(reverse("events:list"), {"technology": ["python", "hidden"]})

    assert list(response.context["event_list"]) == [with_python]
    assert response.context["filterset"].ignored == [("Technology", "hidden")]


def test_a_renamed_technology_of_pending_events_only_is_unknown(client):
    hidden = TechnologyFactory(name="JS", slug="js")
    EventFactory(technologies=[hidden], status="pending")
    hidden.name = "JavaScript"
    services.technology_save(technology=hidden)

    assert Technology.objects.by_slugs(["js"]) == {"js": hidden}
    assert Technology.objects.public().by_slugs(["js"]) == {}
    response = client.get(reverse("api:event-list"), {"technology": "js"})
    assert response.status_code == 400


def test_the_chosen_technologies_are_described_by_name_whatever_their_order(client):
    for name in ["Rust", "Go", "Python"]:
        EventFactory(technologies=[TechnologyFactory(name=name, slug=name.lower())])

    filterset = public_upcoming_filterset("technology=rust&technology=python&technology=go")

    assert filterset.describe() == ["Go", "Python", "Rust"]


def test_the_city_is_spelled_as_the_menu_spells_it_without_a_query(django_assert_num_queries):
    EventFactory(city="Recife")
    filter_menus()

    with django_assert_num_queries(0):
        assert public_upcoming_filterset("city=recife").describe() == ["Recife"]


def test_a_city_the_menu_does_not_have_yet_is_spelled_as_its_events_spell_it():
    filter_menus()
    # Added without a service: the kept menus do not know it.
    EventFactory(city="Natal")

    assert public_upcoming_filterset("city=NATAL").describe() == ["Natal"]
    assert public_upcoming_filterset("city=Nowhere").describe() == ["Nowhere"]


def test_the_list_takes_the_menus_its_process_kept_without_asking_the_cache(client, monkeypatch):
    EventFactory(city="Recife")
    filter_menus()
    reads = []
    get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *args: reads.append(key) or get(key, *args))

    response = client.get(reverse("events:list"), {"city": "recife"})

    assert response.context["filters_summary"] == "Recife"
    assert [city["name"] for city in response.context["cities"]] == ["Recife"]
    assert reads.count(MENUS_KEY) == 0


def test_menus_kept_by_a_process_follow_a_write_at_once():
    event = EventFactory(city="Recife")
    assert [city["name"] for city in filter_menus()["cities"]] == ["Recife"]

    services.event_update(
        event=event, channel=services.Channel.ADMIN, changes={"city": "Natal"}, moderated=False
    )

    assert [city["name"] for city in filter_menus()["cities"]] == ["Natal"]


def test_the_form_class_is_built_once_per_filterset_class():
    site = [public_upcoming_filterset(query).form for query in ("", "city=recife")]
    api = [EventApiFilter(QueryDict(query)).form for query in ("", "past=true")]

    assert type(site[0]) is type(site[1])
    assert type(api[0]) is type(api[1])
    assert type(site[0]) is not type(api[0])
    assert "past" in api[0].fields and "past" not in site[0].fields


def test_each_filterset_filters_with_its_own_values():
    python, rust = (TechnologyFactory(name=name, slug=name.lower()) for name in ["Python", "Rust"])
    alpha = EventFactory(title="Alpha", technologies=[python])
    beta = EventFactory(title="Beta", technologies=[rust])

    first = public_upcoming_filterset("search=alpha&technology=python")
    second = public_upcoming_filterset("search=beta&technology=rust")
    unknown = EventApiFilter(QueryDict("technology=go"))

    # Each filter calls the methods of its own FilterSet, with its own values.
    assert first.filters["search"].parent is first
    assert list(first.qs) == [alpha]
    assert list(second.qs) == [beta]
    # Technologies read for one request are no valid choice for another.
    assert not unknown.is_valid()
    assert list(unknown.errors) == ["technology"]


def test_a_date_shown_as_text_in_one_form_leaves_the_date_input_of_the_others():
    refused = EventFilter(QueryDict("starts_after=notadate")).form["starts_after"]

    # A browser would drop a value its date input refuses: it is given back as text.
    assert 'type="text"' in str(refused)
    assert 'type="date"' in str(EventFilter(QueryDict("")).form["starts_after"])


QUERY_NAMES = st.sampled_from([*BLANK_FORM, "page", "utm_source"])
QUERY_VALUES = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


@pytest.mark.parametrize(
    "name",
    ["events:list", "events:past", "events:embed", "events:calendar", "events:atom", "events:rss"],
)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.lists(st.tuples(QUERY_NAMES, QUERY_VALUES), max_size=6))
def test_any_query_string_gets_a_page_never_an_error(client, name, query):
    response = client.get(reverse(name) + "?" + urlencode(query))

    if any("\x00" in value for _name, value in query):
        # A NUL byte is a malformed request (encontros.middleware.NulByteMiddleware).
        assert response.status_code == 400, query
    else:
        # A page number past the end is the only refusal (404), as for any list.
        assert response.status_code in (200, 404), query


def test_an_event_with_several_of_the_chosen_technologies_is_listed_and_counted_once(client):
    python = TechnologyFactory(name="Python", slug="python")
    rust = TechnologyFactory(name="Rust", slug="rust")
    both = EventFactory(technologies=[python, rust])
    only_rust = EventFactory(technologies=[rust])
    EventFactory(technologies=[TechnologyFactory(name="Go", slug="go")])

    response = client.get(reverse("events:list") + "?technology=python&technology=rust")

    assert list(response.context["event_list"]) == [both, only_rust]
    assert response.context["paginator"].count == 2


@pytest.fixture
def uncached(settings):
    # The second answer must be computed, not the first one served again.
    settings.PUBLIC_CACHE_SECONDS = 0


SINGLE_VALUED = ["search", "city", "mode", "is_free", "starts_after", "starts_before"]
FILTER_VALUES = st.one_of(
    st.sampled_from(["online", "in_person", "true", "false", "Recife", "2030-01-01", "x", ""]),
    QUERY_VALUES,
)


@pytest.mark.parametrize("name", ["events:list", "events:embed"])
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    parameter=st.sampled_from(SINGLE_VALUED),
    values=st.lists(FILTER_VALUES, min_size=2, max_size=3),
    order=st.randoms(use_true_random=False),
)
def test_a_repeated_filter_means_the_same_in_any_order(
    client, uncached, name, parameter, values, order
):
    EventFactory(city="Recife", mode="online", online_url="https://example.org", venue="")
    shuffled = list(values)
    order.shuffle(shuffled)

    answers = [
        client.get(reverse(name) + "?" + urlencode([(parameter, value) for value in ordering]))
        for ordering in (values, shuffled)
    ]

    assert answers[0].status_code == answers[1].status_code
    if answers[0].status_code != 200:
        return  # A NUL byte: a malformed request (400) in any order.
    first, second = (answer.context for answer in answers)
    assert list(first["object_list"]) == list(second["object_list"])
    if "filterset" in first:
        assert sorted(first["filterset"].ignored) == sorted(second["filterset"].ignored)
        if len([value for value in values if value]) > 1:
            # Ignored with the notice, not judged by one of its values.
            assert not first["filterset"].form.cleaned_data.get(parameter)


def test_a_repeated_filter_is_ignored_with_the_notice(client):
    EventFactory(city="Recife")

    page = client.get(reverse("events:list") + "?mode=online&mode=nope")

    assert page.status_code == 200
    assert "nope" in page.content.decode()
    assert "online" in {value for _label, value in page.context["filterset"].ignored}


def filterset_for(query):
    return EventFilter(QueryDict(query), queryset=Event.objects.public(), lenient=True)


@pytest.fixture
def technologies():
    python = TechnologyFactory(name="Python", slug="python")
    rust = TechnologyFactory(name="Rust", slug="rust")
    EventFactory(city="Recife", technologies=[python, rust])


@pytest.mark.usefixtures("technologies")
def test_the_heading_and_title_say_which_filters_are_in_use(client):
    content = client.get(reverse("events:list") + "?technology=python&city=recife").content
    page = content.decode()

    assert "<title> Upcoming events: Python · Recife ·" in " ".join(page.split())
    assert "Upcoming events: Python · Recife </h1>" in " ".join(page.split())


@pytest.mark.usefixtures("technologies")
def test_each_chip_removes_its_own_filter_and_keeps_the_others(client):
    response = client.get(reverse("events:list") + "?technology=python&technology=rust&mode=online")

    chips = dict(response.context["removable_filters"])
    assert chips == {
        "Python": "technology=rust&mode=online",
        "Rust": "technology=python&mode=online",
        "Online": "technology=python&technology=rust",
    }
    assert 'href="?technology=rust&amp;mode=online"' in response.content.decode()


FILTER_VALUES = {
    "technology": ["python", "rust", "gone"],
    "city": ["Recife", ""],
    "mode": ["online", "in_person", "nonsense"],
    "is_free": ["true", "false"],
    "starts_after": ["2030-01-01", "not a date"],
    "starts_before": ["2030-02-01"],
    "search": ["django", "  "],
}


@pytest.mark.usefixtures("technologies")
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.lists(
        st.sampled_from(sorted(FILTER_VALUES)).flatmap(
            lambda name: st.tuples(st.just(name), st.sampled_from(FILTER_VALUES[name]))
        ),
        max_size=6,
    )
)
def test_following_a_chip_drops_exactly_that_filter(query):
    filterset = filterset_for(urlencode(query))
    described = filterset.describe()

    for description, chip_query in filterset.removable_filters():
        remaining = filterset_for(chip_query).describe()
        assert remaining == [part for part in described if part != description], (
            urlencode(query),
            chip_query,
        )


@pytest.mark.parametrize(
    ("today", "week", "weekend"),
    [
        # Wednesday, Monday and Sunday: the week runs Monday to Sunday.
        (date(2026, 12, 2), ("2026-11-30", "2026-12-06"), ("2026-12-05", "2026-12-06")),
        (date(2026, 11, 30), ("2026-11-30", "2026-12-06"), ("2026-12-05", "2026-12-06")),
        (date(2026, 12, 6), ("2026-11-30", "2026-12-06"), ("2026-12-05", "2026-12-06")),
    ],
)
def test_the_shortcuts_cover_this_week_this_weekend_and_online(today, week, weekend):
    filterset = filterset_for("city=Recife&starts_after=2020-01-01")

    (_, this_week, _), (_, this_weekend, _), (_, online, _) = filterset.shortcuts(today)

    assert QueryDict(this_week).dict() == {
        "city": "Recife",
        "starts_after": week[0],
        "starts_before": week[1],
    }
    assert QueryDict(this_weekend).dict() == {
        "city": "Recife",
        "starts_after": weekend[0],
        "starts_before": weekend[1],
    }
    assert QueryDict(online).dict() == {
        "city": "Recife",
        "starts_after": "2020-01-01",
        "mode": "online",
    }


def test_the_shortcut_in_use_is_marked_and_the_past_list_has_none(client):
    upcoming = client.get(reverse("events:list") + "?mode=online").content.decode()
    past = client.get(reverse("events:past")).content.decode()

    assert 'aria-current="page">Online</a>' in " ".join(upcoming.split())
    assert "list-shortcuts" not in past


def test_blank_repeated_parameters_are_no_filter_and_get_no_notice(client):
    EventFactory(city="Recife", mode="online", online_url="https://example.org", venue="")

    page = client.get(reverse("events:list") + "?city=&city=&mode=online")

    assert page.context["filterset"].ignored == []
    assert page.context["canonical_url"] == "http://testserver/en/?mode=online"
    assert len(page.context["event_list"]) == 1


def test_a_blank_value_next_to_a_real_one_keeps_the_real_filter(client):
    recife = EventFactory(city="Recife")
    EventFactory(city="Natal")

    page = client.get(reverse("events:list") + "?city=Recife&city=")

    assert list(page.context["event_list"]) == [recife]
    assert page.context["filterset"].ignored == []
    assert page.context["canonical_url"] == "http://testserver/en/?city=Recife"


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.lists(
        st.sampled_from(sorted(FILTER_VALUES)).flatmap(
            lambda name: st.tuples(st.just(name), st.sampled_from(FILTER_VALUES[name]))
        ),
        max_size=4,
    ),
    blanks=st.lists(
        st.tuples(st.integers(0, 8), st.sampled_from(sorted(FILTER_VALUES))), max_size=4
    ),
)
def test_blank_parameters_anywhere_change_neither_the_list_nor_its_canonical_url(
    client, uncached, query, blanks
):
    EventFactory(city="Recife")
    with_blanks = list(query)
    for position, name in blanks:
        with_blanks.insert(position, (name, ""))

    answers = [
        client.get(reverse("events:list") + "?" + urlencode(pairs)).context
        for pairs in (query, with_blanks)
    ]

    first, second = answers
    assert list(first["event_list"]) == list(second["event_list"])
    assert first["filterset"].ignored == second["filterset"].ignored
    assert first["canonical_url"] == second["canonical_url"]
    assert "=&" not in first["canonical_url"] and not first["canonical_url"].endswith("=")
