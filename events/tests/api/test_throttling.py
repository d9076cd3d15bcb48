import pytest
from django.core.cache import cache
from django.urls import reverse

from events.models import Event
from events.tests.helpers import EDIT_TOKEN

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api:event-list")


def create(client, payload, number, **kwargs):
    return client.post(LIST_URL, {**payload, "title": f"Event {number}"}, **kwargs)


def test_anonymous_creation_is_limited_per_client(api_client, event_payload, settings):
    settings.API_CREATE_THROTTLE_RATE = "3/h"

    statuses = [create(api_client, event_payload, number).status_code for number in range(4)]
    refused = create(api_client, event_payload, 4, headers={"Accept-Language": "en"})

    assert statuses == [201, 201, 201, 429]
    # Each client's hour ends at a moment of its own: wait until then at most.
    assert 0 <= int(refused["Retry-After"]) <= 3600
    assert refused.json()["errors"] == {}
    assert refused.json()["message"].startswith("Request was throttled.")
    assert Event.objects.count() == 3


def test_the_default_limit_is_20_an_hour(api_client, event_payload):
    statuses = [create(api_client, event_payload, number).status_code for number in range(21)]

    assert statuses == [201] * 20 + [429]


def test_each_client_has_its_own_limit(api_client, event_payload, settings):
    settings.API_CREATE_THROTTLE_RATE = "1/h"
    create(api_client, event_payload, 1)

    other = create(api_client, event_payload, 2, REMOTE_ADDR="203.0.113.9")

    assert other.status_code == 201


def test_clients_behind_the_balancer_are_counted_per_visitor(api_client, event_payload, settings):
    # Wiring only: the rule itself is tested in encontros/tests/test_proxy.py.
    settings.API_CREATE_THROTTLE_RATE = "1/h"

    def create_as(visitor, number):
        return create(
            api_client,
            event_payload,
            number,
            REMOTE_ADDR="10.110.0.4",
            HTTP_X_FORWARDED_FOR=visitor,
        ).status_code

    assert [create_as("200.150.1.1", 1), create_as("200.150.1.1", 2)] == [201, 429]
    assert create_as("177.20.8.9", 3) == 201


def test_the_counters_live_in_the_django_cache(api_client, event_payload, settings):
    settings.API_CREATE_THROTTLE_RATE = "1/h"
    create(api_client, event_payload, 1)
    assert create(api_client, event_payload, 2).status_code == 429

    cache.clear()

    assert create(api_client, event_payload, 3).status_code == 201


def test_event_managers_are_not_limited(manager_client, event_payload, settings):
    settings.API_CREATE_THROTTLE_RATE = "1/h"

    statuses = {create(manager_client, event_payload, number).status_code for number in range(3)}

    assert statuses == {201}


def test_reads_are_not_limited_by_the_creation_limit(api_client, event_payload, settings):
    settings.API_CREATE_THROTTLE_RATE = "1/h"
    create(api_client, event_payload, 1)
    create(api_client, event_payload, 2)

    assert api_client.get(LIST_URL).status_code == 200


def test_edit_token_attempts_are_limited_like_on_the_site(api_client, owned_event, settings):
    settings.EVENTS_EDIT_TOKEN_RATE = "2/m"
    by_token = reverse("api:event-by-token-detail", args=["w" * 43])
    by_slug = reverse("api:event-detail", args=[owned_event.slug])

    statuses = [
        api_client.get(by_token).status_code,
        api_client.get(by_slug, headers={"X-Edit-Token": "w" * 43}).status_code,
        api_client.get(by_slug, headers={"X-Edit-Token": EDIT_TOKEN}).status_code,
    ]

    assert statuses == [404, 404, 429]
    assert api_client.get(by_slug).status_code == 200
