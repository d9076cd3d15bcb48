import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from hypothesis import given
from hypothesis import strategies as st

from events import services
from events.menus import filter_menus
from events.models import Event

from .factories import EventFactory, TechnologyFactory

pytestmark = pytest.mark.django_db

HOME = reverse("events:list")
PAST = reverse("events:past")


def _titles(response):
    return [event.title for event in response.context["event_list"]]


class TestHome:
    def test_lists_upcoming_public_events_soonest_first(self, client):
        now = timezone.now()
        later = EventFactory(title="Later", starts_at=now + timedelta(days=9))
        soon = EventFactory(title="Soon", starts_at=now + timedelta(days=1))
        EventFactory(title="Finished", starts_at=now - timedelta(days=3))
        EventFactory(title="Waiting approval", status=Event.Status.PENDING)
        response = client.get(HOME)
        assert response.status_code == 200
        assert _titles(response) == [soon.title, later.title]

    def test_cancelled_events_stay_listed_with_a_badge(self, client):
        EventFactory(title="Called off", status=Event.Status.CANCELLED)
        response = client.get(HOME)
        assert _titles(response) == ["Called off"]
        assert "badge text-bg-danger" in response.content.decode()

    def test_shows_an_empty_state_without_events(self, client):
        response = client.get(HOME)
        assert response.context["event_list"].count() == 0
        assert reverse("events:create") in response.content.decode()

    def test_shows_app_title_in_title_and_header(self, client, settings):
        settings.APP_TITLE = "Encontros Tech - HOMOLOGAÇÃO"
        content = client.get(HOME).content.decode()
        assert "<title>" in content
        assert content.count("Encontros Tech - HOMOLOGAÇÃO") >= 2

    def test_is_paginated_and_rejects_bad_page_numbers(self, client):
        EventFactory.create_batch(21)
        assert len(client.get(HOME).context["event_list"]) == 20
        assert len(client.get(HOME, {"page": 2}).context["event_list"]) == 1
        for page in ["3", "0", "-1", "abc", "9" * 30]:
            response = client.get(HOME, {"page": page})
            assert response.status_code == 404, page
            assert "Encontros Tech" in response.content.decode()

    def test_runs_a_constant_number_of_queries(self, client, settings):
        settings.PUBLIC_CACHE_SECONDS = 0  # every read renders
        technologies = TechnologyFactory.create_batch(3)

        def queries_for_listing(count):
            Event.objects.all().delete()
            EventFactory.create_batch(count, technologies=technologies)
            cache.clear()  # the menus, computed once per content version
            with CaptureQueriesContext(connection) as queries:
                assert client.get(HOME, {"technology": technologies[0].slug}).status_code == 200
            return len(queries)

        assert queries_for_listing(5) == queries_for_listing(20)
        assert queries_for_listing(5) == queries_for_listing(50)


class TestFilters:
    def test_search_is_accent_and_case_insensitive_and_needs_every_word(self, client):
        EventFactory(title="Python São Paulo")
        EventFactory(title="Python Recife", city="Recife")
        assert _titles(client.get(HOME, {"search": "sao paulo python"})) == ["Python São Paulo"]

    def test_filter_by_city_ignores_case(self, client):
        EventFactory(title="In Recife", city="Recife")
        EventFactory(title="In Natal", city="Natal")
        assert _titles(client.get(HOME, {"city": "recife"})) == ["In Recife"]

    def test_filter_by_technology_slug(self, client):
        python = TechnologyFactory(name="Python", slug="python")
        EventFactory(title="Pythonic", technologies=[python])
        EventFactory(title="Other", technologies=[TechnologyFactory(name="Go", slug="go")])
        response = client.get(HOME, {"technology": "python"})
        assert _titles(response) == ["Pythonic"]

    def test_filter_by_mode(self, client):
        EventFactory(title="Online", mode=Event.Mode.ONLINE, online_url="https://meet.example.org")
        EventFactory(title="Local")
        assert _titles(client.get(HOME, {"mode": "online"})) == ["Online"]

    def test_filter_free_only(self, client):
        EventFactory(title="Free", is_free=True)
        EventFactory(title="Paid", is_free=False)
        assert _titles(client.get(HOME, {"is_free": "true"})) == ["Free"]

    def test_filter_by_date_range(self, client):
        today = timezone.localdate()
        EventFactory(title="Next week", starts_at=timezone.now() + timedelta(days=7))
        EventFactory(title="Next month", starts_at=timezone.now() + timedelta(days=30))
        response = client.get(
            HOME,
            {
                "starts_after": today + timedelta(days=20),
                "starts_before": today + timedelta(days=40),
            },
        )
        assert _titles(response) == ["Next month"]

    def test_filters_are_kept_in_pagination_links(self, client):
        EventFactory.create_batch(25, city="Recife")
        content = client.get(HOME, {"city": "Recife"}).content.decode()
        assert "?city=Recife&amp;page=2" in content

    @pytest.mark.parametrize(
        "params",
        [
            {"mode": "underwater"},
            {"technology": "no-such-tech"},
            {"is_free": "maybe"},
            {"starts_after": "2026-13-45"},
            {"search": "x" * 201},
        ],
    )
    def test_invalid_filter_values_are_ignored_with_a_notice_and_a_way_out(self, client, params):
        event = EventFactory()
        response = client.get(HOME, params)
        assert response.status_code == 200
        assert list(response.context["event_list"]) == [event]
        assert [name for name, _value in response.context["filterset"].ignored]
        assert re.search(rf'class="alert-link"\s+href="{HOME}"', response.content.decode())

    def test_past_page_has_the_same_filters(self, client):
        EventFactory(
            title="Old Recife", city="Recife", starts_at=timezone.now() - timedelta(days=5)
        )
        EventFactory(title="Old Natal", city="Natal", starts_at=timezone.now() - timedelta(days=5))
        EventFactory(title="Future Recife", city="Recife")
        response = client.get(PAST, {"city": "Recife"})
        assert response.status_code == 200
        assert _titles(response) == ["Old Recife"]


