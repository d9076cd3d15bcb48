"""Recurring meetups: the series services (events/services.py) and their pages."""

import re
import zoneinfo
from datetime import date, datetime, timedelta

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from events import services
from events.calendar import event_uid
from events.edit_tokens import derive_edit_token, hash_edit_token
from events.forms import EventSubmissionForm
from events.models import DuplicateEvent, Event, Series, StatusChange
from events.recurrence import MAX_OCCURRENCES, Frequency, Rule

from .factories import EventFactory
from .helpers import row_locks, submission

pytestmark = pytest.mark.django_db

WEB = services.Channel.WEB
SAO_PAULO = zoneinfo.ZoneInfo("America/Sao_Paulo")


def first_thursday():
    """19:00 on the second Thursday of next month, in São Paulo."""
    today = date.today()
    month = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    thursday = month + timedelta(days=(3 - month.weekday()) % 7 + 7)
    return datetime(thursday.year, thursday.month, thursday.day, 19, tzinfo=SAO_PAULO)


def new_event(**fields):
    starts_at = fields.pop("starts_at", first_thursday())
    return Event(
        **{
            "title": "Python Recife",
            "description": "Monthly meetup.",
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=2),
            "city": "Recife",
            "venue": "Porto Digital",
            "organizer_name": "Grupy PE",
            "organizer_email": "grupy@example.com",
            **fields,
        }
    )


MONTHLY = Rule(Frequency.MONTHLY_WEEKDAY, weekday_position=2, count=4)


def submit(event=None, rule=MONTHLY, **kwargs):
    return services.series_submit(
        event=event or new_event(),
        rule=rule,
        channel=WEB,
        technology_names=["Python"],
        request=RequestFactory().get("/"),
        **kwargs,
    )


def local(moment):
    return moment.astimezone(SAO_PAULO)


class TestSeriesSubmit:
    def test_each_date_is_an_event_of_its_own(self):
        submission = submit()
        events = list(submission.series.events.order_by("starts_at"))
        assert len(events) == 4
        assert len({event.slug for event in events}) == 4
        assert len({event.edit_token_hash for event in events}) == 4
        assert all(local(event.starts_at).weekday() == 3 for event in events)
        assert all(local(event.starts_at).hour == 19 for event in events)
        assert all(local(event.ends_at).hour == 21 for event in events)
        assert all([t.name for t in event.technologies.all()] == ["Python"] for event in events)
        assert all("python" in event.search_text for event in events)

    def test_the_series_edit_link_leads_to_every_date(self):
        submission = submit()
        series = Series.objects.by_edit_token(submission.edit_token).get()
        for event in series.events.all():
            token = derive_edit_token(submission.edit_token, event.slug)
            assert Event.objects.by_edit_token(token).get() == event
        assert submission.edit_url.endswith(
            reverse("events:series-edit", kwargs={"token": submission.edit_token})
        )
        assert series.edit_token_hash == hash_edit_token(submission.edit_token)

    def test_the_organizer_gets_one_message_with_the_series_link(self, settings):
        settings.EMAIL_ENABLED = True
        submission = submit()
        assert len(mail.outbox) == 1
        assert submission.edit_url in mail.outbox[0].body
        assert submission.email_sent

    def test_an_invalid_rule_saves_nothing(self):
        with pytest.raises(ValidationError):
            submit(rule=Rule(Frequency.WEEKLY))
        assert not Event.objects.exists()
        assert not Series.objects.exists()

    def test_a_date_that_duplicates_an_existing_event_refuses_the_series(self):
        event = new_event()
        later = first_thursday()
        existing = EventFactory(
            title="Python Recife", city="Recife", starts_at=later + timedelta(weeks=1)
        )
        with pytest.raises(DuplicateEvent) as error:
            submit(event, rule=Rule(Frequency.WEEKLY, count=3))
        assert error.value.existing == existing
        assert Event.objects.count() == 1
        assert not Series.objects.exists()

    def test_a_confirmed_duplicate_is_saved(self):
        EventFactory(title="Python Recife", city="Recife", starts_at=first_thursday())
        submission = submit(confirm_duplicate=True)
        assert len(submission.events) == 4

    def test_with_approval_every_date_waits_and_one_link_confirms_them_all(self, settings):
        settings.EVENTS_REQUIRE_APPROVAL = True
        settings.EMAIL_ENABLED = True
        submission = submit()
        events = submission.series.events.all()
        assert {event.status for event in events} == {Event.Status.PENDING}
        assert len({event.email_confirmation_hash for event in events}) == 1
        assert not Event.objects.public().exists()
        token = mail.outbox[0].body.split("/events/confirm/")[1].split("/")[0]
        services.event_confirm_email(token=token)
        assert not Event.objects.awaiting_email_confirmation().exists()

    def test_without_a_mail_server_no_date_waits_for_a_confirmation(self, settings):
        settings.EVENTS_REQUIRE_APPROVAL = True
        settings.EMAIL_ENABLED = False
        submission = submit()
        assert {event.status for event in submission.series.events.all()} == {"pending"}
        assert not Event.objects.awaiting_email_confirmation().exists()

    def test_a_later_date_past_the_last_year_is_refused_at_the_rules_end(self):
        first = datetime(2100, 12, 2, 19, tzinfo=SAO_PAULO)
        with pytest.raises(ValidationError) as error:
            submit(new_event(starts_at=first), rule=Rule(Frequency.WEEKLY, count=6))
        (message,) = error.value.message_dict["count"]
        assert "2101" in message
        assert not Event.objects.exists()
        assert not Series.objects.exists()


