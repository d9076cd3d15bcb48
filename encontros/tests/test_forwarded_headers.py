"""Behind the load balancer, HTTPS is decided by gunicorn: it reads the scheme
headers (X-Forwarded-Proto, X-Forwarded-Ssl, X-Forwarded-Protocol) only from
the addresses in FORWARDED_ALLOW_IPS. A client anywhere else cannot send them
to skip the HTTPS redirect. Checked against the production server."""

import http.client
import itertools

import pytest

from events.tests.servers import gunicorn, manage, production_environment

# gunicorn's scheme headers, each with the value that claims HTTPS.
SCHEME_HEADERS = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Ssl": "on",
    "X-Forwarded-Protocol": "ssl",
}
# Every non-empty combination of them, in the spellings a client might try.
CLAIMS = [
    {name.lower() if lower else name: SCHEME_HEADERS[name] for name in names}
    for size in range(1, len(SCHEME_HEADERS) + 1)
    for names in itertools.combinations(SCHEME_HEADERS, size)
    for lower in (False, True)
]


# An API answer: it needs no collected static files, and redirects like a page.
PATH = "/api/events/"
REDIRECT = (301, f"https://localhost{PATH}")


def status_and_location(server, path, headers):
    """The answer itself, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        headers = {"Host": "localhost", "Accept": "application/json", **headers}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location")
    finally:
        connection.close()


@pytest.fixture(scope="module")
def https_site(tmp_path_factory):
    """A production process with HTTPS at the load balancer, on a SQLite file of its own."""
    directory = tmp_path_factory.mktemp("https-site")
    environment = production_environment(
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        PROMETHEUS_MULTIPROC_DIR=str(directory / "prometheus"),
        SECURE_SSL="true",
    )
    manage("migrate", "--verbosity", "0", environment=environment)
    return environment


def test_a_client_outside_the_load_balancers_addresses_cannot_claim_https(https_site):
    # The load balancer is somewhere else: this client (127.0.0.1) is not it.
    with gunicorn({**https_site, "FORWARDED_ALLOW_IPS": "10.0.0.0/8"}, workers=1) as server:
        for claim in CLAIMS:
            assert status_and_location(server, PATH, claim) == REDIRECT, claim
        # The probes are never redirected, whatever the scheme.
        assert status_and_location(server, "/health", {})[0] == 200


def test_the_load_balancer_tells_https_from_http(https_site):
    with gunicorn({**https_site, "FORWARDED_ALLOW_IPS": "127.0.0.1"}, workers=1) as server:
        for claim in CLAIMS:
            assert status_and_location(server, PATH, claim)[0] == 200, claim
        assert status_and_location(server, PATH, {"X-Forwarded-Proto": "http"}) == REDIRECT
        assert status_and_location(server, PATH, {}) == REDIRECT
