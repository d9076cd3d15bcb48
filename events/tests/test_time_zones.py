"""Every event keeps the clock of the place where it happens: entered, shown and
exported in its own zone, with Brasília's time beside it when they differ."""

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from babel.dates import format_skeleton as babel_format_skeleton
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation
from django.utils.translation import to_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.dates import format_skeleton
from events.forms import EventForm
from events.models import Event
from events.time_zones import (
    ACRE,
    AMAZONAS,
    BRASILIA,
    BRAZIL_TIME_ZONES,
    NORONHA,
    time_zone_for_city,
    utc_offset_label,
    wall_clock_in_zone,
)

from .factories import EventFactory
from .helpers import EVENT_ADMIN_INLINES, submission
from .pages import page_metadata

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MANAUS = ZoneInfo(AMAZONAS)
SAO_PAULO = ZoneInfo(BRASILIA)


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    settings.EVENTS_FORM_MIN_SECONDS = 0


def form_data(**overrides):
    data = {
        "title": "Java Manaus",
        "description": "Monthly meetup.",
        "starts_at": "2030-06-10T19:00",
        "ends_at": "2030-06-10T21:00",
        "time_zone": "",
        "mode": "in_person",
        "city": "Manaus",
        "venue": "Sidia",
        "organizer_name": "JUG Manaus",
        "is_free": "True",
    }
    data.update(overrides)
    return data


class TestEnteringTimes:
    def test_times_typed_in_manaus_are_manaus_times(self, client):
        submission(
            client,
            city="Manaus",
            starts_at="2030-06-10T19:00",
            ends_at="2030-06-10T21:00",
            time_zone=AMAZONAS,
        )

        event = Event.objects.get()
        assert event.time_zone == AMAZONAS
        assert event.starts_at == datetime(2030, 6, 10, 23, 0, tzinfo=UTC)
        assert event.ends_at == datetime(2030, 6, 11, 1, 0, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("city", "zone"),
        [
            ("Manaus", AMAZONAS),
            ("cuiabá", AMAZONAS),
            ("Rio Branco", ACRE),
            ("Fernando de Noronha", NORONHA),
            ("Recife", BRASILIA),
            ("Lisboa", BRASILIA),
        ],
    )
    def test_without_a_chosen_zone_the_city_decides_else_brasilia(self, client, city, zone):
        submission(client, city=city, time_zone="", starts_at="2030-06-10T19:00", ends_at="")

        event = Event.objects.get()
        assert event.time_zone == zone
        assert event.local_starts_at.hour == 19

    def test_online_events_without_a_city_are_on_brasilia_time(self):
        assert time_zone_for_city("") == BRASILIA

    def test_chosen_zone_wins_over_the_city(self, client):
        submission(
            client, city="Manaus", time_zone=BRASILIA, starts_at="2030-06-10T19:00", ends_at=""
        )

        assert Event.objects.get().starts_at == datetime(2030, 6, 10, 22, 0, tzinfo=UTC)

    def test_form_offers_brazils_zones_by_their_everyday_names(self, client):
        content = client.get(reverse("events:create")).content.decode()

        for zone, name in BRAZIL_TIME_ZONES:
            assert re.search(rf'<option value="{zone}">\s*{name}\s*</option>', content)

    def test_edit_form_shows_the_times_on_the_events_clock(self, client):
        event = EventFactory(
            time_zone=AMAZONAS, starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=MANAUS)
        )

        form = EventForm(instance=event)

        assert form["starts_at"].value() == datetime(2030, 6, 10, 19, 0)
        assert form["time_zone"].value() == AMAZONAS

    def test_zone_set_through_the_api_stays_selectable_when_editing(self):
        event = EventFactory(time_zone="Europe/Lisbon")

        form = EventForm(instance=event)

        assert ("Europe/Lisbon", "Europe/Lisbon") in form.fields["time_zone"].choices

    def test_a_time_the_clocks_skipped_is_refused(self):
        # Brasília's daylight saving time began at midnight on 4 November 2018.
        form = EventForm(data=form_data(city="São Paulo", starts_at="2018-11-04T00:30", ends_at=""))

        assert not form.is_valid()
        assert "did not exist" in form.errors["starts_at"][0]

    def test_a_time_the_clocks_showed_twice_is_refused(self):
        # ... and ended at midnight on 17 February 2019: 23:30 happened twice.
        form = EventForm(data=form_data(city="São Paulo", starts_at="2019-02-16T23:30", ends_at=""))

        assert not form.is_valid()
        assert "happened twice" in form.errors["starts_at"][0]

    def test_a_time_only_brasilia_skipped_exists_in_manaus(self):
        form = EventForm(data=form_data(city="Manaus", starts_at="2018-11-04T00:30", ends_at=""))

        assert form.is_valid(), form.errors
        assert form.cleaned_data["starts_at"] == datetime(2018, 11, 4, 4, 30, tzinfo=UTC)

    def test_an_unknown_zone_is_refused(self):
        form = EventForm(data=form_data(time_zone="Mars/Olympus_Mons"))

        assert not form.is_valid()
        assert "time_zone" in form.errors


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from([zone for zone, _name in BRAZIL_TIME_ZONES]),
    typed=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2099, 12, 30)),
)
def test_any_typed_time_is_kept_on_the_events_clock_or_refused_with_a_reason(zone, typed):
    typed = typed.replace(second=0, microsecond=0)
    form = EventForm(
        data=form_data(time_zone=zone, starts_at=typed.strftime("%Y-%m-%dT%H:%M"), ends_at="")
    )

    if form.is_valid():
        moment = form.cleaned_data["starts_at"]
        assert moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == typed
    else:
        assert set(form.errors) == {"starts_at"}
        with pytest.raises(ValidationError):
            wall_clock_in_zone(typed, zone)


