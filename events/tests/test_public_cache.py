"""Anonymous reads come from the public cache, and every door that writes empties it.

A read served from the cache runs no SQL query: that is how these tests tell a
hit from a miss.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from events.models import Event

from .factories import EventFactory, TechnologyFactory
from .test_edit import form_data
from .test_submission import submission

pytestmark = pytest.mark.django_db

HOME = reverse("events:list")
TOKEN = "t" * 43


def served(client, url, **kwargs):
    """The answer's text and whether the cache served it (no query ran)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response.content.decode(), len(queries) == 0


@pytest.fixture
def event():
    python = TechnologyFactory(name="Python", slug="python")
    return EventFactory(title="Python Recife", edit_token=TOKEN, technologies=[python])


def create_on_the_site(admin_client, event, settings):
    settings.EVENTS_FORM_MIN_SECONDS = 0
    submission(Client(), title="Rust Natal")
    return "Rust Natal"


def edit_with_the_edit_link(admin_client, event, settings):
    Client().post(
        reverse("events:edit", kwargs={"token": TOKEN}), form_data(event, title="Python PE")
    )
    return "Python PE"


def patch_through_the_api(admin_client, event, settings):
    APIClient().patch(
        reverse("api:event-detail", args=[event.slug]),
        {"title": "Python Pernambuco"},
        headers={"X-Edit-Token": TOKEN},
    )
    return "Python Pernambuco"


def cancel_with_an_admin_action(admin_client, event, settings):
    admin_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "cancel", "_selected_action": [event.pk]},
    )
    assert Event.objects.get().is_cancelled
    return None  # shown in each page's own words


def rename_a_technology(admin_client, event, settings):
    technology = event.technologies.get()
    admin_client.post(
        reverse("admin:events_technology_change", args=[technology.pk]), {"name": "Python 3"}
    )
    return "Python 3"


WRITES = [
    create_on_the_site,
    edit_with_the_edit_link,
    patch_through_the_api,
    cancel_with_an_admin_action,
    rename_a_technology,
]


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("url", [HOME, "/en/", "/feeds/events.atom"])
def test_a_write_shows_at_once_in_place_of_the_cached_answer(
    client, admin_client, event, settings, write, url
):
    first, first_from_cache = served(client, url)
    again, again_from_cache = served(client, url)
    assert (first_from_cache, again_from_cache) == (False, True)
    assert again == first

    expected = write(admin_client, event, settings)

    after, after_from_cache = served(client, url)
    assert not after_from_cache
    assert after != first
    assert expected is None or expected in after


def test_the_api_list_and_detail_are_cached_and_follow_writes(client, event):
    detail = reverse("api:event-detail", args=[event.slug])
    for url in [reverse("api:event-list"), detail]:
        assert served(client, url)[1] is False
        assert served(client, url)[1] is True

    patch_through_the_api(None, event, None)

    assert "Python Pernambuco" in served(client, detail)[0]


def test_a_staff_session_is_never_served_nor_stored(admin_client, client, event):
    staff_page, staff_from_cache = served(admin_client, HOME)
    assert (staff_from_cache, served(admin_client, HOME)[1]) == (False, False)
    # The staff visit stored nothing that an anonymous visitor could get.
    assert served(client, HOME)[1] is False


def test_an_organizer_s_private_api_answers_never_reach_another_visitor(event):
    organizer = APIClient()
    detail = reverse("api:event-detail", args=[event.slug])
    Event.objects.filter(pk=event.pk).update(organizer_email="private@example.org")

    created = organizer.post(
        reverse("api:event-list"),
        {
            "title": "Go Recife",
            "description": "Talks.",
            "starts_at": "2031-06-10T19:00:00-03:00",
            "mode": "online",
            "online_url": "https://example.org/live",
            "organizer_name": "Go PE",
        },
    )
    assert created.status_code == 201
    with_token = organizer.get(detail, headers={"X-Edit-Token": TOKEN})
    by_token = organizer.get(reverse("api:event-by-token-detail", args=[TOKEN]))
    assert "private@example.org" in with_token.content.decode()
    assert "private@example.org" in by_token.content.decode()

    stranger = APIClient()
    public = stranger.get(detail).content.decode()
    assert "private@example.org" not in public
    assert "edit_token" not in stranger.get(reverse("api:event-list")).content.decode()
    wrong_token = stranger.get(reverse("api:event-by-token-detail", args=["w" * 43]))
    assert wrong_token.status_code == 404


def test_edit_pages_are_never_cached_for_anyone(event):
    organizer = Client()
    edit_url = reverse("events:edit", kwargs={"token": TOKEN})
    page = organizer.get(edit_url)
    assert page["Cache-Control"] == "no-store"
    assert "ETag" not in page

    stranger = Client()
    with CaptureQueriesContext(connection) as queries:
        assert stranger.get(reverse("events:edit", kwargs={"token": "w" * 43})).status_code == 404
    assert len(queries) > 0


def test_the_page_that_shows_a_new_edit_link_is_never_served_to_another_visitor(settings):
    settings.EVENTS_FORM_MIN_SECONDS = 0
    organizer_page = submission(Client()).content.decode()
    assert "/events/edit/" in organizer_page

    stranger_page = Client().get(reverse("events:create"))
    assert "/events/edit/" not in stranger_page.content.decode()
    assert "ETag" not in stranger_page
