"""Recovering a lost edit link by e-mail, and confirming the organizer's address
in approval mode (issue 11, section 3)."""

import re
import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from events import services
from events.edit_tokens import derive_edit_token, hash_edit_token
from events.models import Event, RecoveryLink, Series
from events.recurrence import Frequency, Rule

from .factories import EventFactory
from .helpers import EDIT_TOKEN, submission

pytestmark = pytest.mark.django_db

ADDRESS = "org@example.org"
RECOVERY_URL = re.compile(r"/events/lost-link/([A-Za-z0-9_-]{43})/")
EDIT_URL = re.compile(r"/events/edit/([A-Za-z0-9_-]{43})/")
CONFIRM_URL = re.compile(r"/events/confirm/([A-Za-z0-9_-]{43})/")
SERIES_EDIT_URL = re.compile(r"/events/edit/series/([A-Za-z0-9_-]{43})/")
RECIFE = zoneinfo.ZoneInfo("America/Recife")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def ask(client, email=ADDRESS, **extra):
    return client.post(reverse("events:recovery"), {"email": email}, **extra)


def recovery_tokens(message):
    return RECOVERY_URL.findall(message.body)


def use(client, token):
    return client.post(reverse("events:recover", args=[token]))


def assert_same_answer_as_for_an_unknown_address(client):
    known = ask(client, ADDRESS)
    unknown = ask(client, "nobody@example.org")

    assert known.status_code == unknown.status_code == 200
    assert len(mail.outbox) == 1
    normalize = lambda response: (  # noqa: E731
        re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        .replace(ADDRESS, "ADDRESS")
        .replace("nobody@example.org", "ADDRESS")
    )
    assert normalize(known) == normalize(unknown)
    assert sorted(known.headers) == sorted(unknown.headers)


class TestAskingForLinks:
    def test_one_message_lists_the_current_and_upcoming_events_of_the_address(self, client):
        upcoming = EventFactory(organizer_email=ADDRESS, title="Upcoming meetup")
        happening = EventFactory(
            organizer_email="Org@Example.org",
            title="Happening now",
            starts_at=timezone.now() - timedelta(hours=1),
        )
        EventFactory(
            organizer_email=ADDRESS,
            title="Long over",
            starts_at=timezone.now() - timedelta(days=30),
        )
        EventFactory(organizer_email="other@example.org", title="Someone else's")

        response = ask(client)

        assert response.status_code == 200
        assert len(mail.outbox) == 1
        body = mail.outbox[0].body
        assert mail.outbox[0].to == [happening.organizer_email]
        assert "Upcoming meetup" in body and "Happening now" in body
        assert "Long over" not in body and "Someone else's" not in body
        assert len(recovery_tokens(mail.outbox[0])) == 2
        assert {link.event for link in RecoveryLink.objects.all()} == {upcoming, happening}

    def test_rejected_events_are_listed_so_the_organizer_can_read_the_reason(self, client):
        EventFactory(organizer_email=ADDRESS, status=Event.Status.REJECTED, title="Not accepted")
        ask(client)
        assert "Not accepted" in mail.outbox[0].body

    def test_tokens_are_stored_only_as_their_hash(self, client):
        EventFactory(organizer_email=ADDRESS)
        ask(client)
        [token] = recovery_tokens(mail.outbox[0])
        link = RecoveryLink.objects.get()
        assert link.token_hash == hash_edit_token(token)
        assert token not in str(RecoveryLink.objects.values().get())

    def test_the_answer_is_the_same_for_known_and_unknown_addresses(self, client):
        EventFactory(organizer_email=ADDRESS)
        assert_same_answer_as_for_an_unknown_address(client)

    def test_the_pages_are_never_cached(self, client):
        EventFactory(organizer_email=ADDRESS)
        assert client.get(reverse("events:recovery"))["Cache-Control"] == "no-store"
        assert ask(client)["Cache-Control"] == "no-store"
        [token] = recovery_tokens(mail.outbox[0])
        assert client.get(reverse("events:recover", args=[token]))["Cache-Control"] == "no-store"
        assert use(client, token)["Cache-Control"] == "no-store"

    def test_an_invalid_address_gets_the_form_again_and_sends_nothing(self, english):
        response = ask(english, "not an address")
        assert response.status_code == 200
        assert "Enter a valid email address" in response.content.decode()
        assert mail.outbox == []

    @hypothesis_settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(email=st.text(max_size=300))
    def test_no_address_a_visitor_types_gives_a_server_error(self, client, settings, email):
        settings.EVENTS_RECOVERY_RATE = "100000/h"
        settings.EVENTS_RECOVERY_ADDRESS_RATE = "100000/h"
        response = ask(client, email)
        assert response.status_code in {200, 400}

    def test_the_page_is_linked_from_the_footer_the_form_and_the_edit_page(self, client):
        EventFactory(edit_token=EDIT_TOKEN)
        recovery = reverse("events:recovery")
        assert recovery in client.get(reverse("events:list")).content.decode()
        assert recovery in client.get(reverse("events:create")).content.decode()
        assert recovery in client.get(reverse("events:edit", args=[EDIT_TOKEN])).content.decode()