class TestStoredRule:
    def test_a_weekday_position_given_with_another_frequency_is_not_stored(self):
        submission = submit(rule=Rule(Frequency.WEEKLY, weekday_position=2, count=3))
        assert Series.objects.get(pk=submission.series.pk).weekday_position is None

    @pytest.mark.parametrize(
        ("frequency", "weekday_position"),
        [(Frequency.WEEKLY, 2), (Frequency.MONTHLY_DAY, -1), (Frequency.MONTHLY_WEEKDAY, None)],
    )
    def test_the_database_refuses_a_weekday_position_that_does_not_fit_the_frequency(
        self, frequency, weekday_position
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Series.objects.create(
                frequency=frequency, weekday_position=weekday_position, count=3, edit_token_hash="x"
            )

    def test_the_migration_clears_the_weekday_position_of_other_frequencies(self, transactional_db):
        before = ("events", "0013_event_series")
        executor = MigrationExecutor(connection)
        executor.migrate([before])
        OldSeries = executor.loader.project_state([before]).apps.get_model("events", "Series")
        for number, (frequency, position) in enumerate(
            [("weekly", 2), ("monthly_day", 3), ("monthly_weekday", -1)]
        ):
            OldSeries.objects.create(
                frequency=frequency, weekday_position=position, count=3, edit_token_hash=str(number)
            )

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("events"))

        assert dict(Series.objects.values_list("frequency", "weekday_position")) == {
            "weekly": None,
            "monthly_day": None,
            "monthly_weekday": -1,
        }


