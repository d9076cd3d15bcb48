"""Line breaks and other control characters in texts and filters: single-line fields
refuse them, and whatever an event or a filter holds, its iCalendar stays well formed
(no forged properties, never a 500)."""

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from events.models import Event, Technology

from .factories import EventFactory, TechnologyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# Every character PostgreSQL can store (all but NUL), line breaks and controls often.
LINE_BREAKS = ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85"]
LINE_BREAKS += ["\u2028", "\u2029"]
ANY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_characters="\x00"),
        st.sampled_from(LINE_BREAKS + [":", ";", ",", "\\", "\t", "\x7f", "\x9f"]),
    ),
    max_size=60,
)
TEXT_WITH_A_LINE_BREAK = st.builds(
    lambda before, line_break, after: f"{before}{line_break}{after}",
    st.text(alphabet="abc ", min_size=1, max_size=5),
    st.sampled_from(LINE_BREAKS),
    st.text(alphabet="abc ", min_size=1, max_size=5),
)

SINGLE_LINE_FIELDS = ["title", "city", "venue", "address", "organizer_name"]
VEVENT_PROPERTIES = {
    "UID",
    "SEQUENCE",
    "SUMMARY",
    "DESCRIPTION",
    "DTSTART",
    "DTEND",
    "DTSTAMP",
    "LOCATION",
    "URL",
    "CATEGORIES",
    "STATUS",
    "CREATED",
    "LAST-MODIFIED",
}


def assert_well_formed(content):
    """One VEVENT at most, with only the properties the site writes, and no line
    ending anywhere but at the end of a content line."""
    assert b"\r" not in content.replace(b"\r\n", b"")
    assert b"\n" not in content.replace(b"\r\n", b"")
    text = content.decode()
    assert not any(character in text for character in "\x85\u2028\u2029\x0b\x0c")
    calendar = icalendar.Calendar.from_ical(content)
    for vevent in calendar.events:
        assert set(vevent) <= VEVENT_PROPERTIES
    return calendar


@pytest.mark.parametrize("field", SINGLE_LINE_FIELDS)
@given(value=TEXT_WITH_A_LINE_BREAK)
@settings(max_examples=15)
def test_single_line_fields_refuse_any_line_break(field, value):
    event = EventFactory.build(**{field: value})

    with pytest.raises(ValidationError) as error:
        event.full_clean(exclude=["slug", "edit_token_hash"])

    assert field in error.value.message_dict


@given(name=TEXT_WITH_A_LINE_BREAK)
@settings(max_examples=15)
def test_technology_names_refuse_any_line_break(name):
    with pytest.raises(ValidationError):
        Technology(name=name).full_clean()


def test_the_submission_form_refuses_a_title_with_a_line_break(client):
    response = client.post(reverse("events:create"), {"title": "Python\nRecife"})

    assert "Write this on a single line." in response.context["form"].errors["title"]


def test_the_api_refuses_a_title_with_a_line_break(client, db):
    response = client.post(
        reverse("api:event-list"), {"title": "Python\rSUMMARY:forged"}, "application/json"
    )

    assert response.status_code == 400
    assert "title" in response.json()["errors"]


@given(
    title=ANY_TEXT,
    description=ANY_TEXT,
    city=ANY_TEXT,
    venue=ANY_TEXT,
    address=ANY_TEXT,
    technology=ANY_TEXT,
)
@settings(max_examples=60)
def test_an_event_ics_is_well_formed_whatever_its_texts_hold(
    client, title, description, city, venue, address, technology
):
    # Saved without validation: older rows and the admin must not break the calendar.
    # (The suffixes keep the database's own constraints satisfied.)
    number = Technology.objects.count()
    event = EventFactory(
        title=title,
        description=description,
        city=f"{city}c",
        venue=f"{venue}v",
        address=address,
        technologies=[TechnologyFactory(name=f"{technology}{number}", slug=f"t{number}")],
    )

    response = client.get(reverse("events:event-calendar", kwargs={"slug": event.slug}))

    assert response.status_code == 200
    (vevent,) = assert_well_formed(response.content).events
    assert "\n" not in str(vevent["SUMMARY"])
    assert "\r" not in str(vevent["SUMMARY"]) and "\r" not in str(vevent["LOCATION"])


def test_an_event_title_with_a_line_break_keeps_its_words_on_one_line(client):
    event = EventFactory(title="Python\nRecife")

    response = client.get(reverse("events:event-calendar", kwargs={"slug": event.slug}))

    calendar = assert_well_formed(response.content)
    assert calendar["NAME"] == "Python Recife"
    assert calendar.events[0]["SUMMARY"] == "Python Recife"


@pytest.mark.parametrize("parameter", ["search", "city"])
@given(value=ANY_TEXT)
@settings(max_examples=40)
def test_any_filter_value_gives_a_well_formed_calendar_or_a_400(client, parameter, value):
    EventFactory(city="Recife")

    response = client.get(reverse("events:calendar"), {parameter: value})

    assert response.status_code in (200, 400)
    if response.status_code == 200:
        calendar = assert_well_formed(response.content)
        assert set(calendar) >= {"NAME", "X-WR-CALNAME"}


@pytest.mark.parametrize(
    "query", ["search=a%0Ab", "city=x%0DNAME:forged", "city=x%0D%0AX-WR-CALNAME:forged"]
)
def test_a_filter_with_a_line_break_is_ignored_not_a_forged_calendar(client, query):
    # Calendar applications cannot show an error: the invalid filter is dropped.
    response = client.get(f"{reverse('events:calendar')}?{query}")

    assert response.status_code == 200
    calendar = assert_well_formed(response.content)
    assert "forged" not in str(calendar["X-WR-CALNAME"])


def test_the_calendar_status_stays_confirmed_whatever_the_title(client):
    event = EventFactory(title="x\r\nSTATUS:CANCELLED", status=Event.Status.PUBLISHED)

    response = client.get(reverse("events:event-calendar", kwargs={"slug": event.slug}))

    (vevent,) = assert_well_formed(response.content).events
    assert vevent["STATUS"] == "CONFIRMED"
