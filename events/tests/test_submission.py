import re

import pytest
from django.core import mail
from django.core.validators import EmailValidator, RegexValidator, URLValidator
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.edit_tokens import hash_edit_token
from events.forms import EventSubmissionForm
from events.models import Event

from .factories import EventFactory
from .helpers import FAILING_EMAIL_BACKEND, submission

pytestmark = pytest.mark.django_db

CREATE = reverse("events:create")
EDIT_URL = re.compile(r"http://testserver/events/edit/([A-Za-z0-9_-]{43})/")


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    settings.EVENTS_FORM_MIN_SECONDS = 0


class TestSubmission:
    def test_form_has_a_label_for_every_field(self, client):
        content = client.get(CREATE).content.decode()
        for field in ["title", "description", "starts_at", "city", "organizer_name"]:
            assert f'for="id_{field}"' in content

    def test_publishes_the_event_and_shows_the_edit_link_once(self, client):
        response = submission(client)
        assert response.status_code == 200
        token = EDIT_URL.search(response.content.decode()).group(1)
        event = Event.objects.get()
        assert event.status == Event.Status.PUBLISHED
        assert [t.name for t in event.technologies.all()] == ["Django", "Python"]
        assert event.edit_token_hash == hash_edit_token(token)
        assert token not in str(Event.objects.values().get())
        assert response["Cache-Control"] == "no-store"
        assert client.get(event.get_absolute_url()).status_code == 200
        assert token not in client.get(event.get_absolute_url()).content.decode()

    def test_edit_link_is_emailed_when_an_address_is_given(self, client):
        response = submission(client, organizer_email="org@example.org")
        token = EDIT_URL.search(response.content.decode()).group(1)
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["org@example.org"]
        assert f"/events/edit/{token}/" in mail.outbox[0].body
        assert "Python Recife" in mail.outbox[0].subject

    def test_without_a_mail_server_nothing_is_sent_and_the_page_says_so(self, english, settings):
        settings.EMAIL_ENABLED = False

        response = submission(english, organizer_email="org@example.org")

        assert mail.outbox == []
        assert "This site does not send e-mails" in response.content.decode()

    def test_no_email_without_an_address(self, client):
        submission(client)
        assert mail.outbox == []

    def test_approval_mode_keeps_new_events_pending(self, client, settings):
        settings.EVENTS_REQUIRE_APPROVAL = True
        response = submission(client)
        event = Event.objects.get()
        assert event.status == Event.Status.PENDING
        assert 'class="alert alert-info"' in response.content.decode()
        assert client.get(event.get_absolute_url()).status_code == 404
        assert client.get(reverse("events:list")).context["event_list"].count() == 0

    def test_honeypot_rejects_bots_politely(self, client):
        response = submission(client, homepage="http://spam.example")
        assert response.status_code == 200
        assert response.context["form"].errors["homepage"]
        assert Event.objects.count() == 0

    def test_too_fast_submissions_are_rejected(self, client, settings):
        settings.EVENTS_FORM_MIN_SECONDS = 60
        response = submission(client)
        assert "rendered_at" in response.context["form"].errors
        assert Event.objects.count() == 0

    def test_forged_timestamps_are_rejected(self, client):
        response = submission(client, rendered_at="1700000000:forged")
        assert "rendered_at" in response.context["form"].errors
        assert Event.objects.count() == 0

    def test_warns_about_a_duplicate_and_accepts_it_once_confirmed(self, client):
        submission(client)
        warned = submission(client, title="  python recife ")
        assert warned.context["form"].duplicate is not None
        assert Event.objects.count() == 1
        submission(client, confirm_duplicate="on")
        assert Event.objects.count() == 2
        assert len({event.slug for event in Event.objects.all()}) == 2

    def test_submissions_are_rate_limited_per_client(self, client, settings):
        settings.EVENTS_SUBMISSION_RATE = "2/h"
        for title in ["One", "Two"]:
            assert submission(client, title=title).status_code == 200
        response = submission(client, title="Three")
        assert response.status_code == 429
        assert "Aguarde alguns minutos e tente de novo" in response.content.decode()
        assert Event.objects.count() == 2


class TestBadInput:
    @pytest.mark.parametrize(
        "overrides,field",
        [
            ({"title": "x" * 201}, "title"),
            ({"title": ""}, "title"),
            ({"starts_at": "not a date"}, "starts_at"),
            ({"starts_at": "2026-02-30T10:00"}, "starts_at"),
            ({"ends_at": "2000-01-01T10:00"}, "ends_at"),
            ({"starts_at": "9999-12-31T23:59", "ends_at": ""}, "starts_at"),
            ({"starts_at": "0001-01-01T00:00", "ends_at": ""}, "starts_at"),
            ({"ends_at": "9999-12-31T23:59"}, "ends_at"),
            ({"url": "javascript:alert(1)"}, "url"),
            ({"mode": "online", "online_url": ""}, "online_url"),
            ({"mode": "teleport"}, "mode"),
            ({"city": ""}, "city"),
            ({"organizer_email": "not-an-email"}, "organizer_email"),
            ({"description": "x" * 10_001}, "description"),
            ({"technology_names": ",".join(f"t{i}" for i in range(11))}, "technology_names"),
            ({"technology_names": "y" * 51}, "technology_names"),
            ({"technology_names": "Python, !!!"}, "technology_names"),
        ],
    )
    def test_gets_a_field_error_and_stores_nothing(self, client, overrides, field):
        response = submission(client, **overrides)
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert 'aria-invalid="true"' in response.content.decode()
        assert Event.objects.count() == 0

    def test_script_in_fields_is_stored_and_shown_as_text(self, client):
        submission(client, title="<script>alert(1)</script>", description="<b>bold</b>")
        event = Event.objects.get()
        content = client.get(event.get_absolute_url()).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
        assert "&lt;b&gt;bold&lt;/b&gt;" in content

    def test_empty_post_shows_errors(self, client):
        response = client.post(CREATE, {})
        assert response.status_code == 200
        assert response.context["form"].errors
        assert Event.objects.count() == 0

    def test_existing_events_are_not_changed_by_a_rejected_duplicate(self, client):
        existing = EventFactory(title="Python Recife", city="Recife")
        submission(client, starts_at=existing.starts_at.strftime("%Y-%m-%dT%H:%M"), url="ftp://x")
        existing.refresh_from_db()
        assert Event.objects.count() == 1


