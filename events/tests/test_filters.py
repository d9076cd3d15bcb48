"""The filter form as a browser sends it: every field present, most of them blank."""

import pytest
from django.urls import reverse

from .factories import EventFactory, TechnologyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BLANK_FORM = {
    "search": "",
    "city": "",
    "technology": "",
    "mode": "",
    "is_free": "",
    "starts_after": "",
    "starts_before": "",
}


def test_submitting_the_filter_form_untouched_lists_every_event(client):
    free, paid = EventFactory(is_free=True), EventFactory(is_free=False)

    response = client.get(reverse("events:list"), BLANK_FORM)

    assert response.status_code == 200
    assert list(response.context["event_list"]) == [free, paid]


def test_any_technology_and_any_price_are_the_preselected_choices(client):
    response = client.get(reverse("events:list"))

    form = response.context["filterset"].form
    assert form["is_free"].value() in (None, "")
    content = response.content.decode()
    assert '<option value="" selected>Any price</option>' in content
    assert '<option value="" selected>Any mode</option>' in content


def test_technology_filter_ignores_the_blank_choice_next_to_a_real_one(client):
    python = TechnologyFactory(name="Python", slug="python")
    with_python = EventFactory(technologies=[python])
    EventFactory()

    response = client.get(reverse("events:list"), {"technology": ["", "python"]})

    assert list(response.context["event_list"]) == [with_python]
    assert response.context["canonical_url"] == "http://testserver/en/?technology=python"
