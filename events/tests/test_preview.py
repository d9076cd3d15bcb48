"""The submission form can show the event's page before anything is saved."""

import re

import pytest
from django.urls import reverse

from events.models import Event

from .helpers import submission

CREATE = reverse("events:create")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    settings.EVENTS_FORM_MIN_SECONDS = 0


def hidden_fields(content):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', content))


def test_preview_shows_the_page_and_saves_nothing(client):
    response = submission(
        client, preview="1", is_free="False", price_from="30", price_to="120", title="Rust Recife"
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Preview." in content
    assert "<h1" in content and "Rust Recife" in content
    assert "R$\u00a030–120" in content
    assert "More events about</span> Python" in content
    assert 'name="robots" content="noindex' in content
    assert not Event.objects.exists()


def test_publishing_from_the_preview_saves_what_was_previewed(client):
    preview = submission(client, preview="1", title="Rust Recife")
    data = hidden_fields(preview.content.decode())

    response = client.post(CREATE, data)

    assert response.status_code == 200
    event = Event.objects.get()
    assert event.title == "Rust Recife"
    assert [t.name for t in event.technologies.all()] == ["Django", "Python"]


def test_going_back_from_the_preview_keeps_what_was_typed(client):
    preview = submission(client, preview="1", title="Rust Recife")
    data = hidden_fields(preview.content.decode())

    response = client.post(CREATE, {**data, "edit": "1"})

    assert 'value="Rust Recife"' in response.content.decode()
    assert not Event.objects.exists()


def test_an_invalid_form_shows_its_errors_instead_of_a_preview(client):
    response = submission(client, preview="1", title="")

    assert "Preview." not in response.content.decode()
    assert "title" in response.context["form"].errors