def test_mail_server_failure_still_shows_the_link(client, settings, caplog):
    settings.EMAIL_BACKEND = FAILING_EMAIL_BACKEND
    response = submission(client, organizer_email="org@example.org")
    content = response.content.decode()
    assert response.status_code == 200
    assert EDIT_URL.search(content)
    assert "copie-o antes de sair desta página" in content
    assert Event.objects.count() == 1
    assert "org@example.org" not in caplog.text


def test_the_page_with_the_new_edit_link_offers_no_language_switch(client):
    # Switching language reloads the page, and the link is shown only once.
    content = submission(client).content.decode()
    assert EDIT_URL.search(content)
    assert "language-switch" not in content
    assert "language-switch" in client.get(CREATE).content.decode()


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"title": "Meetup\x08 bad"}, "title"),
        ({"description": "Line\x1b[31m red"}, "description"),
        ({"venue": "Hall\x7f"}, "venue"),
        ({"technology_names": "Py\x01thon"}, "technology_names"),
        ({"technology_names": "#" * 50}, "technology_names"),
    ],
)
def test_invisible_characters_and_overlong_technology_slugs_are_refused(client, overrides, field):
    response = submission(client, **overrides)
    assert field in response.context["form"].errors
    assert Event.objects.count() == 0


def assert_every_error_is_shown_and_announced(response):
    """Each error message is on the page, and every aria-describedby names an element."""
    page = response.content.decode()
    messages = [
        message for errors in response.context["form"].errors.values() for message in errors
    ]
    assert messages
    for message in messages:
        assert escape(message) in page, message
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    for described_by in re.findall(r'aria-describedby="([^"]+)"', page):
        assert set(described_by.split()) <= ids, described_by
    assert 'role="alert"' in page


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": ""},
        {"starts_at": "not a date"},
        {"url": "notaurl"},
        {"mode": "online", "online_url": ""},
        {"organizer_email": "not-an-email"},
        {"homepage": "http://spam.example"},
        {"rendered_at": "1700000000:forged"},
    ],
)
def test_every_refusal_is_shown_and_announced(client, overrides):
    assert_every_error_is_shown_and_announced(submission(client, **overrides))


def test_a_too_fast_submission_says_why(client, english, settings):
    settings.EVENTS_FORM_MIN_SECONDS = 60

    response = submission(client)

    assert_every_error_is_shown_and_announced(response)
    assert "The form was sent too quickly or has expired." in response.content.decode()
    # The hidden timestamp describes nothing: hidden inputs are not announced.
    assert not re.search(r'<input type="hidden"[^>]*aria-describedby', response.content.decode())


def test_a_duplicate_warning_is_shown_and_announced(client):
    submission(client)

    assert_every_error_is_shown_and_announced(submission(client))


def test_the_error_summary_links_to_each_field_in_error(client):
    response = submission(client, title="", organizer_email="not-an-email")

    page = response.content.decode()
    assert 'href="#id_title"' in page
    assert 'href="#id_organizer_email"' in page


def typed_input(page, name):
    return re.search(rf'<input type="([^"]+)" name="{name}"[^>]*>', page)


@pytest.mark.parametrize(
    ("field", "typed", "input_type"),
    [
        ("url", "notaurl", "text"),
        ("url", "example.org", "text"),
        ("url", "https://example.org/", "url"),
        ("starts_at", "garbage", "text"),
        ("starts_at", "2030-02-30T19:00", "datetime-local"),
        ("organizer_email", "not-an-email", "text"),
        ("organizer_email", "someone@example.org", "email"),
    ],
)
def test_typed_inputs_only_get_back_values_of_their_type(client, field, typed, input_type):
    response = submission(client, title="", **{field: typed})

    assert typed_input(response.content.decode(), field).group(1) == input_type


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=st.text(max_size=40))
def test_any_typed_value_comes_back_in_an_input_that_accepts_it(client, typed):
    form = EventSubmissionForm(data={"url": typed, "starts_at": typed, "organizer_email": typed})
    for name, validator in [
        ("url", URLValidator()),
        ("starts_at", RegexValidator(r"^\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$")),
        ("organizer_email", EmailValidator()),
    ]:
        html = str(form[name])
        value = form[name].value()
        if 'type="text"' in html or not value:
            continue
        validator(value)