class TestShowingTimes:
    def test_event_page_shows_the_local_time_its_zone_and_brasilias(self, client):
        event = EventFactory(
            time_zone=AMAZONAS, starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=MANAUS)
        )

        content = client.get(event.get_absolute_url()).content.decode()

        assert 'datetime="2030-06-10T19:00:00-04:00"' in content
        assert "Mon, Jun 10, 2030, 7:00\u202fPM" in content
        assert "<dd>Amazon Time</dd>" in content
        assert "(8:00\u202fPM in Brasília)" in content

    @pytest.mark.parametrize(
        ("zone", "language", "label"),
        [
            (BRASILIA, "pt-br", "horário de Brasília"),
            (AMAZONAS, "pt-br", "horário do Amazonas"),
            (BRASILIA, "en", "Brasilia Time"),
            (ACRE, "en", "Acre Time"),
            ("Asia/Kolkata", "en", "India Time"),
        ],
    )
    def test_the_event_page_names_the_zone_as_its_heading_does_without_offsets(
        self, client, zone, language, label
    ):
        event = EventFactory(
            time_zone=zone,
            starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=ZoneInfo(zone)),
            ends_at=datetime(2030, 6, 10, 21, 0, tzinfo=ZoneInfo(zone)),
        )
        with translation.override(language):
            url = event.get_absolute_url()

        content = client.get(url).content.decode()

        assert f"{label})</time>" in content
        assert f"<dd>{label}</dd>" in content
        assert 'class="utc-offset"' not in content
        assert 'datetime="2030-06-10T19:00:00' in content

    def test_brasilia_events_show_no_second_time(self, client):
        event = EventFactory(starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=SAO_PAULO))

        content = client.get(event.get_absolute_url()).content.decode()

        assert "<dd>Brasilia Time</dd>" in content
        assert "in Brasília)" not in content

    def test_past_events_keep_the_time_brasilia_showed_under_daylight_saving(self, client):
        # 1 December 2018: São Paulo on UTC−2 (DST), Manaus on UTC−4 (no DST).
        in_sao_paulo = EventFactory(
            starts_at=datetime(2018, 12, 1, 21, 0, tzinfo=UTC), ends_at=None
        )
        in_manaus = EventFactory(
            time_zone=AMAZONAS, starts_at=datetime(2018, 12, 1, 23, 0, tzinfo=UTC), ends_at=None
        )

        sao_paulo_page = client.get(in_sao_paulo.get_absolute_url()).content.decode()
        manaus_page = client.get(in_manaus.get_absolute_url()).content.decode()

        assert 'datetime="2018-12-01T19:00:00-02:00"' in sao_paulo_page
        assert 'datetime="2018-12-01T19:00:00-04:00"' in manaus_page
        # Two hours apart while Brasília observed daylight saving time.
        assert "(9:00\u202fPM in Brasília)" in manaus_page

    def test_the_brasilia_time_names_the_day_when_it_is_another(self, client):
        event = EventFactory(
            time_zone=AMAZONAS, starts_at=datetime(2030, 6, 10, 23, 30, tzinfo=MANAUS)
        )

        content = client.get(event.get_absolute_url()).content.decode()

        assert "Mon, Jun 10, 2030, 11:30\u202fPM" in content
        assert "(Tue, Jun 11, 2030, 12:30\u202fAM in Brasília)" in content

    def test_the_end_on_the_start_day_shows_only_its_time(self, client):
        event = EventFactory(
            starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=SAO_PAULO),
            ends_at=datetime(2030, 6, 10, 22, 0, tzinfo=SAO_PAULO),
        )

        content = client.get(event.get_absolute_url()).content.decode()

        assert '<time datetime="2030-06-10T22:00:00-03:00">10:00\u202fPM</time>' in content

    def test_the_end_on_another_day_shows_its_day(self, client):
        event = EventFactory(
            starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=SAO_PAULO),
            ends_at=datetime(2030, 6, 11, 18, 0, tzinfo=SAO_PAULO),
        )

        content = client.get(event.get_absolute_url()).content.decode()

        assert (
            '<time datetime="2030-06-11T18:00:00-03:00">Tue, Jun 11, 2030, 6:00\u202fPM</time>'
            in content
        )

    @pytest.mark.parametrize(
        ("zone", "offset"), [(NORONHA, "UTC−2"), (ACRE, "UTC−5"), ("Asia/Kolkata", "UTC+5:30")]
    )
    def test_cards_label_every_zone_with_its_offset(self, client, zone, offset):
        EventFactory(time_zone=zone, starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=ZoneInfo(zone)))

        content = client.get(reverse("events:list")).content.decode()

        assert f">{offset}</abbr>" in content

    def test_offset_labels_cover_negative_and_fractional_offsets(self):
        assert utc_offset_label(datetime(2030, 1, 1, tzinfo=ZoneInfo("UTC"))) == "UTC+0"
        newfoundland = datetime(2030, 1, 1, tzinfo=ZoneInfo("America/St_Johns"))
        assert utc_offset_label(newfoundland) == "UTC−3:30"

    def test_list_card_shows_the_offset(self, client):
        EventFactory(time_zone=ACRE, starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=ZoneInfo(ACRE)))

        content = client.get(reverse("events:list")).content.decode()

        assert ">UTC−5</abbr>" in content

    def test_online_events_leave_a_slot_for_the_visitors_own_time(self, client):
        online = EventFactory(
            mode=Event.Mode.ONLINE, city="", venue="", online_url="https://meet.example/x"
        )
        in_person = EventFactory()

        online_page = client.get(online.get_absolute_url()).content.decode()
        in_person_page = client.get(in_person.get_absolute_url()).content.decode()

        assert "data-visitor-time=" in online_page
        assert "data-visitor-time=" not in in_person_page