class TestEventPage:
    def test_shows_all_public_fields_but_never_the_organizer_email(self, client):
        event = EventFactory(
            title="DevFest",
            address="Rua das Flores, 10",
            organizer_email="secret.organizer@example.org",
            url="https://devfest.example.org",
            technologies=[TechnologyFactory(name="Kotlin", slug="kotlin")],
        )
        response = client.get(event.get_absolute_url())
        content = response.content.decode()
        assert response.status_code == 200
        for text in ["DevFest", "Rua das Flores, 10", "Espaço Comunidade", "São Paulo"]:
            assert text in content
        assert "https://devfest.example.org" in content
        assert f'href="{HOME}?technology=kotlin"' in content
        assert "openstreetmap.org/search?query=" in content
        assert "secret.organizer" not in content

    def test_pending_events_are_not_public(self, client):
        event = EventFactory(status=Event.Status.PENDING)
        assert client.get(event.get_absolute_url()).status_code == 404

    def test_cancelled_event_is_marked(self, client):
        event = EventFactory(status=Event.Status.CANCELLED)
        content = client.get(event.get_absolute_url()).content.decode()
        assert "badge text-bg-danger" in content

    def test_unknown_slug_answers_a_friendly_404(self, client):
        response = client.get(reverse("events:detail", kwargs={"slug": "no-such-event"}))
        assert response.status_code == 404
        assert 'href="/"' in response.content.decode()

    def test_html_in_any_field_is_shown_as_text(self, client):
        attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
        event = EventFactory(title=attack, description=attack, venue=attack, organizer_name=attack)
        for url in [event.get_absolute_url(), HOME]:
            content = client.get(url).content.decode()
            assert "<script>alert" not in content
            assert "<img src=x" not in content
            assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content

    def test_description_keeps_line_breaks_and_links(self, client):
        event = EventFactory(description="First line\nSecond line\n\nSee https://example.org/x")
        content = client.get(event.get_absolute_url()).content.decode()
        assert "First line<br>Second line" in content
        assert '<a href="https://example.org/x" rel="nofollow">' in content


def test_technology_menu_offers_only_technologies_of_public_events(client):
    EventFactory(technologies=[TechnologyFactory(name="Shown")])
    EventFactory(status=Event.Status.PENDING, technologies=[TechnologyFactory(name="Hidden")])
    TechnologyFactory(name="Unused")
    response = client.get(HOME)
    assert [t["name"] for t in response.context["technologies"]] == ["Shown"]


def test_city_menu_lists_each_city_once_whatever_its_case(client):
    EventFactory(city="Recife")
    EventFactory(city="recife")
    EventFactory(city="Natal")
    cities = client.get(HOME).context["cities"]
    assert [(c["name"].lower(), c["event_count"]) for c in cities] == [("natal", 1), ("recife", 2)]


@pytest.mark.parametrize("params", [{}, {"search": "x"}, {"city": "Recife"}])
def test_extra_filters_stay_folded_the_chips_show_those_in_use(client, params):
    EventFactory(city="Recife")

    response = client.get(HOME, params)

    assert '<details class="more-filters mb-3">' in response.content.decode()
    assert [description for description, _ in response.context["removable_filters"]] == (
        ["Recife"] if "city" in params else ["“x”"] if params else []
    )


def test_filter_menus_are_computed_once_then_follow_a_write(django_assert_num_queries):
    event = EventFactory(city="Recife")
    filter_menus()

    with django_assert_num_queries(0):
        assert [city["name"] for city in filter_menus()["cities"]] == ["Recife"]

    services.event_update(event=event, channel=services.Channel.WEB, changes={"city": "Natal"})

    assert [city["name"] for city in filter_menus()["cities"]] == ["Natal"]


@given(
    mode_and_city=st.sampled_from(
        [
            ("in_person", "Recife"),
            ("hybrid", "Recife"),
            ("online", ""),
            ("online", "Recife"),
        ]
    ),
    price=st.sampled_from(
        [
            {"is_free": True},
            {"is_free": False},
            {"is_free": False, "price_from": Decimal("50")},
            {"is_free": False, "price_from": Decimal("30"), "price_to": Decimal("120")},
        ]
    ),
    full_address=st.booleans(),
    static=st.booleans(),
    time_zone=st.sampled_from(["America/Sao_Paulo", "America/Manaus"]),
)
def test_the_card_summary_separates_its_parts_by_one_dot_each(
    mode_and_city, price, full_address, static, time_zone
):
    mode, city = mode_and_city
    event = Event(
        title="Python Recife",
        starts_at=timezone.now() + timedelta(days=3),
        time_zone=time_zone,
        mode=mode,
        city=city,
        venue="Porto Digital" if mode != "online" else "",
        online_url="https://meet.example/python" if mode != "in_person" else "",
        **price,
    )
    html = render_to_string(
        "events/_event_summary.html",
        {"event": event, "full_address": full_address, "static": static},
    )
    text = " ".join(strip_tags(html).split())
    parts = text.split("·")
    assert all(part.strip() for part in parts), text
    # When, mode, price, and the place: the city, or the address in feeds.
    shows_place = event.has_place if full_address else bool(city)
    assert len(parts) == (4 if shows_place else 3), text