class TestThisAndFollowing:
    def test_a_new_time_moves_the_following_dates_by_the_same_wall_clock_change(self):
        events = submit().events
        third = events[2]
        services.series_update_following(
            event=events[1],
            channel=WEB,
            changes={
                "starts_at": events[1].starts_at + timedelta(hours=1),
                "ends_at": events[1].ends_at + timedelta(hours=1, minutes=30),
                "title": "Python Recife (new venue)",
            },
        )
        refreshed = list(Event.objects.order_by("starts_at"))
        assert local(refreshed[0].starts_at).hour == 19
        assert refreshed[0].title == "Python Recife"
        for event in refreshed[1:]:
            assert (local(event.starts_at).hour, local(event.ends_at).strftime("%H:%M")) == (
                20,
                "22:30",
            )
            assert event.title == "Python Recife (new venue)"
        assert local(refreshed[2].starts_at).date() == local(third.starts_at).date()

    @pytest.mark.postgres
    def test_each_date_s_row_is_locked_once(self):
        events = submit().events

        with CaptureQueriesContext(connection) as queries:
            services.series_update_following(
                event=events[0], channel=WEB, changes={"title": "Python Recife (new venue)"}
            )

        # The date asked for, then it and the following ones, in one query.
        locks = row_locks(queries)
        assert len(locks) == 2, locks
        assert set(Event.objects.values_list("title", flat=True)) == {"Python Recife (new venue)"}

    def test_wall_clock_change_holds_across_daylight_saving_time(self):
        # São Paulo moved its clocks forward on 2018-11-04.
        first = datetime(2018, 10, 25, 19, tzinfo=SAO_PAULO)
        event = new_event(starts_at=first, ends_at=None, city="São Paulo")
        events = submit(event, rule=Rule(Frequency.WEEKLY, count=4)).events
        services.series_update_following(
            event=events[0],
            channel=WEB,
            changes={"starts_at": first + timedelta(minutes=30), "ends_at": None},
        )
        hours = [local(e.starts_at).strftime("%H:%M") for e in Event.objects.order_by("starts_at")]
        assert hours == ["19:30"] * 4

    @hypothesis_settings(max_examples=25, deadline=None)
    @given(
        index=st.integers(0, 3),
        shift_minutes=st.integers(-6 * 60, 4 * 60),
        duration_minutes=st.one_of(st.none(), st.integers(0, 6 * 60)),
    )
    def test_any_shift_moves_exactly_this_and_the_following_dates(
        self, index, shift_minutes, duration_minutes
    ):
        with transaction.atomic():
            events = submit().events
            before = [local(e.starts_at) for e in events]
            changes = {"starts_at": events[index].starts_at + timedelta(minutes=shift_minutes)}
            if duration_minutes is not None:
                changes["ends_at"] = changes["starts_at"] + timedelta(minutes=duration_minutes)
            services.series_update_following(event=events[index], channel=WEB, changes=changes)
            after = list(Event.objects.order_by("starts_at", "pk"))
            for position, (old, event) in enumerate(zip(before, after, strict=True)):
                moved = shift_minutes if position >= index else 0
                expected = old.replace(tzinfo=None) + timedelta(minutes=moved)
                assert local(event.starts_at).replace(tzinfo=None) == expected
                if position >= index and duration_minutes is not None:
                    assert event.ends_at - event.starts_at == timedelta(minutes=duration_minutes)
                elif position >= index:
                    assert event.ends_at - event.starts_at == timedelta(hours=2)
            transaction.set_rollback(True)

    def test_a_date_on_another_clock_moves_by_the_same_wall_clock_change_on_its_own(self):
        events = submit().events
        manaus = zoneinfo.ZoneInfo("America/Manaus")
        services.event_update(
            event=events[2],
            channel=WEB,
            changes={
                "time_zone": "America/Manaus",
                "starts_at": local(events[2].starts_at).replace(tzinfo=manaus),
                "ends_at": None,
            },
        )
        services.series_update_following(
            event=events[1],
            channel=WEB,
            changes={"starts_at": events[1].starts_at + timedelta(hours=1)},
        )
        starts = [e.local_starts_at for e in Event.objects.order_by("starts_at")]
        assert [(start.strftime("%H:%M"), str(start.tzinfo)) for start in starts] == [
            ("19:00", "America/Sao_Paulo"),
            ("20:00", "America/Sao_Paulo"),
            ("20:00", "America/Manaus"),
            ("20:00", "America/Sao_Paulo"),
        ]

    def test_a_following_date_that_cannot_take_the_change_is_named_and_nothing_changes(self):
        events = submit().events
        # The third date went online on its own: it has no city and no venue.
        services.event_update(
            event=events[2],
            channel=WEB,
            changes={
                "mode": "online",
                "city": "",
                "venue": "",
                "online_url": "https://meet.example/python",
            },
        )
        hybrid = {"mode": "hybrid", "online_url": "https://meet.example/python"}
        with translation.override("en"), pytest.raises(ValidationError) as error:
            services.series_update_following(event=events[0], channel=WEB, changes=hybrid)
        (message,) = error.value.messages
        assert message == (
            f"The date of {events[2].local_starts_at:%m/%d/%Y} cannot take these changes: "
            "Required unless the event is online."
        )
        assert not Event.objects.filter(mode="hybrid").exists()

    def test_a_new_end_alone_applies_to_the_following_dates(self):
        events = submit().events
        services.series_update_following(
            event=events[2],
            channel=WEB,
            changes={"ends_at": events[2].starts_at + timedelta(hours=3)},
        )
        durations = [e.ends_at - e.starts_at for e in Event.objects.order_by("starts_at")]
        assert durations == [timedelta(hours=2)] * 2 + [timedelta(hours=3)] * 2

    def test_this_date_only_leaves_the_others(self):
        events = submit().events
        services.event_update(event=events[1], channel=WEB, changes={"title": "Special edition"})
        titles = list(Event.objects.order_by("starts_at").values_list("title", flat=True))
        assert titles == ["Python Recife", "Special edition", "Python Recife", "Python Recife"]

    def test_an_invalid_change_changes_no_date(self):
        events = submit().events
        with pytest.raises(ValidationError):
            services.series_update_following(
                event=events[0], channel=WEB, changes={"title": "a\nb"}
            )
        assert set(Event.objects.values_list("title", flat=True)) == {"Python Recife"}

    def test_a_stale_revision_changes_nothing(self):
        events = submit().events
        services.event_update(event=events[0], channel=WEB, changes={"title": "Changed"})
        with pytest.raises(services.EventChanged):
            services.series_update_following(
                event=events[0], channel=WEB, changes={"title": "Mine"}, expected_revision=0
            )
        assert not Event.objects.filter(title="Mine").exists()

    def test_a_following_change_leaves_the_cancelled_dates_as_they_are(self, settings):
        events = submit().events
        services.event_cancel(event=events[2], channel=WEB, reason="Holiday")
        settings.EVENTS_REQUIRE_APPROVAL = True

        left = services.series_update_following(
            event=events[0], channel=WEB, changes={"title": "Python Recife (new venue)"}
        )

        assert left == [events[2]]
        dates = Event.objects.order_by("starts_at").values_list("status", "title")
        assert list(dates) == [
            ("pending", "Python Recife (new venue)"),
            ("pending", "Python Recife (new venue)"),
            ("cancelled", "Python Recife"),
            ("pending", "Python Recife (new venue)"),
        ]

    def test_a_following_change_from_a_cancelled_date_changes_nothing(self):
        events = submit().events
        services.event_cancel(event=events[1], channel=WEB)

        with pytest.raises(ValidationError):
            services.series_update_following(
                event=events[1], channel=WEB, changes={"title": "Python Recife (new venue)"}
            )

        assert set(Event.objects.values_list("title", flat=True)) == {"Python Recife"}