class TestRateLimits:
    def test_each_address_is_limited_whatever_the_client(self, client, settings):
        settings.EVENTS_RECOVERY_ADDRESS_RATE = "2/h"
        EventFactory(organizer_email=ADDRESS)
        for client_ip in ["192.0.2.1", "192.0.2.2"]:
            assert ask(client, REMOTE_ADDR=client_ip).status_code == 200
        assert ask(client, " ORG@example.org", REMOTE_ADDR="192.0.2.3").status_code == 429
        assert ask(client, "other@example.org", REMOTE_ADDR="192.0.2.3").status_code == 200
        assert len(mail.outbox) == 2

    def test_each_client_is_limited_whatever_the_address(self, client, settings):
        settings.EVENTS_RECOVERY_RATE = "2/h"
        for number in range(2):
            assert ask(client, f"someone{number}@example.org").status_code == 200
        assert ask(client, "someone-else@example.org").status_code == 429
        assert ask(client, "someone-else@example.org", REMOTE_ADDR="192.0.2.9").status_code == 200

    def test_the_limits_let_requests_through_when_the_cache_is_down(self, client, settings):
        settings.EVENTS_RECOVERY_RATE = "1/h"
        settings.EVENTS_RECOVERY_ADDRESS_RATE = "1/h"
        settings.CACHES = {
            "default": {
                # The site's Redis backend, with nothing listening on port 1.
                "BACKEND": "encontros.cache.FailSoftRedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
                "RETRY_AFTER": 2,
                "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
            }
        }
        EventFactory(organizer_email=ADDRESS)
        for _ in range(3):
            assert ask(client).status_code == 200
        assert len(mail.outbox) == 3


class TestUsingALink:
    @pytest.fixture
    def recovery_token(self, client):
        EventFactory(organizer_email=ADDRESS, edit_token=EDIT_TOKEN, title="Python Recife")
        ask(client)
        [token] = recovery_tokens(mail.outbox[0])
        return token

    def test_opening_the_link_asks_for_a_click_and_changes_nothing(self, client, recovery_token):
        response = client.get(reverse("events:recover", args=[recovery_token]))
        assert response.status_code == 200
        assert RecoveryLink.objects.count() == 1
        assert Event.objects.by_edit_token(EDIT_TOKEN).exists()

    def test_the_old_edit_link_keeps_working_until_the_recovery_link_is_used(
        self, client, recovery_token
    ):
        assert client.get(reverse("events:edit", args=[EDIT_TOKEN])).status_code == 200

        response = use(client, recovery_token)

        assert response.status_code == 200
        new_token = EDIT_URL.search(response.content.decode()).group(1)
        assert client.get(reverse("events:edit", args=[new_token])).status_code == 200
        assert client.get(reverse("events:edit", args=[EDIT_TOKEN])).status_code == 404
        assert Event.objects.get().edit_token_hash == hash_edit_token(new_token)

    def test_a_link_works_once(self, client, recovery_token):
        assert use(client, recovery_token).status_code == 200
        assert use(client, recovery_token).status_code == 404
        assert client.get(reverse("events:recover", args=[recovery_token])).status_code == 404

    def test_a_link_expires_after_24_hours(self, client, recovery_token):
        RecoveryLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        assert use(client, recovery_token).status_code == 404
        assert Event.objects.by_edit_token(EDIT_TOKEN).exists()

    def test_links_are_issued_for_24_hours(self, client, recovery_token):
        link = RecoveryLink.objects.get()
        lifetime = link.expires_at - timezone.now()
        assert timedelta(hours=23, minutes=59) < lifetime <= timedelta(hours=24)

    def test_an_unknown_link_is_not_found(self, client):
        assert use(client, "x" * 43).status_code == 404

    def test_the_new_link_page_shows_the_contact_address(self, client, settings, recovery_token):
        settings.CONTACT_EMAIL = "contato@encontros.example"
        assert "contato@encontros.example" in use(client, recovery_token).content.decode()

    def test_the_footer_shows_the_contact_address_when_set(self, client, settings):
        assert "mailto:" not in client.get(reverse("events:recovery")).content.decode()
        settings.CONTACT_EMAIL = "contato@encontros.example"
        assert (
            "mailto:contato@encontros.example"
            in client.get(reverse("events:list")).content.decode()
        )


