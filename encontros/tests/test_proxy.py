"""The client-IP rule (encontros.proxy.client_ip), tested once here. Each door that
counts per client has one wiring test of its own: the submission form and the edit
pages in events/tests/test_rate_limits.py, the API in events/tests/api/test_throttling.py."""

import ipaddress

from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from encontros.proxy import client_ip

NODE = "10.110.0.4"  # the load balancer's traffic arrives from a node of the cluster
VISITOR = "200.150.1.1"

addresses = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)
private_peers = addresses.filter(lambda address: ipaddress.ip_address(address).is_private)
public_peers = addresses.filter(lambda address: not ipaddress.ip_address(address).is_private)
header_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)


def request_from(peer, forwarded_for=None):
    headers = {"REMOTE_ADDR": peer}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **headers)


def test_without_a_forwarded_header_the_client_is_the_peer():
    assert client_ip(request_from(VISITOR)) == VISITOR


def test_behind_the_balancer_the_client_is_the_address_it_appended():
    assert client_ip(request_from(NODE, VISITOR)) == VISITOR


def test_addresses_a_client_wrote_before_the_balancers_are_ignored():
    assert client_ip(request_from(NODE, f"1.1.1.1, 2.2.2.2 , {VISITOR}")) == VISITOR


def test_a_public_peer_is_the_client_whatever_it_forwards():
    assert client_ip(request_from(VISITOR, "1.1.1.1")) == VISITOR


def test_a_malformed_forwarded_address_counts_as_the_peer():
    assert client_ip(request_from(NODE, "not-an-address")) == NODE
    assert client_ip(request_from(NODE, f"{VISITOR}, ")) == NODE


def test_a_malformed_peer_is_not_trusted():
    assert client_ip(request_from("not-an-address", VISITOR)) == "not-an-address"


@given(peer=private_peers, written_by_client=st.lists(header_text, max_size=3), last=addresses)
def test_behind_a_private_peer_only_the_last_entry_counts(peer, written_by_client, last):
    forwarded_for = ", ".join([*written_by_client, last])
    assert client_ip(request_from(peer, forwarded_for)) == str(ipaddress.ip_address(last))


@given(peer=public_peers, forwarded_for=header_text)
def test_a_public_peer_cannot_choose_its_address(peer, forwarded_for):
    assert client_ip(request_from(peer, forwarded_for)) == peer


@given(peer=private_peers, forwarded_for=header_text)
def test_any_header_gives_the_peer_or_a_valid_address(peer, forwarded_for):
    ipaddress.ip_address(client_ip(request_from(peer, forwarded_for)))
