"""Subscriptions: the iCalendar feed, Atom and RSS, all honouring the list's filters."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import feedparser
import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from events import feeds
from events.models import Event

from .factories import EventFactory, TechnologyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def python():
    return TechnologyFactory(name="Python", slug="python")


@pytest.fixture
def recife_python(python):
    return EventFactory(title="Python Recife", city="Recife", technologies=[python])


@pytest.fixture
def other_events(python):
    return [
        EventFactory(title="Python São Paulo", city="São Paulo", technologies=[python]),
        EventFactory(title="Rust Recife", city="Recife"),
        EventFactory(title="Pending Recife", city="Recife", status=Event.Status.PENDING),
        EventFactory(
            title="Past Python Recife",
            city="Recife",
            technologies=[python],
            starts_at=timezone.now() - timedelta(days=30),
        ),
    ]


def get_calendar(client, query=""):
    response = client.get(f"{reverse('events:calendar')}?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def summaries(calendar):
    return [str(vevent["SUMMARY"]) for vevent in calendar.events]


def get_feed(client, name, query=""):
    response = client.get(f"{reverse(name)}?{query}")
    assert response.status_code == 200
    return response, ET.fromstring(response.content)


def test_calendar_feed_holds_upcoming_public_events(client, recife_python, other_events):
    calendar = get_calendar(client)

    assert summaries(calendar) == ["Python Recife", "Python São Paulo", "Rust Recife"]
    assert calendar.calendar_name == "Encontros Tech: upcoming events"


def test_calendar_feed_honours_the_list_filters(client, recife_python, other_events):
    calendar = get_calendar(client, "city=recife&technology=python")

    assert summaries(calendar) == ["Python Recife"]
    # The calendar says what it holds, with the city as the events spell it.
    assert calendar["X-WR-CALNAME"] == "Encontros Tech: Python · Recife"


def test_calendar_name_describes_every_filter(client, python):
    # The filters know technologies of public events only.
    EventFactory(technologies=[python])
    query = (
        "technology=python&mode=online&is_free=true"
        "&starts_after=2030-01-01&starts_before=2030-12-31&search=django"
    )

    calendar = get_calendar(client, query)

    assert calendar.calendar_name == (
        "Encontros Tech: Python · Online · Free · from 01/01/2030 · until 12/31/2030 · “django”"
    )


def test_calendar_feed_events_carry_categories_status_and_a_stable_uid(client, python):
    django = TechnologyFactory(name="Django", slug="django")
    cancelled = EventFactory(status=Event.Status.CANCELLED, technologies=[python, django])

    first, second = get_calendar(client).events, get_calendar(client).events

    assert sorted(first[0].categories) == ["Django", "Python"]
    assert first[0]["STATUS"] == "CANCELLED"
    assert first[0]["UID"] == second[0]["UID"]
    # The same UID as the event's own .ics, so both land on one calendar entry.
    single = client.get(reverse("events:event-calendar", kwargs={"slug": cancelled.slug}))
    assert icalendar.Calendar.from_ical(single.content).events[0]["UID"] == first[0]["UID"]


def test_calendar_feed_tells_subscribers_how_often_to_refresh(client):
    calendar = get_calendar(client)

    assert calendar.refresh_interval == timedelta(hours=1)
    assert calendar["X-PUBLISHED-TTL"].to_ical() == b"PT1H"


def test_calendar_feed_is_bounded(client, monkeypatch):
    monkeypatch.setattr(feeds, "CALENDAR_MAX_EVENTS", 3)
    events = [EventFactory(starts_at=timezone.now() + timedelta(days=day)) for day in range(5)]

    calendar = get_calendar(client)

    # The soonest ones are kept.
    assert summaries(calendar) == [event.title for event in events[:3]]


@pytest.mark.parametrize("name", ["events:calendar", "events:atom", "events:rss"])
def test_feeds_ignore_invalid_filters_and_keep_the_valid_ones(client, name, recife_python):
    EventFactory(title="Rust Recife", city="Recife")
    query = "starts_after=not-a-date&technology=no-such-technology&technology=python"

    response = client.get(f"{reverse(name)}?{query}")

    assert response.status_code == 200
    assert "Python Recife" in response.content.decode()
    assert "Rust Recife" not in response.content.decode()


def test_feeds_follow_a_renamed_technology(client, python):
    from events import services

    EventFactory(title="Python Recife", technologies=[python])
    python.name = "Python 3"
    services.technology_save(technology=python)

    calendar = get_calendar(client, "technology=python")

    assert summaries(calendar) == ["Python Recife"]
    assert str(calendar["X-WR-CALNAME"]).endswith("Python 3")


def test_atom_feed_honours_the_list_filters(client, recife_python, other_events):
    response, feed = get_feed(client, "events:atom", "city=recife&technology=python")

    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert feed.findtext(f"{ATOM}title") == "Encontros Tech: Python · Recife"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Python Recife"]
    entry = entries[0]
    assert entry.find(f"{ATOM}link").get("href") == (
        f"http://testserver{recife_python.get_absolute_url()}"
    )
    assert [category.get("term") for category in entry.findall(f"{ATOM}category")] == ["Python"]
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Grupo Local"
    self_link = feed.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == "http://testserver/en/feeds/events.atom?city=recife&technology=python"


def test_rss_feed_honours_the_list_filters(client, recife_python, other_events):
    response, rss = get_feed(client, "events:rss", "technology=python")

    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    channel = rss.find("channel")
    assert channel.findtext("title") == "Encontros Tech: Python"
    assert channel.findtext("link") == "http://testserver/en/?technology=python"
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert titles == ["Python Recife", "Python São Paulo"]


@pytest.mark.parametrize("name", ["events:atom", "events:rss"])
@pytest.mark.parametrize("title", ["Ação & Café", "Code's <Hack>", 'C# e .NET "BH"'])
def test_feed_readers_show_titles_as_written(client, name, title):
    EventFactory(title=title)

    feed = feedparser.parse(client.get(reverse(name)).content)

    assert [entry.title for entry in feed.entries] == [title]


def test_feed_readers_show_the_feed_title_as_written(client):
    EventFactory(technologies=[TechnologyFactory(name="C & C++", slug="c-cpp")])

    feed = feedparser.parse(client.get(reverse("events:atom"), {"technology": "c-cpp"}).content)

    assert feed.feed.title == "Encontros Tech: C & C++"


def test_feed_entries_describe_the_event_as_text(client):
    EventFactory(
        title="<b>Bold</b> meetup",
        description="<script>alert(1)</script> See https://example.org",
        status=Event.Status.CANCELLED,
    )

    _response, rss = get_feed(client, "events:rss")

    item = rss.find("channel/item")
    # Titles are plain text, escaped once by the XML writer.
    assert item.findtext("title") == "Cancelled: <b>Bold</b> meetup"
    description = item.findtext("description")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in description
    assert "<script>" not in description
    assert '<a href="https://example.org"' in description
    assert "This event was cancelled by its organizer." in description


def test_feeds_are_bounded(client, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_MAX_ITEMS", 2)
    EventFactory.create_batch(4)

    _response, feed = get_feed(client, "events:atom")

    assert len(feed.findall(f"{ATOM}entry")) == 2


def test_list_page_offers_to_subscribe_to_its_filters(client, recife_python):
    response = client.get(reverse("events:list"), {"city": "Recife", "page": "1", "utm": "x"})

    content = response.content.decode()
    assert "Subscribe to this calendar" in content
    assert 'href="webcal://testserver/en/feeds/events.ics?city=Recife"' in content
    assert 'value="http://testserver/en/feeds/events.ics?city=Recife"' in content
    assert 'href="http://testserver/en/feeds/events.atom?city=Recife"' in content
    assert 'href="http://testserver/en/feeds/events.rss?city=Recife"' in content


def test_past_list_does_not_offer_a_subscription_to_upcoming_events(client):
    response = client.get(reverse("events:past"))

    assert "Subscribe to this calendar" not in response.content.decode()


def test_calendar_feed_date_filters_match_the_list(client):
    inside = EventFactory(starts_at=timezone.make_aware(timezone.datetime(2030, 5, 10, 19)))
    EventFactory(starts_at=timezone.make_aware(timezone.datetime(2030, 6, 10, 19)))

    calendar = get_calendar(client, f"starts_before={date(2030, 5, 31).isoformat()}")

    assert summaries(calendar) == [inside.title]


def test_control_characters_in_the_filters_are_ignored_not_a_crash(client):
    for url in ["/feeds/events.atom", "/feeds/events.rss", "/feeds/events.ics", "/"]:
        response = client.get(url, {"search": "a\x01b"})
        assert response.status_code == 200, url