class TestExports:
    def test_ics_carries_the_events_zone_with_its_definition(self, client):
        manaus = EventFactory(
            time_zone=AMAZONAS, starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=MANAUS)
        )
        EventFactory(starts_at=datetime(2030, 6, 11, 19, 0, tzinfo=SAO_PAULO))

        single = icalendar.Calendar.from_ical(
            client.get(reverse("events:event-calendar", kwargs={"slug": manaus.slug})).content
        )
        feed = icalendar.Calendar.from_ical(client.get(reverse("events:calendar")).content)

        (vevent,) = single.events
        assert vevent["DTSTART"].params["TZID"] == AMAZONAS
        assert vevent.start == datetime(2030, 6, 10, 19, 0, tzinfo=MANAUS)
        assert [tz.tz_name for tz in single.timezones] == [AMAZONAS]
        assert sorted(tz.tz_name for tz in feed.timezones) == [AMAZONAS, BRASILIA]
        assert sorted(str(e["DTSTART"].params["TZID"]) for e in feed.events) == [
            AMAZONAS,
            BRASILIA,
        ]

    def test_the_calendar_s_zone_definitions_come_in_a_fixed_order_before_its_events(self, client):
        """Every worker writes the same bytes for the same events (one ETag)."""
        EventFactory(starts_at=datetime(2030, 6, 11, 19, 0, tzinfo=SAO_PAULO))
        EventFactory(time_zone=AMAZONAS, starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=MANAUS))
        EventFactory(time_zone=ACRE, starts_at=datetime(2030, 6, 12, 19, 0, tzinfo=MANAUS))

        first = client.get(reverse("events:calendar")).content
        calendar = icalendar.Calendar.from_ical(first)

        names = [component.name for component in calendar.subcomponents]
        assert names == ["VTIMEZONE"] * 3 + ["VEVENT"] * 3
        assert [tz.tz_name for tz in calendar.timezones] == sorted([ACRE, AMAZONAS, BRASILIA])
        assert client.get(reverse("events:calendar")).content == first

    def test_ics_of_a_past_event_keeps_brasilias_daylight_saving_offset(self, client):
        event = EventFactory(starts_at=datetime(2018, 12, 1, 21, 0, tzinfo=UTC))

        calendar = icalendar.Calendar.from_ical(
            client.get(reverse("events:event-calendar", kwargs={"slug": event.slug})).content
        )

        (vevent,) = calendar.events
        assert vevent.start.utcoffset() == timedelta(hours=-2)
        assert vevent.start.hour == 19

    def test_google_calendar_link_names_the_events_zone(self, client):
        event = EventFactory(
            time_zone=AMAZONAS, starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=MANAUS)
        )

        response = client.get(event.get_absolute_url())

        query = parse_qs(urlsplit(response.context["google_calendar_url"]).query)
        assert query["ctz"] == [AMAZONAS]
        assert query["dates"][0].startswith("20300610T230000Z/")

    def test_json_ld_dates_carry_the_events_offset(self, client):
        event = EventFactory(
            time_zone=ACRE, starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=ZoneInfo(ACRE))
        )

        data = page_metadata(client.get(event.get_absolute_url())).json_ld[0]

        assert data["startDate"] == "2030-06-10T19:00:00-05:00"

    def test_feeds_show_the_time_on_the_events_clock(self, client):
        EventFactory(time_zone=AMAZONAS, starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=MANAUS))

        content = client.get(reverse("events:rss")).content.decode()

        assert "Mon, Jun 10, 2030, 7:00\u202fPM" in content
        assert "UTC−4" in content

    def test_api_gives_times_with_the_events_offset_and_its_zone(self, client):
        event = EventFactory(
            time_zone=AMAZONAS, starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=MANAUS)
        )

        data = client.get(reverse("api:event-detail", args=[event.slug])).json()

        assert data["starts_at"] == "2030-06-10T19:00:00-04:00"
        assert data["time_zone"] == AMAZONAS

    def test_api_creation_takes_the_citys_zone_when_none_is_given(self, client):
        body = {
            "title": "Python Cuiabá",
            "description": "Meetup.",
            "starts_at": "2030-06-10T19:00:00-04:00",
            "city": "Cuiabá",
            "venue": "UFMT",
            "organizer_name": "Grupy MT",
        }

        response = client.post(
            reverse("api:event-list"), json.dumps(body), content_type="application/json"
        )

        assert response.status_code == 201, response.json()
        assert response.json()["time_zone"] == AMAZONAS
        assert response.json()["starts_at"] == "2030-06-10T19:00:00-04:00"

    @pytest.mark.parametrize(("zone", "status"), [("Europe/Lisbon", 201), ("Brasília", 400)])
    def test_api_accepts_any_iana_zone_and_nothing_else(self, client, zone, status):
        body = {
            "title": "Remote meetup",
            "description": "Meetup.",
            "starts_at": "2030-06-10T19:00:00+01:00",
            "mode": "online",
            "online_url": "https://meet.example/x",
            "organizer_name": "Someone",
            "time_zone": zone,
        }

        response = client.post(
            reverse("api:event-list"), json.dumps(body), content_type="application/json"
        )

        assert response.status_code == status, response.json()
        if status == 400:
            assert "time_zone" in response.json()["errors"]
            assert not Event.objects.exists()


