import pytest
from django.test import RequestFactory

from encontros.client_ip import client_ip


@pytest.mark.parametrize(
    "trust,forwarded,expected",
    [
        (False, "203.0.113.9", "10.0.0.1"),
        (True, "203.0.113.9", "203.0.113.9"),
        (True, "1.1.1.1, 203.0.113.9", "203.0.113.9"),
        (True, "", "10.0.0.1"),
    ],
)
def test_client_ip_trusts_only_the_balancer_hop(settings, trust, forwarded, expected):
    settings.TRUST_X_FORWARDED_FOR = trust
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
