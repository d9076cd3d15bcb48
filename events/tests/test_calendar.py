"""The per-event "Add to calendar" links: the .ics download and Google Calendar."""

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse

from events import services
from events.models import Event

from .factories import EventFactory, TechnologyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def ics_url(event):
    return reverse("events:event-calendar", kwargs={"slug": event.slug})


def download_event(client, event):
    response = client.get(ics_url(event))
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    (vevent,) = calendar.events
    return response, calendar, vevent


def test_ics_download_is_a_calendar_file_named_after_the_event(client, event):
    response = client.get(ics_url(event))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'


def test_ics_holds_the_event_in_the_site_time_zone(client):
    starts_at = datetime(2030, 3, 10, 19, 0, tzinfo=SAO_PAULO)
    event = EventFactory(
        title="Python Recife",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2, minutes=30),
        city="Recife",
        venue="Porto Digital",
        address="Rua do Apolo, 181",
        technologies=[TechnologyFactory(name="Python"), TechnologyFactory(name="Django")],
    )

    response, calendar, vevent = download_event(client, event)

    assert vevent["DTSTART"].params["TZID"] == "America/Sao_Paulo"
    assert vevent.start == starts_at
    assert vevent.start.hour == 19
    assert vevent.end == datetime(2030, 3, 10, 21, 30, tzinfo=SAO_PAULO)
    assert [tz.tz_name for tz in calendar.timezones] == ["America/Sao_Paulo"]
    assert vevent["SUMMARY"] == "Python Recife"
    assert vevent["LOCATION"] == "Porto Digital, Rua do Apolo, 181, Recife"
    assert sorted(vevent.categories) == ["Django", "Python"]
    assert vevent["STATUS"] == "CONFIRMED"
    page_url = f"http://testserver{event.get_absolute_url()}"
    assert vevent["URL"] == page_url
    assert page_url in vevent["DESCRIPTION"]


def test_multi_day_event_spans_all_its_days(client):
    starts_at = datetime(2030, 10, 1, 9, 0, tzinfo=SAO_PAULO)
    event = EventFactory(starts_at=starts_at, ends_at=starts_at + timedelta(days=2, hours=9))

    _response, _calendar, vevent = download_event(client, event)

    assert vevent.start.date().isoformat() == "2030-10-01"
    assert vevent.end == datetime(2030, 10, 3, 18, 0, tzinfo=SAO_PAULO)


def test_event_without_end_lasts_the_default_duration(client):
    event = EventFactory(ends_at=None)

    _response, _calendar, vevent = download_event(client, event)

    assert vevent.end - vevent.start == timedelta(hours=3)


def test_online_event_location_is_its_address_on_the_internet(client):
    event = EventFactory(
        mode=Event.Mode.ONLINE, city="", venue="", online_url="https://meet.example.org/x"
    )

    _response, _calendar, vevent = download_event(client, event)

    assert vevent["LOCATION"] == "https://meet.example.org/x"


def test_cancelled_event_is_marked_cancelled(client):
    event = EventFactory(status=Event.Status.CANCELLED)

    _response, _calendar, vevent = download_event(client, event)

    assert vevent["STATUS"] == "CANCELLED"


def test_uid_stays_the_same_when_the_event_changes(client, event):
    # Created and last changed an hour ago.
    Event.objects.filter(pk=event.pk).update(
        created_at=event.created_at - timedelta(hours=1),
        updated_at=event.updated_at - timedelta(hours=1),
    )
    event.refresh_from_db()
    _response, _calendar, before = download_event(client, event)
    services.event_update(
        event=event,
        channel=services.Channel.WEB,
        changes={
            "title": "New title",
            "starts_at": event.starts_at + timedelta(hours=1),
            "ends_at": event.ends_at + timedelta(hours=1),
        },
    )

    _response, _calendar, after = download_event(client, event)

    assert after["SUMMARY"] == "New title"
    assert after["UID"] == before["UID"]
    assert after.last_modified >= before.last_modified
    assert after["SEQUENCE"] > before["SEQUENCE"]


def test_uid_does_not_depend_on_the_address_the_calendar_was_fetched_from(client, event, settings):
    settings.ALLOWED_HOSTS = ["testserver", "encontros.tech"]
    by_ip = download_event(client, event)[2]["UID"]
    by_domain = client.get(ics_url(event), headers={"host": "encontros.tech"})
    assert icalendar.Calendar.from_ical(by_domain.content).events[0]["UID"] == by_ip


def test_event_without_technologies_has_no_empty_categories(client):
    event = EventFactory()
    assert "CATEGORIES" not in download_event(client, event)[2]


def test_uids_differ_between_events(client):
    first, second = EventFactory(), EventFactory()

    assert download_event(client, first)[2]["UID"] != download_event(client, second)[2]["UID"]


def test_pending_event_has_no_calendar_file(client):
    event = EventFactory(status=Event.Status.PENDING)

    assert client.get(ics_url(event)).status_code == 404


def test_event_page_offers_the_ics_file_and_google_calendar(client):
    starts_at = datetime(2030, 3, 10, 19, 0, tzinfo=SAO_PAULO)
    event = EventFactory(title="Rust & café", starts_at=starts_at, ends_at=None, city="Recife")

    response = client.get(event.get_absolute_url())

    assert response.context["google_calendar_url"]
    content = response.content.decode()
    assert "Add to calendar" in content
    assert f'href="{ics_url(event)}"' in content
    google = urlsplit(response.context["google_calendar_url"])
    assert (google.scheme, google.netloc) == ("https", "calendar.google.com")
    query = parse_qs(google.query)
    assert query["action"] == ["TEMPLATE"]
    assert query["text"] == ["Rust & café"]
    # 19:00 in São Paulo (UTC-3) is 22:00 UTC; no end given means three hours.
    assert query["dates"] == ["20300310T220000Z/20300311T010000Z"]
    assert query["ctz"] == ["America/Sao_Paulo"]
    assert query["location"] == ["Espaço Comunidade, Recife"]
    assert f"http://testserver{event.get_absolute_url()}" in query["details"][0]


def test_cancelled_event_page_does_not_offer_to_add_it(client):
    event = EventFactory(status=Event.Status.CANCELLED)

    response = client.get(event.get_absolute_url())

    assert "Add to calendar" not in response.content.decode()