def create_series(*, first_day_from_now, count, title="Python Recife"):
    """A weekly series at 19:00 in Recife under ADDRESS; returns its dates and token."""
    starts_at = datetime.combine(
        timezone.localdate() + timedelta(days=first_day_from_now), time(19), RECIFE
    )
    _series, dates, token = services.series_create(
        event=Event(
            title=title,
            description="Weekly meetup.",
            starts_at=starts_at,
            city="Recife",
            venue="Porto Digital",
            organizer_name="Grupy PE",
            organizer_email=ADDRESS,
        ),
        rule=Rule(Frequency.WEEKLY, count=count),
        channel=services.Channel.WEB,
    )
    return dates, token


def date_edit_page(client, series_token, date):
    token = derive_edit_token(series_token, date.slug)
    return client.get(reverse("events:edit", args=[token]))


class TestSeries:
    @pytest.fixture
    def series(self):
        # One date last week, one yesterday (over), three upcoming.
        return create_series(first_day_from_now=-8, count=5)

    @pytest.fixture
    def recovery_token(self, english, series):
        ask(english)
        [token] = recovery_tokens(mail.outbox[0])
        return token

    def use_and_read_series_token(self, client, recovery_token):
        response = use(client, recovery_token)
        assert response.status_code == 200
        return SERIES_EDIT_URL.search(response.content.decode()).group(1)

    def test_a_series_is_listed_once_with_its_upcoming_dates_and_the_first_one(
        self, english, series
    ):
        dates, _token = series
        EventFactory(organizer_email=ADDRESS, title="Django Day")

        ask(english)

        [message] = mail.outbox
        first = dates[2]
        when = date_format(first.starts_at.astimezone(RECIFE), "DATETIME_FORMAT")
        assert f"Python Recife: a series, 3 upcoming dates, the first on {when}" in message.body
        assert message.body.count("Python Recife") == 1
        assert "Django Day" in message.body
        [series_token, event_token] = recovery_tokens(message)
        series_link = RecoveryLink.objects.get(series__isnull=False)
        assert series_link.series == first.series and series_link.event is None
        assert series_link.token_hash == hash_edit_token(series_token)
        assert RecoveryLink.objects.get(event__isnull=False).event.title == "Django Day"

    def test_the_link_gives_a_new_series_edit_link_that_opens_the_series_and_each_date(
        self, english, series, recovery_token
    ):
        dates, _old_token = series
        page = english.get(reverse("events:recover", args=[recovery_token])).content.decode()
        assert "every date of the series “Python Recife”" in page

        new_token = self.use_and_read_series_token(english, recovery_token)

        series_page = english.get(reverse("events:series-edit", args=[new_token]))
        assert series_page.status_code == 200
        date_links = EDIT_URL.findall(series_page.content.decode())
        assert len(date_links) == len(dates) == 5
        for token in date_links:
            assert english.get(reverse("events:edit", args=[token])).status_code == 200
        for date in dates:
            assert date_edit_page(english, new_token, date).status_code == 200
        assert Series.objects.by_edit_token(new_token).get() == dates[0].series

    def test_the_old_series_link_and_its_date_links_work_until_the_recovery_link_is_used(
        self, english, series, recovery_token
    ):
        dates, old_token = series
        old_series_page = reverse("events:series-edit", args=[old_token])
        assert english.get(old_series_page).status_code == 200
        assert all(date_edit_page(english, old_token, date).status_code == 200 for date in dates)

        self.use_and_read_series_token(english, recovery_token)

        assert english.get(old_series_page).status_code == 404
        assert all(date_edit_page(english, old_token, date).status_code == 404 for date in dates)

    def test_a_date_whose_link_was_replaced_alone_is_reached_again_by_the_new_series_link(
        self, english, series, recovery_token
    ):
        dates, _old_token = series
        own_token = services.event_issue_edit_token(event=dates[3])

        new_token = self.use_and_read_series_token(english, recovery_token)

        assert date_edit_page(english, new_token, dates[3]).status_code == 200
        assert english.get(reverse("events:edit", args=[own_token])).status_code == 404

    def test_a_series_link_works_once(self, english, recovery_token):
        self.use_and_read_series_token(english, recovery_token)
        assert use(english, recovery_token).status_code == 404
        assert english.get(reverse("events:recover", args=[recovery_token])).status_code == 404

    def test_a_series_link_expires_after_24_hours(self, english, series, recovery_token):
        dates, old_token = series
        link = RecoveryLink.objects.get()
        lifetime = link.expires_at - timezone.now()
        assert timedelta(hours=23, minutes=59) < lifetime <= timedelta(hours=24)

        RecoveryLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

        assert use(english, recovery_token).status_code == 404
        assert english.get(reverse("events:series-edit", args=[old_token])).status_code == 200
        assert date_edit_page(english, old_token, dates[4]).status_code == 200

    def test_the_answer_is_the_same_for_a_series_address_and_an_unknown_one(self, client, series):
        assert_same_answer_as_for_an_unknown_address(client)

    def test_the_address_limit_counts_requests_not_dates(self, client, settings, series):
        settings.EVENTS_RECOVERY_ADDRESS_RATE = "2/h"
        assert [ask(client).status_code for _ in range(3)] == [200, 200, 429]
        assert len(mail.outbox) == 2
        assert all(len(recovery_tokens(message)) == 1 for message in mail.outbox)

    def test_dates_shared_with_another_address_are_listed_one_by_one_not_the_series(
        self, english, series
    ):
        dates, _token = series
        Event.objects.filter(pk=dates[4].pk).update(organizer_email="co-organizer@example.org")

        ask(english)
        ask(english, "co-organizer@example.org")

        mine, theirs = mail.outbox
        assert len(recovery_tokens(mine)) == 2 and len(recovery_tokens(theirs)) == 1
        assert "upcoming date" not in mine.body + theirs.body
        assert not RecoveryLink.objects.filter(series__isnull=False).exists()
        assert {link.event for link in RecoveryLink.objects.all()} == set(dates[2:])


