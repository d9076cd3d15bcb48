"""The filter form as a browser sends it: every field present, most of them blank."""

import pytest
from django.urls import reverse
from django.utils.http import urlencode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import services
from events.models import Technology

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
