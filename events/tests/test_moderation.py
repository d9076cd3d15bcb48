"""The moderation loop: moderators hear about pending events, organizers hear the
decision, visitors report problems, and every status change is in the history."""

import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from events import services
from events.models import Event, Report, StatusChange
from events.recurrence import Frequency, Rule

from .factories import EventFactory, TechnologyFactory
from .helpers import EDIT_TOKEN, EVENT_ADMIN_INLINES, FAILING_EMAIL_BACKEND, submission

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CHANGELIST = reverse("admin:events_event_changelist")


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.EVENTS_FORM_MIN_SECONDS = 0
    settings.EVENTS_REQUIRE_APPROVAL = True
    settings.SITE_URL = "https://encontros.example"


@pytest.fixture
def moderator(db):
    user = User.objects.create_user("moderator", email="mod@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Event managers"))
    return user


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def window_over(settings):
    """Move the last digest back past the digest window."""
    Event.objects.exclude(moderators_notified_at=None).update(
        moderators_notified_at=timezone.now()
        - timedelta(seconds=settings.EVENTS_MODERATION_DIGEST_SECONDS + 1)
    )


def run_action(client, action, events):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [event.pk for event in events]},
    )


class TestModeratorsHearOfPendingEvents:
    def test_a_pending_submission_e_mails_the_moderators_a_link_to_it(
        self, client, moderator, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            submission(client, title="Rust Natal")

        event = Event.objects.get()
        assert event.is_pending
        (message,) = mail.outbox
        assert message.to == ["mod@example.org"]
        assert "Rust Natal" in message.body
        admin_url = reverse("admin:events_event_change", args=[event.pk])
        assert f"https://encontros.example{admin_url}" in message.body

    def test_events_arriving_within_minutes_share_one_digest(
        self, client, moderator, settings, django_capture_on_commit_callbacks
    ):
        for title in ["First", "Second", "Third"]:
            with django_capture_on_commit_callbacks(execute=True):
                submission(client, title=title)
        assert len(mail.outbox) == 1
        assert "First" in mail.outbox[0].body and "Second" not in mail.outbox[0].body

        # The window is over: the scheduled command sends what arrived meanwhile.
        window_over(settings)
        output = io.StringIO()
        call_command("notify_moderators", stdout=output)
        assert output.getvalue() == "2 pending event(s) announced.\n"

        assert len(mail.outbox) == 2
        assert "Second" in mail.outbox[1].body and "Third" in mail.outbox[1].body
        assert "First" not in mail.outbox[1].body
        assert mail.outbox[1].subject == "2 eventos aguardam aprovação"

    def test_the_digest_window_holds_and_mail_goes_out_while_the_cache_is_down(
        self, client, moderator, settings, django_capture_on_commit_callbacks
    ):
        settings.CACHES = {
            "default": {
                # The site's Redis backend, with nothing listening on port 1.
                "BACKEND": "encontros.cache.FailSoftRedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
                "RETRY_AFTER": 2,
                "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
            }
        }
        for title in ["First", "Second"]:
            with django_capture_on_commit_callbacks(execute=True):
                submission(client, title=title)
        assert [len(mail.outbox), services.notify_moderators()] == [1, 0]

        window_over(settings)
        assert services.notify_moderators() == 1
        assert "Second" in mail.outbox[1].body

    def test_the_pending_dates_of_a_series_are_one_line_of_the_digest(self, moderator, settings):
        starts_at = timezone.localtime() + timedelta(days=7)
        single = EventFactory(
            title="Rust Natal", starts_at=starts_at - timedelta(days=1), status="pending"
        )
        submission_ = services.series_submit(
            event=Event(
                title="Python Recife",
                description="Weekly meetup.",
                starts_at=starts_at,
                city="Recife",
                venue="Porto Digital",
                organizer_name="Grupy PE",
            ),
            rule=Rule(Frequency.WEEKLY, count=4),
            channel=services.Channel.WEB,
            technology_names=[],
            request=RequestFactory().get("/"),
        )

        assert services.notify_moderators() == 5

        (message,) = mail.outbox
        assert message.subject == "5 eventos aguardam aprovação"
        with translation.override(settings.LANGUAGE_CODE):
            single_start, series_start = (
                date_format(event.local_starts_at, "SHORT_DATETIME_FORMAT")
                for event in (single, submission_.event)
            )
        assert [line for line in message.body.splitlines() if line.startswith("- ")] == [
            f"- Rust Natal ({single_start}, São Paulo)",
            f"- Python Recife (4 datas a partir de {series_start}, Recife)",
        ]
        series_url = reverse("admin:events_series_change", args=[submission_.series.pk])
        assert f"https://encontros.example{series_url}" in message.body
        single_url = reverse("admin:events_event_change", args=[single.pk])
        assert f"https://encontros.example{single_url}" in message.body
        for date in submission_.events:
            assert reverse("admin:events_event_change", args=[date.pk]) not in message.body

    def test_a_failed_sending_leaves_the_events_for_the_next_digest(
        self, client, moderator, settings, django_capture_on_commit_callbacks
    ):
        settings.EMAIL_BACKEND = FAILING_EMAIL_BACKEND
        with django_capture_on_commit_callbacks(execute=True):
            submission(client, title="First")
        assert Event.objects.get().moderators_notified_at is None

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert services.notify_moderators() == 1
        assert "First" in mail.outbox[0].body

    def test_nothing_is_sent_when_approval_is_off(
        self, client, moderator, settings, django_capture_on_commit_callbacks
    ):
        settings.EVENTS_REQUIRE_APPROVAL = False
        with django_capture_on_commit_callbacks(execute=True):
            submission(client)

        assert Event.objects.get().status == Event.Status.PUBLISHED
        assert mail.outbox == []
        assert services.notify_moderators() == 0

    def test_staff_without_the_permission_are_not_told(
        self, client, django_capture_on_commit_callbacks
    ):
        User.objects.create_user("other", email="other@example.org", is_staff=True)
        with django_capture_on_commit_callbacks(execute=True):
            submission(client)

        assert mail.outbox == []


class TestOrganizersHearTheDecision:
    def test_approval_is_e_mailed_in_the_organizers_language(
        self, moderator_client, django_capture_on_commit_callbacks
    ):
        event = EventFactory(
            status=Event.Status.PENDING, organizer_email="org@example.org", language="pt-br"
        )

        with django_capture_on_commit_callbacks(execute=True):
            run_action(moderator_client, "publish", [event])

        (message,) = mail.outbox
        assert message.to == ["org@example.org"]
        assert "publicado" in message.subject
        assert "foi aprovado" in message.body
        assert f"https://encontros.example/events/{event.slug}/" in message.body

    def test_rejection_with_a_reason_reaches_the_organizer_and_the_edit_page(
        self, moderator_client, client, django_capture_on_commit_callbacks
    ):
        event = EventFactory(
            status=Event.Status.PENDING,
            organizer_email="org@example.org",
            language="en",
            edit_token=EDIT_TOKEN,
        )
        data = {
            **change_form_data(event),
            "status": "rejected",
            "rejection_reason": "Not a tech event.",
        }

        with django_capture_on_commit_callbacks(execute=True):
            response = moderator_client.post(
                reverse("admin:events_event_change", args=[event.pk]), data
            )

        assert response.status_code == 302, response.context["adminform"].form.errors
        (message,) = mail.outbox
        assert "was not accepted" in message.subject
        assert "Not a tech event." in message.body
        edit_page = client.get(reverse("events:edit", kwargs={"token": EDIT_TOKEN}))
        assert "Not a tech event." in edit_page.content.decode()

    def test_no_message_without_an_address(
        self, moderator_client, django_capture_on_commit_callbacks
    ):
        event = EventFactory(status=Event.Status.PENDING, organizer_email="")

        with django_capture_on_commit_callbacks(execute=True):
            run_action(moderator_client, "reject", [event])

        assert Event.objects.get().is_rejected
        assert mail.outbox == []


def change_form_data(event):
    return {
        "title": event.title,
        "status": event.status,
        "description": event.description,
        "starts_at_0": timezone.localtime(event.starts_at).strftime("%Y-%m-%d"),
        "starts_at_1": timezone.localtime(event.starts_at).strftime("%H:%M"),
        "time_zone": event.time_zone,
        "mode": event.mode,
        "city": event.city,
        "venue": event.venue,
        "organizer_name": event.organizer_name,
        "organizer_email": event.organizer_email,
        "currency": "BRL",
        "is_free": "on",
        **EVENT_ADMIN_INLINES,
    }


def test_rejected_events_are_in_no_public_output(client):
    python = TechnologyFactory(name="Python", slug="python")
    rejected = EventFactory(
        title="Spammy", city="Xique-Xique", status=Event.Status.REJECTED, technologies=[python]
    )

    outputs = [
        reverse("events:list"),
        reverse("events:past"),
        reverse("events:calendar"),
        reverse("events:rss"),
        reverse("events:atom"),
        reverse("events:embed"),
        reverse("api:event-list"),
        reverse("api:event-list") + "?status=rejected",
        reverse("api:technology-list"),
        reverse("api:city-list"),
        "/sitemap.xml",
    ]
    for url in outputs:
        assert "Spammy" not in client.get(url).content.decode(), url
        assert "Xique" not in client.get(url).content.decode(), url
    for url in [
        rejected.get_absolute_url(),
        reverse("events:event-calendar", kwargs={"slug": rejected.slug}),
        reverse("api:event-detail", args=[rejected.slug]),
        reverse("events:report", kwargs={"slug": rejected.slug}),
    ]:
        assert client.get(url).status_code in (400, 404), url


class TestStatusHistory:
    def doors(self, event):
        return [
            (change.from_status, change.to_status, change.channel, change.user_id)
            for change in StatusChange.objects.filter(event=event)
        ]

    def test_every_door_records_its_changes(self, client, moderator, moderator_client):
        submission(client, title="History")
        event = Event.objects.get()
        run_action(moderator_client, "publish", [event])
        event.refresh_from_db()
        event.edit_token_hash = EventFactory.build(edit_token=EDIT_TOKEN).edit_token_hash
        event.save(update_fields=["edit_token_hash"])
        client.post(reverse("events:cancel", kwargs={"token": EDIT_TOKEN}), {"reason": ""})
        client.post(reverse("events:restore", kwargs={"token": EDIT_TOKEN}))
        client.patch(
            reverse("api:event-detail", args=[event.slug]),
            json.dumps({"status": "cancelled"}),
            content_type="application/json",
            headers={"X-Edit-Token": EDIT_TOKEN},
        )

        assert self.doors(event) == [
            ("", "pending", "web", None),
            ("pending", "published", "admin", moderator.pk),
            ("published", "cancelled", "web", None),
            ("cancelled", "published", "web", None),
            ("published", "cancelled", "api", None),
        ]

    def test_admin_change_form_edits_are_recorded_with_the_staff_member(
        self, moderator, moderator_client
    ):
        event = EventFactory(status=Event.Status.PENDING)
        data = {**change_form_data(event), "status": "published"}

        moderator_client.post(reverse("admin:events_event_change", args=[event.pk]), data)

        assert self.doors(event) == [("pending", "published", "admin", moderator.pk)]
        page = moderator_client.get(reverse("admin:events_event_change", args=[event.pk]))
        assert "Histórico de situação" in page.content.decode()

    def test_an_edit_that_keeps_the_status_records_nothing(self, event):
        # A private field: in approval mode a public change would send the event back.
        services.event_update(
            event=event,
            channel=services.Channel.WEB,
            changes={"organizer_email": "new@example.org"},
        )

        assert not StatusChange.objects.exists()


class TestReports:
    def report(self, client, event, **data):
        return client.post(
            reverse("events:report", kwargs={"slug": event.slug}),
            {"reason": "wrong", "text": "The date is wrong.", **data},
        )

    def test_a_visitor_reports_without_an_account(self, client, event):
        page = client.get(event.get_absolute_url()).content.decode()
        assert reverse("events:report", kwargs={"slug": event.slug}) in page

        response = self.report(client, event)

        assert response.status_code == 200
        assert "Our team will look at your report." in response.content.decode()
        report = Report.objects.get()
        assert (report.event, report.reason, report.text) == (event, "wrong", "The date is wrong.")

    @pytest.mark.parametrize(
        "data", [{"reason": "nonsense"}, {"reason": ""}, {"text": "x" * 501}, {"text": "a\x00"}]
    )
    def test_bad_reports_change_nothing(self, client, event, data):
        response = self.report(client, event, **data)

        assert response.status_code == 200
        assert response.context["form"].errors
        assert not Report.objects.exists()

    def test_reports_are_rate_limited_per_client(self, client, event, settings):
        settings.EVENTS_REPORT_RATE = "2/h"
        self.report(client, event)
        self.report(client, event)

        assert self.report(client, event).status_code == 429
        assert Report.objects.count() == 2

    def test_staff_see_the_count_and_filter_reported_events(self, moderator_client, event):
        quiet = EventFactory(title="Quiet one")
        for _ in range(3):
            services.report_create(event=event, reason="spam")

        listing = moderator_client.get(CHANGELIST)
        reported = moderator_client.get(CHANGELIST, {"reported": "yes"})

        rows = {e.title: e.report_count for e in listing.context["cl"].result_list}
        assert rows == {event.title: 3, quiet.title: 0}
        assert [e.title for e in reported.context["cl"].result_list] == [event.title]
        change = moderator_client.get(reverse("admin:events_event_change", args=[event.pk]))
        assert "Spam ou não é um evento de tecnologia" in change.content.decode()


class TestAdminList:
    def test_upcoming_events_come_first_soonest_first_then_the_past(self, moderator_client):
        now = timezone.now()
        for title, days in [("Past far", -30), ("Next month", 30), ("Past near", -2), ("Soon", 2)]:
            EventFactory(title=title, starts_at=now + timedelta(days=days))

        listing = moderator_client.get(CHANGELIST)

        titles = [e.title for e in listing.context["cl"].result_list]
        assert titles == ["Soon", "Next month", "Past near", "Past far"]

    def test_happening_from_today_filter(self, moderator_client):
        EventFactory(
            title="Earlier today", starts_at=timezone.localtime().replace(hour=0, minute=1)
        )
        EventFactory(title="Last week", starts_at=timezone.now() - timedelta(days=7))

        listing = moderator_client.get(CHANGELIST, {"when": "upcoming"})

        assert [e.title for e in listing.context["cl"].result_list] == ["Earlier today"]


def test_e_mails_have_portuguese_and_english_text():
    event = EventFactory.build(title="X", rejection_reason="Because.")
    from django.template.loader import render_to_string

    for template in ["approved", "rejected"]:
        with translation.override("pt-br"):
            portuguese = render_to_string(f"events/email/{template}.txt", {"event": event})
        with translation.override("en"):
            english = render_to_string(f"events/email/{template}.txt", {"event": event})
        assert portuguese != english
        assert "Olá" in portuguese and "Hello" in english
