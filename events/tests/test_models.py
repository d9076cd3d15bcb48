from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from events.models import (
    MAX_TECHNOLOGIES,
    Event,
    Technology,
    clean_technology_names,
    technology_slug,
)
from events.search import normalize

from .factories import EventFactory, TechnologyFactory

pytestmark = pytest.mark.django_db


def _full_clean_errors(event):
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean(exclude=["slug", "edit_token_hash"])
    return excinfo.value.message_dict


class TestEventRules:
    def test_end_before_start_is_a_field_error(self):
        event = EventFactory.build(ends_at=timezone.now(), starts_at=timezone.now() + timedelta(1))
        assert "ends_at" in _full_clean_errors(event)

    def test_database_refuses_end_before_start(self):
        event = EventFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Event.objects.filter(pk=event.pk).update(ends_at=event.starts_at - timedelta(hours=1))

    @pytest.mark.parametrize("field", ["city", "venue"])
    def test_in_person_event_needs_city_and_venue(self, field):
        event = EventFactory.build(**{field: ""})
        assert field in _full_clean_errors(event)

    def test_online_event_needs_no_place_but_an_online_url(self):
        event = EventFactory.build(mode=Event.Mode.ONLINE, city="", venue="", online_url="")
        assert set(_full_clean_errors(event)) == {"online_url"}

    def test_database_refuses_online_event_without_url(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            EventFactory(mode=Event.Mode.HYBRID, online_url="")

    def test_database_refuses_in_person_event_without_city(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            EventFactory(city="")

    @pytest.mark.parametrize(
        "url", ["javascript:alert(1)", "ftp://example.org/file", "data:text/html,hi", "not a url"]
    )
    def test_urls_must_be_http_or_https(self, url):
        event = EventFactory.build(url=url, online_url=url, mode=Event.Mode.HYBRID)
        assert {"url", "online_url"} <= set(_full_clean_errors(event))

    def test_title_longer_than_200_characters_is_refused(self):
        assert "title" in _full_clean_errors(EventFactory.build(title="x" * 201))


class TestTechnology:
    def test_the_database_refuses_a_second_technology_with_the_same_slug(self):
        Technology.objects.create(name="Python", slug="python")
        with pytest.raises(IntegrityError), transaction.atomic():
            Technology.objects.create(name="python", slug="python")

    def test_get_or_create_by_name_matches_ignoring_case_and_spaces(self):
        python = Technology.objects.get_or_create_by_name("Python")
        assert Technology.objects.get_or_create_by_name("  pYTHON ") == python
        assert Technology.objects.count() == 1

    def test_similar_names_get_distinct_slugs(self):
        assert len({technology_slug(n) for n in ["C", "C#", "C++", ".NET", "Node.js"]}) == 5

    def test_name_without_letters_or_digits_is_refused(self):
        with pytest.raises(ValidationError):
            Technology.objects.get_or_create_by_name("!!!")


class TestTechnologyNames:
    """clean_technology_names: the list rule of the form and the API alike."""

    def test_spaces_collapse_and_blanks_and_repeats_ignoring_case_are_dropped(self):
        names = ["  Python ", "", "python", "Django  REST", "   "]
        assert clean_technology_names(names) == ["Python", "Django REST"]

    def test_more_than_the_maximum_is_refused(self):
        names = [f"Tech {number}" for number in range(MAX_TECHNOLOGIES + 1)]
        with pytest.raises(ValidationError) as refusal:
            clean_technology_names(names)
        assert refusal.value.code == "too_many"

    def test_the_maximum_counts_distinct_names(self):
        names = ["Python", "PYTHON", *[f"Tech {n}" for n in range(MAX_TECHNOLOGIES - 1)]]
        assert len(clean_technology_names(names)) == MAX_TECHNOLOGIES

    @pytest.mark.parametrize("name", ["Py\x00thon", "Py\x1bthon", "Py\x7fthon"])
    def test_control_characters_are_refused(self, name):
        with pytest.raises(ValidationError) as refusal:
            clean_technology_names([name])
        assert refusal.value.code == "control_characters"

    @given(st.lists(st.text(max_size=60), max_size=2 * MAX_TECHNOLOGIES))
    def test_any_list_is_refused_or_cleaned_into_valid_distinct_names(self, names):
        try:
            cleaned = clean_technology_names(names)
        except ValidationError:
            return
        assert len(cleaned) <= MAX_TECHNOLOGIES
        assert len({name.casefold() for name in cleaned}) == len(cleaned)
        for name in cleaned:
            assert name == " ".join(name.split()) and name
            Technology(name=name).clean()


class TestEventQuerySet:
    def test_upcoming_includes_events_happening_now_soonest_first(self):
        now = timezone.now()
        later = EventFactory(starts_at=now + timedelta(days=3))
        happening = EventFactory(
            starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
        )
        no_end_started = EventFactory(starts_at=now - timedelta(hours=1), ends_at=None)
        EventFactory(starts_at=now - timedelta(days=2))
        assert list(Event.objects.upcoming()) == [happening, no_end_started, later]

    def test_past_lists_finished_events_most_recent_first(self):
        now = timezone.now()
        older = EventFactory(starts_at=now - timedelta(days=10))
        recent = EventFactory(starts_at=now - timedelta(days=1))
        EventFactory(starts_at=now + timedelta(days=1))
        assert list(Event.objects.past()) == [recent, older]

    def test_public_hides_pending_events(self):
        published = EventFactory()
        cancelled = EventFactory(status=Event.Status.CANCELLED)
        EventFactory(status=Event.Status.PENDING)
        assert set(Event.objects.public()) == {published, cancelled}

    def test_search_ignores_case_and_accents_and_needs_every_word(self):
        match = EventFactory(title="Python São Paulo")
        EventFactory(title="Python Rio de Janeiro", city="Rio de Janeiro")
        assert list(Event.objects.search("sao paulo python")) == [match]
        assert list(Event.objects.search("SÃO PÁULO")) == [match]
        assert list(Event.objects.search("python recife")) == []

    @pytest.mark.parametrize(
        "field,value",
        [
            ("description", "Oficina de Programação"),
            ("city", "Florianópolis"),
            ("venue", "Auditório Central"),
            ("organizer_name", "Comunidade Ágil"),
        ],
    )
    def test_search_covers_every_public_text_field(self, field, value):
        event = EventFactory(**{field: value})
        EventFactory()
        assert list(Event.objects.search(normalize(value).upper())) == [event]

    def test_search_covers_technologies(self):
        event = EventFactory(technologies=[TechnologyFactory(name="Elixir")])
        EventFactory()
        assert list(Event.objects.search("elixir")) == [event]

    def test_search_treats_like_wildcards_literally(self):
        EventFactory(title="Meetup")
        assert list(Event.objects.search("%")) == []
        assert list(Event.objects.search("_")) == []


def test_normalize_strips_accents_case_and_extra_spaces():
    assert normalize("  Ação   CAFÉ\tçÑ ") == "acao cafe cn"


def test_with_technologies_gives_each_event_its_technologies_by_name(
    django_assert_num_queries, settings
):
    django, python = TechnologyFactory(name="Django"), TechnologyFactory(name="Python")
    alone = TechnologyFactory(name="Ansible")
    both = EventFactory(technologies=[python, django])
    one = EventFactory(technologies=[alone])
    none = EventFactory(technologies=[])

    # The events with their technologies' ids, and every technology, which the
    # process then keeps.
    with django_assert_num_queries(2):
        events = {event.pk: event for event in Event.objects.with_technologies()}
    with django_assert_num_queries(1):
        list(Event.objects.with_technologies())

    names = {pk: [t.name for t in event.technology_list] for pk, event in events.items()}
    assert names == {both.pk: ["Django", "Python"], one.pk: ["Ansible"], none.pk: []}


def test_with_technologies_finds_a_technology_made_after_the_process_kept_them():
    event = EventFactory(technologies=[TechnologyFactory(name="Python")])
    list(Event.objects.with_technologies())
    # Made without a write service: public content did not change, and the
    # technologies kept by the process do not have it.
    event.technologies.add(Technology.objects.create(name="Rust", slug="rust"))

    found = Event.objects.with_technologies().get(pk=event.pk)

    assert [technology.name for technology in found.technology_list] == ["Python", "Rust"]
