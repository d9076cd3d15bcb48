"""What search engines and link previews read: JSON-LD, Open Graph, canonical
links, the sitemap, robots.txt, and the headers that keep edit links private."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.robotparser import RobotFileParser
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from events.models import Event
from events.sitemaps import EventSitemap

from .factories import EventFactory, TechnologyFactory
from .pages import page_metadata

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
TOKEN = "t" * 43


def event_json_ld(client, event):
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    (data,) = page_metadata(response).json_ld
    return data


def test_event_page_describes_the_event_for_search_engines(client):
    starts_at = datetime(2030, 3, 10, 19, 0, tzinfo=SAO_PAULO)
    event = EventFactory(
        title="Python Recife",
        description="Talks about Python.",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        city="Recife",
        state="PE",
        venue="Porto Digital",
        address="Rua do Apolo, 181",
        organizer_name="Grupy Recife",
        is_free=True,
        url="https://grupy.example.org/inscricao",
        technologies=[TechnologyFactory(name="Python")],
    )

    data = event_json_ld(client, event)

    page_url = f"http://testserver{event.get_absolute_url()}"
    assert data == {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": "Python Recife",
        "description": "Talks about Python.",
        "startDate": "2030-03-10T19:00:00-03:00",
        "endDate": "2030-03-10T22:00:00-03:00",
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {
            "@type": "Place",
            "name": "Porto Digital",
            "address": {
                "@type": "PostalAddress",
                "streetAddress": "Rua do Apolo, 181",
                "addressLocality": "Recife",
                "addressRegion": "PE",
                "addressCountry": "BR",
            },
        },
        "organizer": {
            "@type": "Organization",
            "name": "Grupy Recife",
            "url": "https://grupy.example.org/inscricao",
        },
        "performer": {"@type": "PerformingGroup", "name": "Grupy Recife"},
        "url": page_url,
        "image": [data["image"][0]],
        "keywords": "Python",
        "offers": {
            "@type": "Offer",
            "price": 0,
            "priceCurrency": "BRL",
            "availability": "https://schema.org/InStock",
            "url": "https://grupy.example.org/inscricao",
            "validFrom": data["offers"]["validFrom"],
        },
    }


def test_online_event_is_located_at_its_url(client):
    event = EventFactory(
        mode=Event.Mode.ONLINE, city="", venue="", online_url="https://meet.example.org/rust"
    )

    data = event_json_ld(client, event)

    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"] == {"@type": "VirtualLocation", "url": "https://meet.example.org/rust"}


def test_hybrid_event_has_both_a_place_and_a_virtual_location(client):
    event = EventFactory(mode=Event.Mode.HYBRID, online_url="https://meet.example.org/x")

    data = event_json_ld(client, event)

    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [location["@type"] for location in data["location"]] == ["Place", "VirtualLocation"]


def test_cancelled_paid_event_is_marked_cancelled_and_offered_where_it_was_sold(client):
    event = EventFactory(
        status=Event.Status.CANCELLED,
        is_free=False,
        price_from=Decimal("25"),
        ends_at=None,
        starts_at=datetime(2030, 3, 10, 19, 0, 12, 345678, tzinfo=SAO_PAULO),
        url="https://tickets.example.org/",
    )

    data = event_json_ld(client, event)

    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["offers"]["url"] == "https://tickets.example.org/"
    assert data["offers"]["price"] == "25.00"
    # Without an end, the event lasts the site's default duration; whole seconds.
    assert data["endDate"] == "2030-03-10T22:00:12-03:00"


def test_dates_have_whole_seconds(client, event):
    data = event_json_ld(client, event)

    for moment in [data["startDate"], data["endDate"], data["offers"]["validFrom"]]:
        assert datetime.fromisoformat(moment).microsecond == 0, moment


def test_a_title_cannot_break_out_of_the_json_ld_script(client):
    title = '</script><script>alert("x")</script>'
    event = EventFactory(title=title, description="<!-- & -->")

    response = client.get(event.get_absolute_url())

    assert b"<script>alert(" not in response.content
    (data,) = page_metadata(response).json_ld
    assert data["name"] == title
    assert data["description"] == "<!-- & -->"


def test_event_page_has_link_preview_tags_and_a_canonical_url(client):
    event = EventFactory(title="Rust Floripa", description="Ownership " * 50)

    response = client.get(f"{event.get_absolute_url()}?utm_source=newsletter")

    metadata = page_metadata(response)
    page_url = f"http://testserver{event.get_absolute_url()}"
    assert metadata.link("canonical") == page_url
    assert metadata.meta["og:title"] == "Rust Floripa"
    assert metadata.meta["og:url"] == page_url
    assert metadata.meta["og:type"] == "website"
    assert metadata.meta["og:site_name"] == "Encontros Tech"
    assert metadata.meta["og:description"].startswith("Ownership Ownership")
    assert len(metadata.meta["og:description"]) <= 200
    assert metadata.meta["twitter:card"] == "summary_large_image"
    assert metadata.meta["twitter:title"] == "Rust Floripa"


def test_list_canonical_url_keeps_the_filters_and_drops_the_rest(client):
    python = TechnologyFactory(name="Python", slug="python")
    EventFactory.create_batch(21, technologies=[python])
    url = reverse("events:list")

    first = page_metadata(client.get(url, {"technology": "python", "utm": "x", "page": 1}))
    second = page_metadata(client.get(url, {"technology": "python", "page": 2}))

    assert first.link("canonical") == "http://testserver/en/?technology=python"
    assert second.link("canonical") == "http://testserver/en/?technology=python&page=2"
    assert first.meta["og:title"] == "Upcoming tech events"


def test_list_page_announces_its_feeds(client):
    metadata = page_metadata(client.get(reverse("events:list"), {"city": "Recife"}))

    feeds = {
        link["type"]: link["href"]
        for link in metadata.links
        if link["rel"] == "alternate" and "hreflang" not in link
    }
    assert feeds == {
        "application/atom+xml": "http://testserver/en/feeds/events.atom?city=Recife",
        "application/rss+xml": "http://testserver/en/feeds/events.rss?city=Recife",
    }


def sitemap_urls(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return [loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]


def test_sitemap_lists_public_events_and_the_lists(client):
    published = EventFactory()
    cancelled = EventFactory(status=Event.Status.CANCELLED)
    pending = EventFactory(status=Event.Status.PENDING)

    sections = sitemap_urls(client, "/sitemap.xml")

    urls = {url for section in sections for url in sitemap_urls(client, section)}
    assert urls == {
        f"http://testserver{published.get_absolute_url()}",
        f"http://testserver{cancelled.get_absolute_url()}",
        "http://testserver/",
        "http://testserver/events/past/",
    }
    assert pending.get_absolute_url() not in str(urls)


def test_the_sitemap_is_an_index_of_sections_of_at_most_10000_addresses(client, monkeypatch):
    assert EventSitemap.limit <= 10_000
    monkeypatch.setattr(EventSitemap, "limit", 2)
    EventFactory.create_batch(5)

    index = client.get("/sitemap.xml")
    sections = sitemap_urls(client, "/sitemap.xml")

    assert sorted(sections) == sorted(
        [
            "http://testserver/sitemap-events.xml",
            "http://testserver/sitemap-events.xml?p=2",
            "http://testserver/sitemap-events.xml?p=3",
            "http://testserver/sitemap-lists.xml",
        ]
    )
    assert f"{SITEMAP}lastmod" in {element.tag for element in ET.fromstring(index.content).iter()}


@settings(max_examples=30, deadline=None)
@given(
    changed_at=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
    )
)
def test_each_address_of_the_sitemap_has_the_day_of_its_last_change_in_brasilia(client, changed_at):
    event = EventFactory()
    Event.objects.filter(pk=event.pk).update(updated_at=changed_at)

    (section,) = [url for url in sitemap_urls(client, "/sitemap.xml") if "events" in url]
    urlset = ET.fromstring(client.get(section).content)
    (entry,) = urlset.iter(f"{SITEMAP}url")

    assert entry.findtext(f"{SITEMAP}loc").endswith(event.get_absolute_url())
    changed_on = changed_at.astimezone(SAO_PAULO).date()
    assert entry.findtext(f"{SITEMAP}lastmod") == changed_on.isoformat()
    Event.objects.all().delete()


def test_robots_txt_keeps_crawlers_out_of_admin_edit_links_and_api(client, event):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    robots = RobotFileParser()
    robots.parse(response.content.decode().splitlines())
    edit_url = reverse("events:edit", kwargs={"token": TOKEN})
    for private in [reverse("admin:index"), edit_url, "/api/events/"]:
        assert not robots.can_fetch("Googlebot", f"http://testserver{private}"), private
    for public in [reverse("events:list"), event.get_absolute_url(), "/sitemap.xml"]:
        assert robots.can_fetch("Googlebot", f"http://testserver{public}"), public
    assert robots.site_maps() == ["http://testserver/sitemap.xml"]


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("events:edit", "get"),
        ("events:edit", "post"),
        ("events:cancel", "post"),
        ("events:delete", "get"),
        ("events:delete", "post"),
    ],
)
def test_edit_pages_keep_the_edit_link_out_of_referrers_and_indexes(client, name, method):
    EventFactory(edit_token=TOKEN)

    response = getattr(client, method)(reverse(name, kwargs={"token": TOKEN}))

    assert response.status_code in (200, 302)
    assert response["Referrer-Policy"] == "strict-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_wrong_and_rate_limited_edit_links_are_kept_private_too(client, settings):
    settings.EVENTS_EDIT_TOKEN_RATE = "1/m"
    wrong = reverse("events:edit", kwargs={"token": "x" * 43})

    responses = [client.get(wrong), client.get(wrong)]

    assert [response.status_code for response in responses] == [404, 429]
    for response in responses:
        assert response["Referrer-Policy"] == "strict-origin"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Cache-Control"] == "no-store"


def test_other_pages_keep_the_usual_referrer_policy(client):
    assert client.get(reverse("events:list"))["Referrer-Policy"] == "same-origin"


def test_submission_page_that_shows_the_new_edit_link_is_private_too(client):
    response = client.get(reverse("events:create"))

    assert response["Referrer-Policy"] == "strict-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_technology_links_say_where_they_lead_even_for_go(client):
    go = TechnologyFactory(name="Go", slug="go")
    event = EventFactory(technologies=[go])

    for url in [reverse("events:list"), event.get_absolute_url()]:
        content = client.get(url).content.decode()
        assert (
            '<a class="badge rounded-pill text-bg-light border"\n   href="/en/?technology=go">'
            '<span class="visually-hidden">More events about</span> Go</a>'
        ) in content, url
