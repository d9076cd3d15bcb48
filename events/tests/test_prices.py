"""Free or paid is the organizer's explicit choice; paid events may say what they cost."""

import json
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from events.forms import EventForm
from events.models import Event

from .factories import EventFactory
from .helpers import submission
from .pages import page_metadata

CREATE = reverse("events:create")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    settings.EVENTS_FORM_MIN_SECONDS = 0


def label(event, language="pt-br"):
    with translation.override(language):
        return Template("{% load prices %}{% price_label event %}").render(
            Context({"event": event})
        )


@pytest.mark.parametrize(
    ("fields", "pt_br", "en"),
    [
        ({"is_free": True}, "Gratuito", "Free"),
        ({"is_free": False}, "Pago", "Paid"),
        ({"is_free": False, "price_from": Decimal("50")}, "R$\u00a050", "R$\u00a050"),
        (
            {"is_free": False, "price_from": Decimal("30"), "price_to": Decimal("120")},
            "R$\u00a030–120",
            "R$\u00a030–120",
        ),
        (
            {"is_free": False, "price_from": Decimal("1500"), "price_to": Decimal("1500")},
            "R$\u00a01.500",
            "R$\u00a01,500",
        ),
        ({"is_free": False, "price_from": Decimal("49.90")}, "R$\u00a049,90", "R$\u00a049.90"),
        ({"is_free": False, "price_from": Decimal("20"), "currency": "USD"}, "US$\u00a020", None),
        ({"is_free": False, "price_from": Decimal("20"), "currency": "ARS"}, "ARS\u00a020", None),
    ],
)
def test_price_labels(fields, pt_br, en):
    event = Event(**fields)

    assert label(event) == pt_br
    if en:
        assert label(event, "en") == en


def test_list_card_shows_the_price(client):
    EventFactory(is_free=False, price_from=Decimal("30"), price_to=Decimal("120"))

    content = client.get(reverse("events:list")).content.decode()

    assert "R$\u00a030–120" in content


def test_new_form_ticks_neither_free_nor_paid(client):
    content = client.get(CREATE).content.decode()

    assert 'name="is_free" value="True"' in content
    assert "checked" not in content


def test_submitting_without_choosing_free_or_paid_is_refused(client):
    response = submission(client, is_free=None)

    assert "is_free" in response.context["form"].errors
    assert not Event.objects.exists()


def test_edit_form_ticks_the_events_choice():
    form = EventForm(instance=EventFactory(is_free=False))

    rendered = str(form["is_free"])
    assert 'id="id_is_free_1" checked' in rendered
    assert 'id="id_is_free_0" checked' not in rendered


def test_paid_event_with_prices_in_portuguese_format(client):
    with translation.override("pt-br"):
        submission(
            client,
            is_free="False",
            price_from="49,90",
            price_to="120",
            tickets_url="tickets.example.org/buy",
        )

    event = Event.objects.get()
    assert (event.price_from, event.price_to, event.currency) == (
        Decimal("49.90"),
        Decimal("120"),
        "BRL",
    )
    assert event.tickets_url == "https://tickets.example.org/buy"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"is_free": "True", "price_from": "10"}, "price_from"),
        ({"is_free": "False", "price_from": "100", "price_to": "50"}, "price_to"),
        ({"is_free": "False", "price_to": "50"}, "price_to"),
        ({"is_free": "False", "price_from": "-5"}, "price_from"),
        ({"is_free": "False", "price_from": "abc"}, "price_from"),
        ({"is_free": "False", "price_from": "1e400"}, "price_from"),
        ({"is_free": "False", "currency": "real"}, "currency"),
    ],
)
def test_inconsistent_prices_are_refused(client, overrides, field):
    response = submission(client, **overrides)

    assert field in response.context["form"].errors
    assert not Event.objects.exists()


def test_database_refuses_a_price_on_a_free_event():
    event = EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(price_from=Decimal("10"))


def test_database_refuses_a_range_upside_down():
    event = EventFactory(is_free=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(price_from=Decimal("10"), price_to=Decimal("5"))


class TestStructuredData:
    def offers(self, client, event):
        return page_metadata(client.get(event.get_absolute_url())).json_ld[0].get("offers")

    def test_one_price_is_an_offer_with_the_tickets_url(self, client):
        event = EventFactory(
            is_free=False,
            price_from=Decimal("50"),
            tickets_url="https://tickets.example.org/a",
            url="https://example.org",
        )

        offers = self.offers(client, event)

        assert offers["@type"] == "Offer"
        assert (offers["price"], offers["priceCurrency"]) == ("50.00", "BRL")
        assert offers["url"] == "https://tickets.example.org/a"

    def test_a_range_is_an_aggregate_offer(self, client):
        event = EventFactory(
            is_free=False, price_from=Decimal("30"), price_to=Decimal("120"), currency="USD"
        )

        offers = self.offers(client, event)

        assert offers["@type"] == "AggregateOffer"
        assert (offers["lowPrice"], offers["highPrice"]) == ("30.00", "120.00")
        assert offers["priceCurrency"] == "USD"

    def test_paid_without_a_price_has_no_offer(self, client):
        assert self.offers(client, EventFactory(is_free=False)) is None


class TestApi:
    def create(self, client, **fields):
        body = {
            "title": "Paid workshop",
            "description": "Hands-on.",
            "starts_at": "2030-06-10T19:00:00-03:00",
            "city": "Recife",
            "venue": "Porto Digital",
            "organizer_name": "Someone",
            **fields,
        }
        return client.post(
            reverse("api:event-list"), json.dumps(body), content_type="application/json"
        )

    def test_prices_round_trip(self, client):
        response = self.create(
            client,
            is_free=False,
            price_from=30,
            price_to="120.50",
            tickets_url="https://t.example.org",
        )

        assert response.status_code == 201, response.json()
        data = response.json()
        assert (data["price_from"], data["price_to"], data["currency"]) == (
            "30.00",
            "120.50",
            "BRL",
        )
        assert data["tickets_url"] == "https://t.example.org"

    @pytest.mark.parametrize(
        "fields",
        [
            {"is_free": True, "price_from": 10},
            {"is_free": False, "price_from": 100, "price_to": 10},
            {"is_free": False, "price_from": "NaN"},
            {"is_free": False, "price_from": 10**12},
            {"is_free": False, "currency": "brl"},
        ],
    )
    def test_inconsistent_prices_are_a_400(self, client, fields):
        response = self.create(client, **fields)

        assert response.status_code == 400, response.json()
        assert not Event.objects.exists()