class TestCancelAndDelete:
    def test_cancelling_one_date_leaves_the_others(self):
        events = submit().events
        services.event_cancel(event=events[1], channel=WEB, reason="Holiday")
        statuses = list(Event.objects.order_by("starts_at").values_list("status", flat=True))
        assert statuses == ["published", "cancelled", "published", "published"]

    def test_deleting_this_and_following_keeps_the_earlier_dates(self):
        events = submit().events
        assert services.series_delete_following(event=events[2], channel=WEB) == 2
        assert list(Event.objects.order_by("starts_at")) == events[:2]
        assert Series.objects.exists()

    def test_deleting_the_last_dates_deletes_the_series(self):
        events = submit().events
        services.series_delete_following(event=events[0], channel=WEB)
        assert not Event.objects.exists()
        assert not Series.objects.exists()

    def test_deleting_the_series_deletes_every_date(self):
        submission = submit()
        services.series_delete(series=submission.series, channel=WEB)
        assert not Event.objects.exists()
        assert not Series.objects.exists()


class TestSeriesStatus:
    def test_staff_publish_a_pending_series_at_once_with_history(self, settings, admin_user):
        settings.EVENTS_REQUIRE_APPROVAL = True
        submission = submit(event=new_event(organizer_email=""))
        changed = services.series_set_status(
            series=submission.series,
            status=Event.Status.PUBLISHED,
            channel=services.Channel.ADMIN,
            user=admin_user,
        )
        assert changed == 4
        assert Event.objects.published().count() == 4
        assert StatusChange.objects.filter(to_status="published", user=admin_user).count() == 4

    def test_cancelling_a_series_leaves_past_dates(self):
        submission = submit()
        past = EventFactory(starts_at=first_thursday() - timedelta(days=60))
        Event.objects.filter(pk=past.pk).update(series=submission.series)
        changed = services.series_set_status(
            series=submission.series, status=Event.Status.CANCELLED, channel=services.Channel.ADMIN
        )
        assert changed == 4
        past.refresh_from_db()
        assert past.status == Event.Status.PUBLISHED


