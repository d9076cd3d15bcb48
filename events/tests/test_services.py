"""The write services (events/services.py): the rules every door shares."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from events import services
from events.edit_tokens import hash_edit_token
from events.models import DuplicateEvent, Event, Technology

from .factories import EventFactory, TechnologyFactory
from .helpers import FAILING_EMAIL_BACKEND

pytestmark = pytest.mark.django_db

WEB = services.Channel.WEB


def new_event(**fields):
    """An unsaved event as a form or the API hands it to the services."""
    starts_at = timezone.now() + timedelta(days=10)
    return Event(
        **{
            "title": "Python Recife",
            "description": "Monthly meetup.",
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=2),
            "city": "Recife",
            "venue": "Porto Digital",
            "organizer_name": "Grupy PE",
            **fields,
        }
    )


def submit(event=None, **kwargs):
    return services.event_submit(
        event=event or new_event(),
        channel=WEB,
        technology_names=kwargs.pop("technology_names", []),
        request=RequestFactory().get("/"),
        **kwargs,
    )


class TestEventSubmit:
    def test_answers_with_the_token_its_edit_link_and_the_saved_event(self):
        submission = submit()

        event = Event.objects.get()
        assert submission.event == event
        assert event.edit_token_hash == hash_edit_token(submission.edit_token)
        edit_path = reverse("events:edit", kwargs={"token": submission.edit_token})
        assert submission.edit_url == f"http://testserver{edit_path}"

    def test_e_mails_the_edit_link_to_the_organizer(self):
        submission = submit(new_event(organizer_email="org@example.org"))

        assert submission.email_sent is True
        assert mail.outbox[0].to == ["org@example.org"]
        assert submission.edit_url in mail.outbox[0].body

    def test_without_an_e_mail_address_nothing_is_sent(self):
        assert submit().email_sent is False
        assert mail.outbox == []

    def test_a_mail_server_failure_keeps_the_event_and_says_it_was_not_sent(self, settings):
        settings.EMAIL_BACKEND = FAILING_EMAIL_BACKEND

        submission = submit(new_event(organizer_email="org@example.org"))

        assert submission.email_sent is False
        assert Event.objects.filter(pk=submission.event.pk).exists()

    def test_refuses_a_duplicate_ignoring_case_and_spaces_and_saves_nothing(self):
        existing = submit().event

        with pytest.raises(DuplicateEvent) as refusal:
            submit(new_event(title="  python RECIFE ", city="recife", starts_at=existing.starts_at))

        assert refusal.value.code == "duplicate"
        assert refusal.value.existing == existing
        assert Event.objects.count() == 1

    def test_accepts_a_confirmed_duplicate_under_its_own_slug(self):
        existing = submit().event

        copy = submit(new_event(starts_at=existing.starts_at), confirm_duplicate=True).event

        assert copy.slug != existing.slug
        assert Event.objects.count() == 2

    def test_same_title_on_another_day_is_no_duplicate(self):
        existing = submit().event

        next_week = existing.starts_at + timedelta(days=7)
        submit(new_event(starts_at=next_week, ends_at=next_week + timedelta(hours=2)))

        assert Event.objects.count() == 2

    def test_moderated_submissions_wait_when_the_site_requires_approval(self, settings):
        settings.EVENTS_REQUIRE_APPROVAL = True

        moderated = submit(new_event(title="By a visitor")).event
        by_staff = submit(new_event(title="By staff"), moderated=False).event

        assert moderated.status == Event.Status.PENDING
        assert by_staff.status == Event.Status.PUBLISHED

    def test_an_invalid_event_is_refused_and_not_saved(self):
        with pytest.raises(ValidationError) as refusal:
            submit(new_event(city=""))

        assert "city" in refusal.value.message_dict
        assert not Event.objects.exists()


class TestEventCreate:
    def test_stores_the_token_only_as_its_hash(self):
        event = new_event()

        token = services.event_create(event=event, channel=WEB)

        assert token not in {event.edit_token_hash, event.slug}
        assert Event.objects.by_edit_token(token).get() == event

    def test_technologies_are_matched_ignoring_case_and_created_when_new(self):
        TechnologyFactory(name="Python")

        event = new_event()
        services.event_create(event=event, channel=WEB, technology_names=["python", "Elixir"])

        assert sorted(event.technologies.values_list("name", flat=True)) == ["Elixir", "Python"]
        assert Technology.objects.count() == 2

    def test_the_event_is_found_by_its_technologies_without_accents(self):
        event = new_event(title="Encontro", description="Conversa.")
        services.event_create(event=event, channel=WEB, technology_names=["Programação"])

        assert list(Event.objects.search("programacao")) == [event]


class TestEventUpdate:
    def test_technologies_left_out_stay_as_they_are(self):
        event = EventFactory(technologies=[TechnologyFactory(name="Go")])

        services.event_update(event=event, channel=WEB, changes={"title": "Renamed"})

        assert [technology.name for technology in event.technologies.all()] == ["Go"]

    def test_new_technologies_replace_the_old_ones_and_the_search_follows(self):
        event = EventFactory(technologies=[TechnologyFactory(name="Go")])

        services.event_update(event=event, channel=WEB, changes={}, technology_names=["Rust"])

        assert list(Event.objects.search("rust")) == [event]
        assert not Event.objects.search("go").exists()

    def test_an_invalid_change_is_refused_and_not_saved(self):
        event = EventFactory(title="Before")
        changes = {"title": "After", "ends_at": event.starts_at - timedelta(hours=1)}

        with pytest.raises(ValidationError):
            services.event_update(event=event, channel=WEB, changes=changes)

        assert Event.objects.get(pk=event.pk).title == "Before"


class TestEventCancel:
    def test_a_published_event_becomes_cancelled(self):
        event = EventFactory()

        services.event_cancel(event=event, channel=WEB)

        assert Event.objects.get(pk=event.pk).status == Event.Status.CANCELLED

    @pytest.mark.parametrize("status", [Event.Status.PENDING, Event.Status.CANCELLED])
    def test_only_published_events_can_be_cancelled(self, status):
        event = EventFactory(status=status)

        with pytest.raises(ValidationError) as refusal:
            services.event_cancel(event=event, channel=WEB)

        assert refusal.value.code == "not_cancellable"
        assert Event.objects.get(pk=event.pk).status == status


def test_deleting_an_event_removes_it():
    event = EventFactory()

    services.event_delete(event=event, channel=WEB)

    assert not Event.objects.exists()


def test_a_new_edit_token_replaces_the_old_one():
    event = EventFactory(edit_token="o" * 43)

    token = services.event_issue_edit_token(event=event)

    assert not Event.objects.by_edit_token("o" * 43).exists()
    assert Event.objects.by_edit_token(token).get() == event


def test_a_duplicated_event_is_a_pending_copy_with_the_same_technologies(settings):
    settings.LANGUAGE_CODE = "en"
    python = TechnologyFactory(name="Python")
    event = EventFactory(title="Python Recife", technologies=[python])

    copy = services.event_duplicate(event=event)

    assert copy.pk != event.pk and copy.slug != event.slug
    assert copy.status == Event.Status.PENDING
    assert copy.title == "Python Recife (copy)"
    assert list(copy.technologies.all()) == [python]
    assert copy.edit_token_hash != event.edit_token_hash


def test_renaming_a_technology_renames_it_in_the_search_of_its_events():
    technology = TechnologyFactory(name="Golang")
    event = EventFactory(technologies=[technology])
    technology.name = "Go language"

    services.technology_save(technology=technology)

    assert technology.slug == "go-language"
    assert list(Event.objects.search("language")) == [event]


def test_deleting_a_technology_removes_it_from_the_search_of_its_events():
    technology = TechnologyFactory(name="Haskell")
    EventFactory(technologies=[technology])

    services.technology_delete(technology=technology)

    assert not Event.objects.search("haskell").exists()
