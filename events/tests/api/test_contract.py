"""Property-based: requests generated from the OpenAPI document (valid and invalid
ones) never meet a server error nor an answer that the document does not describe."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, settings
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import positive_data_acceptance

from events.api.serializers import CitySerializer
from events.models import Event
from events.tests.factories import EventFactory, TechnologyFactory
from events.tests.helpers import EDIT_TOKEN

WSGI_APP = WSGIHandler()

with override_settings(ALLOWED_HOSTS=["localhost"]):
    schema = schemathesis.openapi.from_wsgi(f"{reverse('api:schema')}?format=json", WSGI_APP)


@pytest.fixture
def live_api(db, settings):
    """Some events to find, and the app ready to answer generated requests."""
    settings.ALLOWED_HOSTS = ["localhost"]
    # Throttling would answer most generated requests with (documented) 429s.
    settings.API_CREATE_THROTTLE_RATE = "100000/h"
    settings.EVENTS_EDIT_TOKEN_RATE = "100000/h"
    python = TechnologyFactory(name="Python", slug="python")
    EventFactory(technologies=[python], edit_token=EDIT_TOKEN)
    EventFactory(status=Event.Status.PENDING)
    EventFactory(mode=Event.Mode.ONLINE, city="", venue="", online_url="https://example.org")
    # As Django's test client does: closing the connection after each request would
    # end the transaction that isolates the test.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_honours_its_schema(case, live_api):
    # Every check but "schema-valid data is accepted": the API rightly refuses with 400
    # what a schema cannot express (an unknown technology slug, an end before the start,
    # a status that only staff may set, a duplicate event).
    # The WSGI transport hands the body over as sent: ask for it uncompressed.
    case.call_and_validate(
        headers={"Accept-Encoding": "identity"}, excluded_checks=[positive_data_acceptance]
    )


def test_the_contract_check_fails_on_an_answer_the_schema_does_not_describe(live_api, monkeypatch):
    EventFactory(city="Recife")
    monkeypatch.setattr(CitySerializer, "to_representation", lambda self, city: {"city": 1})
    case = schema["/api/cities/"]["GET"].Case()

    with pytest.raises(FailureGroup, match="Response violates schema"):
        case.call_and_validate()


def test_unicode_technology_slugs_match_the_documented_pattern(live_api):
    EventFactory(technologies=[TechnologyFactory(name="Liderança", slug="liderança")])
    case = schema["/api/technologies/"]["GET"].Case()

    response = case.call_and_validate(headers={"Accept-Encoding": "identity"})

    assert "liderança" in {technology["slug"] for technology in response.json()}


def test_addresses_with_unicode_letters_match_the_documented_format(live_api):
    iri = "https://example.org/segurança-da-informação"
    event = EventFactory(url=iri, tickets_url=iri, mode=Event.Mode.HYBRID, online_url=iri)
    case = schema["/api/events/{slug}/"]["GET"].Case(path_parameters={"slug": event.slug})

    response = case.call_and_validate(headers={"Accept-Encoding": "identity"})

    assert response.json()["online_url"] == iri
