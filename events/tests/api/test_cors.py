import pytest
from django.urls import reverse

from events.models import Event, Series
from events.tests.factories import EventFactory
from events.tests.helpers import EDIT_TOKEN

pytestmark = pytest.mark.django_db

ORIGIN = "https://comunidade.example.org"


@pytest.fixture
def public_read_urls(owned_event):
    series = Series.objects.create(frequency="weekly", count=2, edit_token_hash="x" * 64)
    Event.objects.filter(pk=owned_event.pk).update(series=series)
    return [
        reverse("api:event-list"),
        reverse("api:event-detail", args=[owned_event.slug]),
        reverse("api:series-detail", args=[series.pk]),
        reverse("api:technology-list"),
        reverse("api:city-list"),
        reverse("api:schema"),
    ]


def test_public_reads_may_be_made_from_any_origin_by_default(api_client, public_read_urls):
    for url in public_read_urls:
        response = api_client.get(url, headers={"Origin": ORIGIN})

        assert response.status_code == 200, url
        assert response["Access-Control-Allow-Origin"] == "*", url
        assert "Access-Control-Allow-Credentials" not in response


def test_configured_origins_are_the_only_ones_allowed(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    settings.CORS_ALLOW_ALL_ORIGINS = False
    url = reverse("api:event-list")

    allowed = api_client.get(url, headers={"Origin": ORIGIN})
    other = api_client.get(url, headers={"Origin": "https://elsewhere.example.com"})

    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Origin" not in other


def test_preflight_allows_reading_only(api_client):
    response = api_client.options(
        reverse("api:event-list"),
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


def test_writes_get_no_cors_headers(api_client, event_payload, owned_event):
    created = api_client.post(reverse("api:event-list"), event_payload, headers={"Origin": ORIGIN})
    changed = api_client.patch(
        reverse("api:event-detail", args=[owned_event.slug]),
        {"title": "x"},
        headers={"Origin": ORIGIN, "X-Edit-Token": EDIT_TOKEN},
    )

    assert created.status_code == 201
    assert changed.status_code == 200
    assert "Access-Control-Allow-Origin" not in created
    assert "Access-Control-Allow-Origin" not in changed


def test_edit_token_addresses_and_site_pages_get_no_cors_headers(api_client, owned_event):
    urls = [
        reverse("api:event-by-token-detail", args=[EDIT_TOKEN]),
        reverse("events:list"),
        reverse("events:detail", args=[EventFactory().slug]),
        reverse("admin:login"),
    ]

    for url in urls:
        response = api_client.get(url, headers={"Origin": ORIGIN})

        assert response.status_code == 200, url
        assert "Access-Control-Allow-Origin" not in response, url