class TestSubmissionConfirmation:
    @pytest.fixture(autouse=True)
    def _submissions(self, settings):
        settings.EVENTS_FORM_MIN_SECONDS = 0

    def test_the_message_has_the_public_link_and_the_edit_link(self, client):
        response = submission(client, organizer_email=ADDRESS)
        event = Event.objects.get()
        token = EDIT_URL.search(response.content.decode()).group(1)
        [message] = mail.outbox
        assert f"/events/edit/{token}/" in message.body
        assert event.get_absolute_url() in message.body
        assert not CONFIRM_URL.search(message.body)

    def test_in_approval_mode_the_event_waits_for_the_address_to_be_confirmed(
        self, client, settings
    ):
        settings.EVENTS_REQUIRE_APPROVAL = True
        submission(client, organizer_email=ADDRESS)
        event = Event.objects.get()
        [message] = mail.outbox
        token = CONFIRM_URL.search(message.body).group(1)
        assert event.awaiting_email_confirmation
        assert event.email_confirmation_hash == hash_edit_token(token)

        # Approved before the organizer confirms: still not public.
        services.event_set_status(
            event=event, status=Event.Status.PUBLISHED, channel=services.Channel.ADMIN
        )
        assert not Event.objects.public().exists()
        assert client.get(event.get_absolute_url()).status_code == 404
        assert event.title not in client.get(reverse("events:list")).text
        for query in ("", "?status=published"):
            assert client.get(reverse("api:event-list") + query).json()["count"] == 0

        confirm = reverse("events:confirm-email", args=[token])
        assert client.get(confirm).status_code == 200
        assert Event.objects.get().awaiting_email_confirmation, "opening the link is not a click"
        assert client.post(confirm).status_code == 200
        assert client.get(event.get_absolute_url()).status_code == 200
        assert client.post(confirm).status_code == 404, "a confirmation link works once"

    def test_moderators_hear_of_an_event_only_once_its_address_is_confirmed(
        self, client, settings, django_capture_on_commit_callbacks, admin_user
    ):
        settings.EVENTS_REQUIRE_APPROVAL = True
        with django_capture_on_commit_callbacks(execute=True):
            submission(client, organizer_email=ADDRESS)
        assert [message.to for message in mail.outbox] == [[ADDRESS]]
        token = CONFIRM_URL.search(mail.outbox[0].body).group(1)

        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("events:confirm-email", args=[token]))

        assert [message.to for message in mail.outbox] == [[ADDRESS], [admin_user.email]]

    def test_without_an_address_nothing_waits_for_confirmation(self, client, settings):
        settings.EVENTS_REQUIRE_APPROVAL = True
        submission(client)
        assert not Event.objects.get().awaiting_email_confirmation

    def test_without_a_mail_server_nothing_waits_for_a_link_that_cannot_arrive(
        self, client, settings
    ):
        settings.EVENTS_REQUIRE_APPROVAL = True
        settings.EMAIL_ENABLED = False
        submission(client, organizer_email=ADDRESS)
        event = Event.objects.get()
        assert event.is_pending and not event.awaiting_email_confirmation


