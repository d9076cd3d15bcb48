"""/embed/: the compact list other sites show in an iframe."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from events.models import Event

from .factories import EventFactory, TechnologyFactory
from .pages import page_metadata

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_embed_lists_upcoming_events_for_the_filters(client):
    python = TechnologyFactory(name="Python", slug="python")
    EventFactory(title="Python Recife", city="Recife", technologies=[python])
    EventFactory(title="Rust Recife", city="Recife")
    EventFactory(title="Python Natal", city="Natal", technologies=[python])
    EventFactory(title="Pending Recife", city="Recife", status=Event.Status.PENDING)

    response = client.get(reverse("events:embed"), {"city": "recife", "technology": "python"})

    assert response.status_code == 200
    assert [event.title for event in response.context["event_list"]] == ["Python Recife"]
    content = response.content.decode()
    assert "Python Recife" in content
    assert (
        '<a href="http://testserver/en/?city=recife&amp;technology=python">'
        "Encontros Tech: Python · Recife</a>"
    ) in content


def test_embed_is_the_only_page_other_sites_may_frame(client, event):
    embed = client.get(reverse("events:embed"))
    pages = [reverse("events:list"), event.get_absolute_url(), reverse("events:create")]

    assert "X-Frame-Options" not in embed
    for url in pages:
        assert client.get(url)["X-Frame-Options"] == "DENY", url


def test_embed_links_open_outside_the_frame_and_stay_out_of_search_results(client, event):
    response = client.get(reverse("events:embed"))

    content = response.content.decode()
    assert '<base target="_blank">' in content
    assert f'href="{event.get_absolute_url()}"' in content
    assert page_metadata(response).meta["robots"] == "noindex"


def test_embed_marks_cancelled_events(client):
    EventFactory(title="Called off", status=Event.Status.CANCELLED)

    response = client.get(reverse("events:embed"))

    assert "Cancelled" in response.content.decode()


def test_embed_ignores_invalid_filters_and_stays_frameable(client, event):
    response = client.get(
        reverse("events:embed"), {"starts_before": "tomorrow", "technology": "no-such-thing"}
    )

    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert event.title in response.content.decode()


def test_embed_shows_an_empty_state(client):
    response = client.get(reverse("events:embed"))

    assert "No upcoming events yet." in response.content.decode()


def test_list_page_offers_an_iframe_snippet_for_its_filters(client):
    response = client.get(reverse("events:list"), {"city": "Recife", "page": "1"})

    snippet = (
        '<iframe src="http://testserver/en/embed/?city=Recife" title="Encontros Tech: Recife" '
        'width="100%" height="600" style="border:0" loading="lazy"></iframe>'
    )
    assert response.context["embed_code"] == snippet
    # Shown as text to copy, not as a frame on the list page.
    assert escape(snippet) in response.content.decode()
