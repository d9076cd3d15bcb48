"""Property-based: requests generated from the OpenAPI document (valid and invalid
ones) never meet a server error nor an answer that the document does not describe.

Every check runs but one, "schema-valid data is accepted": the API rightly refuses
with 400 what a schema cannot express (an unknown technology slug, an end before the
start, a status change the event's state does not allow, a duplicate event), and
staff's request bodies are among the documented ones while the generated requests
are anonymous.
"""

from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, settings
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    ensure_resource_availability,
    positive_data_acceptance,
)

from events.api.serializers import CitySerializer
from events.models import Event
from events.tests.factories import EventFactory, TechnologyFactory
from events.tests.helpers import EDIT_TOKEN

WSGI_APP = WSGIHandler()

with override_settings(ALLOWED_HOSTS=["localhost"]):
    schema = schemathesis.openapi.from_wsgi(f"{reverse('api:schema')}?format=json", WSGI_APP)


EXCLUDED_CHECKS = [positive_data_acceptance]
# The WSGI transport hands the body over as sent: ask for it uncompressed.
IDENTITY = {"Accept-Encoding": "identity"}


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
    case.call_and_validate(headers=IDENTITY, excluded_checks=EXCLUDED_CHECKS)


CREATE = "POST /api/events/"


def example_body(component):
    properties = schema.raw_schema["components"]["schemas"][component]["properties"]
    return {name: definition["example"] for name, definition in properties.items()}


EXAMPLE_BODIES = {
    # Scenarios share the database: the example is a confirmed duplicate.
    CREATE: {**example_body("EventSubmissionRequest"), "confirm_duplicate": True},
    "PUT /api/events/{slug}/": example_body("EventOrganizerEditRequest"),
    "PUT /api/events/by-token/{token}/": example_body("EventOrganizerEditRequest"),
}


class Scenarios(schema.as_state_machine()):
    """Sequences that follow the document's links: create, then read, change and
    delete with the slug, the edit token and the ETag of the answers."""

    answers = Counter()

    def setup(self):
        self.examples = Counter()
        self.slugs_by_token = {}
        self.deleted = set()

    def addresses_deleted_event(self, case):
        parameters = case.path_parameters or {}
        token = parameters.get("token") or (case.headers or {}).get("X-Edit-Token")
        return bool({parameters.get("slug"), token, self.slugs_by_token.get(token)} & self.deleted)

    def after_call(self, response, case):
        super().after_call(response, case)
        if case.operation.label == CREATE and response.status_code == 201:
            created = response.json()
            self.slugs_by_token[created["edit_token"]] = created["slug"]
        elif case.method == "DELETE" and response.status_code == 204 and "cover" not in case.path:
            parameters = case.path_parameters or {}
            token = parameters.get("token") or (case.headers or {}).get("X-Edit-Token")
            self.deleted |= {parameters.get("slug"), token, self.slugs_by_token.get(token)} - {None}

    def before_call(self, case):
        # Generated bodies rarely pass what a schema cannot say (a year from 1970 to
        # 2100, text with letters, not only spaces): every other creation and
        # replacement of a scenario sends the document's own example, so that
        # scenarios go on along the links.
        example = EXAMPLE_BODIES.get(case.operation.label)
        if example is not None:
            self.examples[case.operation.label] += 1
            if self.examples[case.operation.label] % 2 == 0:
                case.body = example

    def call(self, case, **kwargs):
        response = case.call(headers=IDENTITY, **kwargs)
        self.answers[(case.operation.label, response.status_code)] += 1
        return response

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        excluded = EXCLUDED_CHECKS
        if self.addresses_deleted_event(case):
            # An event has two addresses, by slug and by edit token: the check sees a
            # DELETE on one but not that it removed the other, and would take the
            # right 404 for a lost event.
            excluded = [*excluded, ensure_resource_availability]
        case.validate_response(
            response,
            additional_checks=additional_checks,
            excluded_checks=excluded,
            transport_kwargs=kwargs or None,
            recorder=self.recorder,
        )


def test_stateful_scenarios_honour_the_schema(live_api):
    Scenarios.answers.clear()

    Scenarios.run(
        settings=settings(
            max_examples=100,
            stateful_step_count=15,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )

    answers = Scenarios.answers
    assert sum(answers.values()) >= 1000, answers
    assert not [answer for answer in answers if answer[1] >= 500], answers
    # The links were followed: an event created, read, changed and deleted.
    for operation, status in [
        (CREATE, 201),
        ("GET /api/events/{slug}/", 200),
        ("PUT /api/events/{slug}/", 200),
        ("PATCH /api/events/{slug}/", 200),
        ("DELETE /api/events/{slug}/", 204),
        ("GET /api/events/by-token/{token}/", 200),
        ("PUT /api/events/by-token/{token}/", 200),
        ("PATCH /api/events/by-token/{token}/", 200),
        ("DELETE /api/events/by-token/{token}/", 204),
    ]:
        assert answers[(operation, status)], (operation, status, sorted(answers.items()))


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
