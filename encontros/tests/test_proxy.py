import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NODE = "10.110.0.4"  # the load balancer's traffic arrives from a node of the cluster


@pytest.fixture
def one_submission_an_hour(settings):
    settings.EVENTS_SUBMISSION_RATE = "1/h"


def submit(client, peer, forwarded_for=None):
    headers = {"REMOTE_ADDR": peer}
    if forwarded_for:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("events:create"), {}, **headers).status_code


def test_visitors_behind_the_load_balancer_have_their_own_limits(client, one_submission_an_hour):
    assert submit(client, NODE, "200.150.1.1") != 429
    assert submit(client, NODE, "200.150.1.1") == 429
    assert submit(client, NODE, "177.20.8.9") != 429


def test_a_made_up_forwarded_address_does_not_escape_the_limit(client, one_submission_an_hour):
    # The balancer appends the address it saw after whatever the client sent.
    assert submit(client, NODE, "1.1.1.1, 200.150.1.1") != 429
    assert submit(client, NODE, "2.2.2.2, 200.150.1.1") == 429


def test_forwarded_addresses_from_a_public_peer_are_ignored(client, one_submission_an_hour):
    assert submit(client, "200.150.1.1", "1.1.1.1") != 429
    assert submit(client, "200.150.1.1", "2.2.2.2") == 429


def test_a_malformed_forwarded_address_counts_as_the_peer(client, one_submission_an_hour):
    assert submit(client, NODE, "not-an-address") != 429
    assert submit(client, NODE) == 429


def test_api_throttle_counts_visitors_behind_the_load_balancer_apart(client, settings):
    settings.API_CREATE_THROTTLE_RATE = "1/h"

    def create(visitor):
        return client.post(
            reverse("api:event-list"),
            {},
            content_type="application/json",
            REMOTE_ADDR=NODE,
            HTTP_X_FORWARDED_FOR=visitor,
        ).status_code

    assert create("200.150.1.1") == 400
    assert create("200.150.1.1") == 429
    assert create("177.20.8.9") == 400