class TestSendingTheConfirmationAgain:
    @pytest.fixture(autouse=True)
    def _approval_mode(self, settings):
        settings.EVENTS_FORM_MIN_SECONDS = 0
        settings.EVENTS_REQUIRE_APPROVAL = True

    @pytest.fixture
    def awaiting(self, client):
        response = submission(client, organizer_email=ADDRESS)
        edit_token = EDIT_URL.search(response.content.decode()).group(1)
        first_link = CONFIRM_URL.search(mail.outbox[0].body).group(1)
        mail.outbox.clear()
        return edit_token, first_link

    def again(self, client, edit_token):
        return client.post(reverse("events:confirm-email-again", args=[edit_token]), follow=True)

    def test_the_edit_page_says_the_address_waits_for_confirmation(self, client, awaiting):
        edit_token, _ = awaiting
        page = client.get(reverse("events:edit", args=[edit_token])).content.decode()
        assert reverse("events:confirm-email-again", args=[edit_token]) in page
        assert ADDRESS in page

    def test_a_new_link_is_sent_and_replaces_the_previous_one(self, client, awaiting):
        edit_token, first_link = awaiting
        response = self.again(client, edit_token)

        assert response.status_code == 200
        [message] = mail.outbox
        assert message.to == [ADDRESS]
        new_link = CONFIRM_URL.search(message.body).group(1)
        assert new_link != first_link
        assert client.post(reverse("events:confirm-email", args=[first_link])).status_code == 404
        assert client.post(reverse("events:confirm-email", args=[new_link])).status_code == 200
        assert not Event.objects.get().awaiting_email_confirmation

    def test_it_goes_to_the_address_corrected_on_the_edit_page(self, client, awaiting):
        edit_token, _ = awaiting
        Event.objects.update(organizer_email="right@example.org")
        self.again(client, edit_token)
        assert [message.to for message in mail.outbox] == [["right@example.org"]]

    def test_a_confirmed_event_gets_no_new_message(self, client, awaiting):
        edit_token, first_link = awaiting
        client.post(reverse("events:confirm-email", args=[first_link]))
        self.again(client, edit_token)
        assert mail.outbox == []
        assert not Event.objects.get().awaiting_email_confirmation

    def test_an_edit_link_cannot_flood_the_address(self, client, awaiting, settings):
        settings.EVENTS_RECOVERY_ADDRESS_RATE = "2/h"
        edit_token, _ = awaiting
        statuses = [
            client.post(reverse("events:confirm-email-again", args=[edit_token])).status_code
            for _ in range(4)
        ]
        assert statuses == [302, 302, 429, 429]
        assert len(mail.outbox) == 2

    def test_a_wrong_link_or_a_get_changes_nothing(self, client, awaiting):
        edit_token, _ = awaiting
        wrong = client.post(reverse("events:confirm-email-again", args=["x" * 43]))
        assert wrong.status_code == 404
        assert wrong["Cache-Control"] == "no-store" and wrong["Referrer-Policy"] == "strict-origin"
        get = client.get(reverse("events:confirm-email-again", args=[edit_token]))
        assert get.status_code == 405
        assert mail.outbox == []
