"""Technology names are one technology when their slugs are equal, a rule that the
database enforces (the slug is unique) and that includes every database's idea of
"equal ignoring case": no name pair answers a 500 on the site form or the API."""

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from events import services
from events.models import Technology, technology_slug

pytestmark = pytest.mark.django_db

# Letters whose case rules differ between Python, Unicode and databases: Greek
# sigma (final ς), Turkish dotted and dotless i, German sharp s, ligatures, Kelvin.
TRICKY_LETTERS = "ΣσςΑαİIıiẞßﬁKkKÅåǅǄǆΩΩωµΜ"
NAME = st.text(
    alphabet=st.one_of(st.sampled_from(TRICKY_LETTERS), st.characters(categories=["L", "N"])),
    min_size=1,
    max_size=12,
)
CASE_VARIANTS = [str.upper, str.lower, str.title, str.swapcase, str.casefold, lambda n: n]


def names_with_a_variant():
    return st.tuples(NAME, st.sampled_from(CASE_VARIANTS)).map(
        lambda pair: (pair[0], pair[1](pair[0]))
    )


@given(names=names_with_a_variant())
@settings(max_examples=200)
def test_a_name_and_any_case_variant_are_one_technology_or_two_never_an_error(names):
    first, second = names
    if not technology_slug(first) or not technology_slug(second):
        return
    technologies = services.technologies_from_names([first, second])

    slugs = {technology_slug(first), technology_slug(second)}
    assert len(technologies) == len(slugs)
    assert set(Technology.objects.filter(slug__in=slugs).values_list("slug", flat=True)) == slugs


@pytest.mark.postgres
@given(names=names_with_a_variant())
@settings(max_examples=300)
def test_names_equal_under_postgresql_lower_have_one_slug(names):
    first, second = names
    with connection.cursor() as cursor:
        cursor.execute("SELECT lower(%s) = lower(%s)", [first, second])
        (equal_in_database,) = cursor.fetchone()
    if equal_in_database:
        assert technology_slug(first) == technology_slug(second)


@pytest.mark.parametrize(("first", "second"), [("ΑΣ", "Ασ"), ("İstanbul", "istanbul")])
def test_names_that_differ_only_by_case_rules_are_one_technology(first, second):
    assert services.technologies_from_names([first]) == services.technologies_from_names([second])
    assert Technology.objects.count() == 1


def test_the_api_accepts_greek_names_that_differ_by_final_sigma(client):
    services.technologies_from_names(["ΑΣ"])
    event = {
        "title": "Meetup",
        "description": "Talks.",
        "starts_at": "2030-06-10T19:00:00-03:00",
        "mode": "online",
        "online_url": "https://example.org/live",
        "organizer_name": "Grupo",
        "technologies": ["Ασ", "ας"],
    }

    response = client.post(reverse("api:event-list"), event, "application/json")

    assert response.status_code == 201
    assert [t["slug"] for t in response.json()["technologies"]] == [technology_slug("ΑΣ")]


def test_the_site_form_accepts_greek_names_that_differ_by_final_sigma(client, settings):
    settings.EVENTS_FORM_MIN_SECONDS = 0
    services.technologies_from_names(["ΑΣ"])
    form_page = client.get(reverse("events:create"))
    data = {
        "title": "Meetup",
        "description": "Talks.",
        "starts_at": "2030-06-10T19:00",
        "mode": "in_person",
        "city": "Recife",
        "venue": "Porto Digital",
        "organizer_name": "Grupo",
        "is_free": "True",
        "technology_names": "Ασ, Python",
        "rendered_at": form_page.context["form"].initial["rendered_at"],
    }

    response = client.post(reverse("events:create"), data)

    assert response.status_code == 200
    assert "edit_url" in response.context
    assert Technology.objects.count() == 2
