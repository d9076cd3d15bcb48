"""HTTP basic auth for a private environment (homologation): without the credentials,
nothing but a 401, whatever the URL and even where the site would fail; probes exempt."""

import base64

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import path
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from encontros import urls as site_urls
from events.tests.servers import gunicorn

USERNAME, PASSWORD = "homologacao", "s3nha-de-teste"
# In the site's default language: the gate runs before the visitor's language is known.
with translation.override(django_settings.LANGUAGE_CODE):
    GATE_MESSAGE = translation.gettext("Authentication required.")


def broken_view(request):
    raise RuntimeError("a bug that Django's debug page would show")


urlpatterns = [path("broken/", broken_view), *site_urls.urlpatterns]


def authorization(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture
def homologation(settings, db):
    """The homologation configuration: DEBUG on, basic auth on."""
    settings.DEBUG = True
    settings.BASIC_AUTH_USERNAME = USERNAME
    settings.BASIC_AUTH_PASSWORD = PASSWORD
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


def assert_only_a_401(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert response.content.decode() == GATE_MESSAGE


@pytest.mark.parametrize(
    "url", ["/", "/broken/", "/admin/", "/api/events/", "/api/schema/", "/nowhere", "/events/%00/"]
)
def test_without_credentials_every_url_is_only_a_401(homologation, url):
    assert_only_a_401(homologation.get(url))
    assert_only_a_401(homologation.post(url))


@given(path=st.text(alphabet=st.characters(codec="ascii", exclude_characters="?#"), max_size=30))
@settings(max_examples=100)
def test_without_credentials_any_path_is_only_a_401(homologation, path):
    if path.lstrip("/") in ("health", "ready", "metrics"):
        return
    assert_only_a_401(homologation.get(f"/{path.lstrip('/')}"))


@pytest.mark.parametrize(
    "header",
    [
        authorization(USERNAME, "wrong"),
        authorization("wrong", PASSWORD),
        authorization(USERNAME, PASSWORD + "x"),
        "Basic not-base-64!",
        f"Bearer {PASSWORD}",
        "Basic",
    ],
)
def test_wrong_credentials_are_a_401(homologation, header):
    assert_only_a_401(homologation.get("/", headers={"Authorization": header}))


def test_the_credentials_open_every_page(homologation):
    headers = {"Authorization": authorization(USERNAME, PASSWORD)}

    assert homologation.get("/", headers=headers).status_code == 200
    assert homologation.get("/api/events/", headers=headers).status_code == 200
    # Past the gate, DEBUG shows its page to the team, as homologation wants.
    assert homologation.get("/broken/", headers=headers).status_code == 500


@pytest.mark.parametrize("probe", ["/health", "/ready"])
def test_probes_need_no_credentials(homologation, probe):
    assert homologation.get(probe).status_code == 200


def test_without_the_variables_there_is_no_basic_auth(client, db, settings):
    settings.BASIC_AUTH_USERNAME = USERNAME
    settings.BASIC_AUTH_PASSWORD = ""

    assert client.get("/").status_code == 200


@pytest.mark.own_servers
def test_a_homologation_server_shows_nothing_but_a_401(sqlite_site):
    environment = {
        **sqlite_site,
        "DEBUG": "true",
        "BASIC_AUTH_USERNAME": USERNAME,
        "BASIC_AUTH_PASSWORD": PASSWORD,
    }
    with gunicorn(environment, workers=1) as server:
        answers = [
            server.get("/"),
            server.get("/api/events/"),
            server.get("/admin/login/"),
            server.get("/nowhere/"),
            # A Host that ALLOWED_HOSTS refuses: an error that DEBUG would detail.
            server.get("/", headers={"Host": "attacker.example"}),
            server.get("/events/%00/"),
        ]
        authorized = server.get("/", headers={"Authorization": authorization(USERNAME, PASSWORD)})
        health = server.get("/health")

    for status, _headers, body in answers:
        assert status == 401
        assert body == GATE_MESSAGE
    assert authorized[0] == 200
    assert health[0] == 200