def test_existing_events_move_to_brasilia_time(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate([("events", "0005_single_line_texts_one_technology_rule")])
    old_apps = executor.loader.project_state(
        [("events", "0005_single_line_texts_one_technology_rule")]
    ).apps
    OldEvent = old_apps.get_model("events", "Event")
    OldEvent.objects.create(
        title="Old",
        slug="old",
        description="",
        starts_at=datetime(2018, 12, 1, 21, 0, tzinfo=UTC),
        effective_end=datetime(2018, 12, 2, 0, 0, tzinfo=UTC),
        organizer_name="Someone",
        city="Manaus",
        venue="Somewhere",
        edit_token_hash="x" * 64,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("events"))

    event = Event.objects.get(slug="old")
    assert event.time_zone == BRASILIA
    assert event.local_starts_at.hour == 19


class TestAdmin:
    def admin_data(self, **overrides):
        data = {
            "title": "Admin Event",
            "status": "published",
            "description": "Created by staff.",
            "starts_at_0": "2030-05-01",
            "starts_at_1": "19:00",
            "time_zone": AMAZONAS,
            "mode": "online",
            "online_url": "https://meet.example.org/x",
            "organizer_name": "Staff",
            "is_free": "True",
            "currency": "BRL",
            **EVENT_ADMIN_INLINES,
        }
        data.update(overrides)
        return data

    def test_staff_type_times_on_the_events_clock(self, admin_client):
        response = admin_client.post(reverse("admin:events_event_add"), self.admin_data())

        assert response.status_code == 302, response.context["adminform"].form.errors
        assert Event.objects.get().starts_at == datetime(2030, 5, 1, 23, 0, tzinfo=UTC)

    def test_change_form_and_list_show_the_events_clock(self, admin_client):
        event = EventFactory(
            time_zone=AMAZONAS, starts_at=datetime(2030, 6, 10, 19, 0, tzinfo=MANAUS)
        )

        change = admin_client.get(reverse("admin:events_event_change", args=[event.pk]))
        listing = admin_client.get(reverse("admin:events_event_changelist"))

        assert 'name="starts_at_1" value="19:00:00"' in change.content.decode()
        assert "19:00 UTC−4" in listing.content.decode()

    def test_an_unknown_zone_is_refused(self, admin_client):
        response = admin_client.post(
            reverse("admin:events_event_add"), self.admin_data(time_zone="Nowhere")
        )

        assert response.status_code == 200
        assert "time_zone" in response.context["adminform"].form.errors
        assert not Event.objects.exists()


@settings(max_examples=60, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(2100, 12, 30), timezones=st.just(UTC)
    ),
    zone=st.sampled_from([zone for zone, _label in BRAZIL_TIME_ZONES] + ["UTC"]),
    skeleton=st.sampled_from(["d", "MMM", "EEE", "yMMMMEd", "yMMMd", "Hm"]),
    language=st.sampled_from(["pt-br", "en"]),
)
def test_dates_read_as_babel_writes_them_with_patterns_looked_up_once(
    moment, zone, skeleton, language
):
    """The cached patterns (events.dates.format_skeleton) change no date."""
    expected = babel_format_skeleton(
        skeleton, moment, tzinfo=ZoneInfo(zone), locale=to_locale(language)
    )
    assert format_skeleton(skeleton, moment, ZoneInfo(zone), language=language) == expected


def test_portuguese_pages_write_dates_with_the_weekday_and_lowercase_months(client):
    event = EventFactory(
        starts_at=datetime(2026, 12, 4, 19, 0, tzinfo=SAO_PAULO),
        ends_at=datetime(2026, 12, 4, 22, 0, tzinfo=SAO_PAULO),
    )

    with translation.override("pt-br"):
        event_page = client.get(event.get_absolute_url()).content.decode()
        list_page = client.get(reverse("events:list")).content.decode()

    assert "sex., 4 de dezembro de 2026, 19:00–22:00 (horário de Brasília)" in event_page
    assert ">sex., 4 de dezembro de 2026, 19:00</time>" in list_page
    assert "Dezembro" not in event_page + list_page