# The pages: the submission form's "repeats" part, the series edit page, the
# scope of an edit, the event page's next dates.

SERIES_EDIT_URL = re.compile(r"http://testserver/(?:en/)?events/edit/series/([A-Za-z0-9_-]{43})/")


@pytest.fixture
def _quick_forms(settings):
    settings.EVENTS_FORM_MIN_SECONDS = 0


def submit_page(client, **overrides):
    starts_at = first_thursday()
    return submission(
        client,
        starts_at=starts_at.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(starts_at + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        **{
            "repeats": "monthly_weekday",
            "repeat_interval": "1",
            "weekday_position": "2",
            "repeat_count": "3",
            **overrides,
        },
    )


def page_form_data(event, **overrides):
    return {
        "title": event.title,
        "description": event.description,
        "starts_at": local(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "mode": event.mode,
        "city": event.city,
        "venue": event.venue,
        "technology_names": "Python",
        "organizer_name": event.organizer_name,
        "organizer_email": event.organizer_email,
        "is_free": "True",
        "revision": event.revision,
        **overrides,
    }


@pytest.mark.usefixtures("_quick_forms")
class TestSubmissionPage:
    def test_a_repeating_submission_creates_every_date_and_shows_the_series_link(self, english):
        response = submit_page(english)
        assert response.status_code == 200
        content = response.content.decode()
        token = SERIES_EDIT_URL.search(content).group(1)
        assert Event.objects.count() == 3
        assert content.count('<time datetime="') >= 3
        series_page = english.get(reverse("events:series-edit", kwargs={"token": token}))
        assert series_page.status_code == 200
        assert series_page["Referrer-Policy"] == "strict-origin"
        assert series_page["Cache-Control"] == "no-store"
        assert "noindex" in series_page["X-Robots-Tag"]
        assert series_page.content.decode().count("Edit this date") == 3

    def test_the_created_page_lists_the_dates_on_the_events_clock(self, english):
        content = submit_page(english, time_zone="America/Manaus").content.decode()
        dates = re.search(r'<ul class="series-dates">(.*?)</ul>', content, re.DOTALL).group(1)
        listed = re.findall(r'<time datetime="([^"]+)"', dates)
        assert len(listed) == 3
        assert all(value.endswith("T19:00:00-04:00") for value in listed)

    def test_the_form_has_the_repeats_fields(self, english):
        content = english.get(reverse("events:create")).content.decode()
        for name in (
            "repeats",
            "repeat_interval",
            "weekday_position",
            "repeat_until",
            "repeat_count",
        ):
            assert f'for="id_{name}"' in content

    def test_without_repeats_one_event_is_created(self, english):
        submit_page(english, repeats="")
        assert Event.objects.count() == 1
        assert Event.objects.get().series is None

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"repeat_count": "", "repeat_until": ""}, "repeat_until"),
            ({"repeat_count": "1"}, "repeat_count"),
            ({"repeat_count": "999"}, "repeat_count"),
            ({"repeat_interval": "0"}, "repeat_interval"),
            ({"weekday_position": "3"}, "weekday_position"),
            ({"weekday_position": "9"}, "weekday_position"),
            ({"repeats": "daily"}, "repeats"),
            ({"repeat_until": "not a date"}, "repeat_until"),
        ],
    )
    def test_a_bad_rule_is_explained_at_its_field_and_saves_nothing(
        self, english, overrides, field
    ):
        response = submit_page(english, **overrides)
        assert response.status_code == 200
        assert response.context["form"].errors[field]
        assert not Event.objects.exists()

    def test_a_series_reaching_past_the_last_year_is_explained_and_saves_nothing(self, english):
        response = submission(
            english,
            starts_at="2100-12-02T19:00",
            ends_at="2100-12-02T21:00",
            repeats="weekly",
            repeat_interval="1",
            repeat_count="6",
        )
        assert response.status_code == 200
        (message,) = response.context["form"].errors["repeat_count"]
        assert "2101" in message
        assert not Event.objects.exists()

    @hypothesis_settings(max_examples=60, deadline=None)
    @given(
        st.fixed_dictionaries(
            {
                "repeats": st.sampled_from(["", "weekly", "monthly_day", "monthly_weekday", "x"]),
                "repeat_interval": st.one_of(st.integers(-2, 15).map(str), st.text(max_size=4)),
                "weekday_position": st.sampled_from(["", "-1", "1", "2", "5", "6", "x"]),
                "repeat_until": st.one_of(st.just(""), st.dates().map(str), st.text(max_size=12)),
                "repeat_count": st.one_of(st.integers(-5, 100).map(str), st.text(max_size=3)),
            }
        )
    )
    def test_any_rule_input_is_refused_clearly_or_gives_a_bounded_series(self, values):
        starts_at = first_thursday()
        data = {
            "title": "Python Recife",
            "description": "Monthly meetup.",
            "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"),
            "mode": "in_person",
            "city": "Recife",
            "venue": "Porto Digital",
            "organizer_name": "Grupy PE",
            "is_free": "True",
            "rendered_at": EventSubmissionForm().initial["rendered_at"],
            **values,
        }
        form = EventSubmissionForm(data=data)
        if not form.is_valid():
            assert form.errors
            assert not set(form.errors) - {*form.fields, "__all__"}
            return
        rule = form.cleaned_data["recurrence"]
        assert (rule is None) == (values["repeats"] == "")
        if rule is not None:
            with transaction.atomic():
                created = submit(form.save(commit=False), rule=rule).events
                assert 2 <= len(created) <= MAX_OCCURRENCES
                transaction.set_rollback(True)


