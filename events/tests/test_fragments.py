"""Misses of the public cache reuse the cards and API representations of events
that did not change (events/fragments.py), and never anything private or stale."""

from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from events import calendar, fragments, services
from events.models import Event, Technology

from .factories import EventFactory, TechnologyFactory

pytestmark = pytest.mark.django_db

HOME = reverse("events:list")


@pytest.fixture(autouse=True)
def _public_cache_off(settings):
    # Every request is a miss of the public cache: what it shows comes from the pieces.
    settings.PUBLIC_CACHE_SECONDS = 0


@pytest.fixture
def python_event():
    python = TechnologyFactory(name="Python", slug="python")
    return EventFactory(title="Python Recife", technologies=[python])


def page(url, client=None):
    response = (client or Client()).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_change_to_any_stored_field_gives_the_event_another_key(python_event):
    state = fragments.event_state(python_event)
    for name in fragments.STORED_FIELDS:
        changed = Event.objects.with_technologies().get(pk=python_event.pk)
        changed.__dict__[name] = object()
        assert fragments.event_state(changed) != state, name


def test_an_event_with_fields_left_unloaded_is_rendered_every_time(python_event):
    partial = Event.objects.defer("description").get(pk=python_event.pk)
    assert fragments.event_state(partial) is None
    made = mock.Mock(return_value="card")
    fragments.kept_for_event("card", partial, made)
    fragments.kept_for_event("card", partial, made)
    assert made.call_count == 2


def test_a_second_miss_reuses_the_cards_of_unchanged_events(python_event):
    EventFactory.create_batch(3)
    with mock.patch.object(
        fragments, "render_to_string", wraps=fragments.render_to_string
    ) as render:
        first = page(HOME)
        assert render.call_count == 4
        assert page(HOME) == first
        assert render.call_count == 4


def test_the_list_shows_every_change_to_an_event_at_once(python_event):
    page(HOME)
    services.event_update(
        event=python_event,
        changes={"title": "Python Pernambuco"},
        channel=services.Channel.ADMIN,
    )
    assert "Python Pernambuco" in page(HOME)

    services.event_cancel(
        event=Event.objects.get(pk=python_event.pk), channel=services.Channel.ADMIN
    )
    cancelled = page(HOME)
    assert "Python Pernambuco" in cancelled
    assert "Cancelado" in cancelled


def test_a_renamed_technology_gives_its_events_another_key(python_event):
    event = Event.objects.with_technologies().get(pk=python_event.pk)
    before = fragments.event_state(event)
    # The event's own row is the same.
    event.technology_list = [Technology(pk=before[1][0][0], name="Python 3", slug="python")]
    assert fragments.event_state(event) != before


def test_a_renamed_technology_shows_on_every_card_at_once(python_event):
    assert "Python</a>" in page(HOME)
    # The events' own rows do not change.
    python = Technology.objects.get(slug="python")
    python.name = "Python 3"
    services.technology_save(technology=python)
    assert "Python 3</a>" in page(HOME)


def test_each_language_has_its_own_cards(python_event):
    services.event_cancel(event=python_event, channel=services.Channel.ADMIN)
    assert "Cancelado" in page(HOME)
    english = page("/en/")
    assert "Cancelled" in english
    assert "Cancelado" not in english
    assert 'href="/en/events/' in english


def test_the_embed_reuses_its_own_items_not_the_list_cards(python_event):
    list_page, embed = page(HOME), page(reverse("events:embed"))
    assert "event-card" in list_page
    assert "event-card" not in embed
    assert "embed-event" in embed


def test_the_filter_form_shows_the_values_of_each_request(python_event):
    python_online = page(HOME + "?technology=python&mode=online")
    assert '<option value="python"\n                  selected>' in python_online
    assert '<option value="online" selected>' in python_online
    plain = page(HOME)
    assert '<option value="python"\n                  selected>' not in plain
    assert '<option value="online" selected>' not in plain
    assert page(HOME + "?technology=python&mode=online") == python_online


def test_the_filter_menus_follow_a_new_city_and_technology(python_event):
    assert "Natal" not in page(HOME)
    rust = TechnologyFactory(name="Rust", slug="rust")
    services.event_create(
        event=EventFactory.build(title="Rust Natal", city="Natal"),
        channel=services.Channel.ADMIN,
        technology_names=[rust.name],
        moderated=False,
    )
    home = page(HOME)
    assert '<option value="Natal"></option>' in home
    assert '<option value="rust"' in home


def test_kept_pieces_stay_within_their_memory_bound(settings):
    settings.PUBLIC_FRAGMENT_BYTES = 4_000
    EventFactory.create_batch(20)
    page(HOME)
    assert 0 < fragments.store.size <= 4_000
    assert len(fragments.store.entries) < 20


def test_api_reads_reuse_representations_and_show_changes(python_event):
    detail = reverse("api:event-detail", args=[python_event.slug])
    client = APIClient()
    assert client.get(detail).json()["title"] == "Python Recife"
    assert len(fragments.store.entries) == 1
    services.event_update(
        event=python_event, changes={"title": "Python PE"}, channel=services.Channel.ADMIN
    )
    assert client.get(detail).json()["title"] == "Python PE"
    assert client.get(reverse("api:event-list")).json()["results"][0]["title"] == "Python PE"


def test_private_fields_are_never_kept_nor_served_to_anyone_else(python_event, admin_client):
    Event.objects.filter(pk=python_event.pk).update(organizer_email="private@example.org")
    detail = reverse("api:event-detail", args=[python_event.slug])
    for url in [detail, reverse("api:event-list")]:
        stranger_before = APIClient().get(url).content.decode()
        staff = admin_client.get(url).content.decode()
        stranger_after = APIClient().get(url).content.decode()
        assert "private@example.org" in staff
        assert "private@example.org" not in stranger_before
        assert stranger_after == stranger_before
    for piece in fragments.store.entries.values():
        assert "private@example.org" not in str(piece)


def test_each_site_address_has_its_own_representations(python_event, settings):
    settings.ALLOWED_HOSTS = ["testserver", "encontros.example"]
    detail = reverse("api:event-detail", args=[python_event.slug])
    assert APIClient().get(detail).json()["page_url"].startswith("http://testserver/")
    other = APIClient().get(detail, HTTP_HOST="encontros.example").json()
    assert other["page_url"].startswith("http://encontros.example/")


CALENDAR = reverse("events:calendar")


def test_a_second_calendar_miss_reuses_the_vevents_of_unchanged_events(python_event):
    EventFactory.create_batch(3)
    with mock.patch.object(calendar, "_vevent", wraps=calendar._vevent) as serialise:
        first = page(CALENDAR)
        assert serialise.call_count == 4
        assert page(CALENDAR).count("BEGIN:VEVENT") == 4
        assert serialise.call_count == 4
    assert first.count("BEGIN:VTIMEZONE") == 1


def test_the_calendar_shows_every_change_to_an_event_at_once(python_event):
    page(CALENDAR)
    services.event_update(
        event=python_event,
        changes={"title": "Python Pernambuco", "time_zone": "America/Manaus"},
        channel=services.Channel.ADMIN,
    )
    changed = page(CALENDAR)
    assert "SUMMARY:Python Pernambuco" in changed
    assert "TZID:America/Manaus" in changed


def test_each_site_address_has_its_own_vevents(python_event, settings):
    settings.ALLOWED_HOSTS = ["testserver", "encontros.example"]
    assert "URL:http://testserver/" in page(CALENDAR)
    other = Client().get(CALENDAR, HTTP_HOST="encontros.example").content.decode()
    assert "URL:http://encontros.example/" in other
    assert "testserver" not in other
