"""The submission form can show the event's page before anything is saved."""

import re
import zoneinfo

import pytest
from django.urls import reverse

from events.models import Event, Series

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
    assert 'class="series-dates"' not in content
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


def series_preview(client, **overrides):
    return submission(
        client,
        preview="1",
        **{"repeats": "weekly", "repeat_interval": "1", "repeat_count": "4", **overrides},
    )


def listed_dates(content):
    dates = re.search(r'<ul class="series-dates">(.*?)</ul>', content, re.DOTALL).group(1)
    return re.findall(r'<time datetime="([^"]+)"', dates)


def test_a_series_preview_lists_the_dates_that_publishing_creates_and_saves_nothing(client):
    preview = series_preview(
        client,
        starts_at="2030-06-10T19:00",
        ends_at="2030-06-10T21:00",
        time_zone="America/Manaus",
    )

    content = preview.content.decode()
    assert "Preview." in content and "4 dates" in content
    listed = listed_dates(content)
    assert listed[0] == "2030-06-10T19:00:00-04:00"
    assert not Event.objects.exists()
    assert not Series.objects.exists()

    client.post(CREATE, hidden_fields(content))

    manaus = zoneinfo.ZoneInfo("America/Manaus")
    created = Event.objects.order_by("starts_at").values_list("starts_at", flat=True)
    assert listed == [starts_at.astimezone(manaus).isoformat() for starts_at in created]


def test_a_series_preview_whose_later_date_cannot_be_saved_explains_why_and_saves_nothing(
    client,
):
    # The sixth weekly date is in 2101, past the last year events may have.
    response = series_preview(
        client, starts_at="2100-12-02T19:00", ends_at="2100-12-02T21:00", repeat_count="6"
    )

    assert "Preview." not in response.content.decode()
    (message,) = response.context["form"].errors["repeat_count"]
    assert "2101" in message
    assert not Event.objects.exists()
    assert not Series.objects.exists()


def test_a_series_preview_with_an_invalid_rule_explains_it_at_its_field(client):
    response = series_preview(client, repeats="monthly_weekday", weekday_position="9")

    assert "Preview." not in response.content.decode()
    assert response.context["form"].errors["weekday_position"]
    assert not Event.objects.exists()