@pytest.mark.usefixtures("_quick_forms")
class TestSeriesPages:
    def test_the_event_page_links_the_next_dates(self, english):
        events = submit().events
        content = english.get(events[0].get_absolute_url()).content.decode()
        assert "Next dates" in content
        for later in events[1:]:
            assert later.get_absolute_url() in content
        assert reverse("events:series-calendar", kwargs={"pk": events[0].series_id}) in content

    def test_a_single_event_has_no_next_dates(self, english):
        event = EventFactory()
        assert "Next dates" not in english.get(event.get_absolute_url()).content.decode()

    def test_editing_this_and_following_from_the_edit_page(self, english):
        submission_ = submit()
        events = submission_.events
        token = derive_edit_token(submission_.edit_token, events[1].slug)
        new_start = local(events[1].starts_at) + timedelta(hours=1)
        response = english.post(
            reverse("events:edit", kwargs={"token": token}),
            page_form_data(
                events[1],
                starts_at=new_start.strftime("%Y-%m-%dT%H:%M"),
                ends_at=(new_start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                scope="following",
            ),
        )
        assert response.status_code == 302
        hours = [local(e.starts_at).hour for e in Event.objects.order_by("starts_at")]
        assert hours == [19, 20, 20, 20]

    def test_editing_only_this_date_from_the_edit_page(self, english):
        submission_ = submit()
        events = submission_.events
        token = derive_edit_token(submission_.edit_token, events[1].slug)
        page = english.get(reverse("events:edit", kwargs={"token": token}))
        assert "This date and the following ones" in page.content.decode()
        english.post(
            reverse("events:edit", kwargs={"token": token}),
            page_form_data(events[1], title="Special", scope="this"),
        )
        titles = list(Event.objects.order_by("starts_at").values_list("title", flat=True))
        assert titles == ["Python Recife", "Special", "Python Recife", "Python Recife"]

    def test_cancelling_one_date_from_its_edit_link_leaves_the_others(self, english):
        submission_ = submit()
        events = submission_.events
        token = derive_edit_token(submission_.edit_token, events[2].slug)
        english.post(reverse("events:cancel", kwargs={"token": token}), {"reason": "Holiday"})
        statuses = list(Event.objects.order_by("starts_at").values_list("status", flat=True))
        assert statuses == ["published", "published", "cancelled", "published"]
        content = english.get(events[0].get_absolute_url()).content.decode()
        assert "Cancelled" in content

    def test_deleting_this_and_following_from_the_delete_page(self, english):
        submission_ = submit()
        events = submission_.events
        token = derive_edit_token(submission_.edit_token, events[1].slug)
        english.post(reverse("events:delete", kwargs={"token": token}), {"scope": "following"})
        assert list(Event.objects.all()) == events[:1]

    def test_a_wrong_series_token_is_not_found(self, english):
        submit()
        response = english.get(reverse("events:series-edit", kwargs={"token": "k" * 43}))
        assert response.status_code == 404

    def test_a_following_change_on_the_edit_page_names_the_cancelled_dates_it_left(
        self, english, settings
    ):
        submission_ = submit()
        events = submission_.events
        services.event_cancel(event=events[2], channel=WEB)
        settings.EVENTS_REQUIRE_APPROVAL = True
        token = derive_edit_token(submission_.edit_token, events[1].slug)

        response = english.post(
            reverse("events:edit", kwargs={"token": token}),
            page_form_data(events[1], title="Python Recife (new venue)", scope="following"),
            follow=True,
        )

        notes = " ".join(str(message) for message in response.context["messages"])
        assert f"The cancelled date ({events[2].local_starts_at:%m/%d/%Y}) was left" in notes
        dates = Event.objects.order_by("starts_at").values_list("status", flat=True)
        assert list(dates) == ["published", "pending", "cancelled", "pending"]


class TestSeriesCalendar:
    def parse(self, client, series):
        response = client.get(reverse("events:series-calendar", kwargs={"pk": series.pk}))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        return icalendar.Calendar.from_ical(response.content)

    def test_one_vevent_per_date_with_its_events_uid(self, client):
        submission_ = submit()
        calendar = self.parse(client, submission_.series)
        vevents = calendar.walk("VEVENT")
        assert [str(vevent["UID"]) for vevent in vevents] == [
            event_uid(event) for event in submission_.events
        ]
        assert not any("RRULE" in vevent for vevent in vevents)
        starts = [vevent.decoded("DTSTART") for vevent in vevents]
        assert starts == [event.starts_at for event in submission_.events]
        assert {(start.hour, str(start.tzinfo)) for start in starts} == {(19, "America/Sao_Paulo")}

    def test_a_cancelled_date_is_cancelled_in_the_calendar_the_others_confirmed(self, client):
        submission_ = submit()
        services.event_cancel(event=submission_.events[1], channel=WEB)
        statuses = [str(v["STATUS"]) for v in self.parse(client, submission_.series).walk("VEVENT")]
        assert statuses == ["CONFIRMED", "CANCELLED", "CONFIRMED", "CONFIRMED"]

    def test_uids_stay_the_same_after_an_edit(self, client):
        submission_ = submit()
        before = [str(v["UID"]) for v in self.parse(client, submission_.series).walk("VEVENT")]
        services.series_update_following(
            event=submission_.events[0],
            channel=WEB,
            changes={"starts_at": submission_.events[0].starts_at + timedelta(hours=1)},
        )
        after = self.parse(client, submission_.series).walk("VEVENT")
        assert [str(v["UID"]) for v in after] == before
        assert [int(v["SEQUENCE"]) for v in after] == [1, 1, 1, 1]

    def test_pending_dates_are_left_out_and_a_series_without_public_dates_is_not_found(
        self, client, settings
    ):
        settings.EVENTS_REQUIRE_APPROVAL = True
        submission_ = submit(event=new_event(organizer_email=""))
        url = reverse("events:series-calendar", kwargs={"pk": submission_.series.pk})
        assert client.get(url).status_code == 404
        assert (
            client.get(reverse("events:series-calendar", kwargs={"pk": 999999})).status_code == 404
        )


class TestSeriesAdmin:
    def test_the_series_page_lists_its_dates(self, admin_client):
        submission_ = submit()
        url = reverse("admin:events_series_change", args=[submission_.series.pk])
        response = admin_client.get(url)
        assert response.status_code == 200
        content = response.content.decode()
        for event in submission_.events:
            assert reverse("admin:events_event_change", args=[event.pk]) in content
        changelist = admin_client.get(reverse("admin:events_series_changelist"))
        assert changelist.status_code == 200
        assert "Python Recife" in changelist.content.decode()

    def test_the_series_list_runs_as_many_queries_for_many_series_as_for_one(self, admin_client):
        changelist = reverse("admin:events_series_changelist")

        def queries_of_the_list():
            with CaptureQueriesContext(connection) as queries:
                assert admin_client.get(changelist).status_code == 200
            return len(queries)

        submit()
        one = queries_of_the_list()
        for title in ["Django Recife", "Rust Recife"]:
            submit(new_event(title=title))
        assert queries_of_the_list() == one

    def test_an_event_page_links_its_series(self, admin_client):
        submission_ = submit()
        response = admin_client.get(
            reverse("admin:events_event_change", args=[submission_.events[0].pk])
        )
        assert reverse("admin:events_series_change", args=[submission_.series.pk]) in (
            response.content.decode()
        )

    def test_publish_and_cancel_every_date(self, admin_client, settings):
        settings.EVENTS_REQUIRE_APPROVAL = True
        submission_ = submit(event=new_event(organizer_email=""))
        changelist = reverse("admin:events_series_changelist")
        for action, status in [("publish_all", "published"), ("cancel_all", "cancelled")]:
            response = admin_client.post(
                changelist,
                {"action": action, "_selected_action": [submission_.series.pk]},
                follow=True,
            )
            assert response.status_code == 200
            assert set(Event.objects.values_list("status", flat=True)) == {status}
        assert StatusChange.objects.filter(channel="admin").count() == 8

    def test_publishing_a_series_leaves_its_cancelled_dates_cancelled(self, admin_client, settings):
        submission_ = submit()
        events = submission_.events
        services.event_cancel(event=events[1], channel=WEB, reason="Holiday")
        settings.EVENTS_REQUIRE_APPROVAL = True
        services.event_update(event=events[3], channel=WEB, changes={"title": "Last edition"})

        admin_client.post(
            reverse("admin:events_series_changelist"),
            {"action": "publish_all", "_selected_action": [submission_.series.pk]},
        )

        dates = Event.objects.order_by("starts_at").values_list("status", "cancellation_reason")
        assert list(dates) == [
            ("published", ""),
            ("cancelled", "Holiday"),
            ("published", ""),
            ("published", ""),
        ]

    def test_the_delete_confirmation_lists_the_dates_it_deletes(self, admin_client):
        submission_ = submit()
        url = reverse("admin:events_series_delete", args=[submission_.series.pk])
        content = admin_client.get(url).content.decode()
        for event in submission_.events:
            assert reverse("admin:events_event_change", args=[event.pk]) in content

    def test_deleting_a_series_deletes_its_dates(self, admin_client):
        submission_ = submit()
        url = reverse("admin:events_series_delete", args=[submission_.series.pk])
        admin_client.post(url, {"post": "yes"})
        assert not Series.objects.exists()
        assert not Event.objects.exists()

    def test_staff_without_event_permissions_cannot_see_series(self, client, django_user_model):
        submission_ = submit()
        client.force_login(django_user_model.objects.create_user("s", is_staff=True))
        url = reverse("admin:events_series_change", args=[submission_.series.pk])
        assert client.get(url).status_code in (302, 403)
        client.post(
            reverse("admin:events_series_changelist"),
            {"action": "cancel_all", "_selected_action": [submission_.series.pk]},
        )
        assert Event.objects.published().count() == 4


class TestDatesOnTheirOwnClock:
    """Every list of a series' dates shows them on the event's clock, labelled, with
    Brasília's time beside them when the clocks differ."""

    MANAUS = zoneinfo.ZoneInfo("America/Manaus")

    def manaus_series(self):
        starts_at = first_thursday().replace(tzinfo=self.MANAUS)
        event = new_event(starts_at=starts_at, city="Manaus", time_zone="America/Manaus")
        return submit(event=event)

    def assert_on_manaus_clock(self, html):
        assert "19:00" in html
        assert "UTC−4" in html
        assert "20:00" in html  # the same moment in Brasília

    def test_the_event_page_lists_the_next_dates_on_the_event_s_clock(self, client):
        submission = self.manaus_series()
        html = client.get(submission.event.get_absolute_url()).content.decode()
        next_dates = html[html.index('id="next-dates-heading"') :]
        assert next_dates.count("T19:00:00-04:00") >= 3
        self.assert_on_manaus_clock(next_dates)

    def test_the_series_edit_page_lists_the_dates_on_the_event_s_clock(self, client):
        submission = self.manaus_series()
        page = client.get(reverse("events:series-edit", kwargs={"token": submission.edit_token}))
        dates = page.content.decode().split('class="list-group series-dates')[1]
        assert dates.count("T19:00:00-04:00") == 4
        self.assert_on_manaus_clock(dates)
