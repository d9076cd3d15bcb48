"""The link-preview picture of each event (events/social_card.py)."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

from events import services, social_card
from events.dates import format_start, zone_label
from events.models import Event

from .factories import EventFactory, TechnologyFactory
from .pages import page_metadata

pytestmark = pytest.mark.django_db

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
# Every zone of Brazil's territory (IANA), mainland and islands.
BRAZILIAN_ZONES = [
    "America/Sao_Paulo",
    "America/Bahia",
    "America/Belem",
    "America/Fortaleza",
    "America/Recife",
    "America/Maceio",
    "America/Araguaina",
    "America/Santarem",
    "America/Manaus",
    "America/Cuiaba",
    "America/Campo_Grande",
    "America/Porto_Velho",
    "America/Boa_Vista",
    "America/Rio_Branco",
    "America/Eirunepe",
    "America/Noronha",
]


def meta(page, name):
    match = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', page)
    return match and match.group(1)


def card_of(client, event, **headers):
    page = client.get(event.get_absolute_url(), **headers).content.decode()
    return page, meta(page, "og:image")


def test_event_page_shares_its_card_with_size_and_alt(client):
    event = EventFactory(
        title="Python Recife",
        city="Recife",
        state="PE",
        starts_at=datetime(2030, 3, 7, 19, tzinfo=SAO_PAULO),
    )

    page, url = card_of(client, event)

    assert url.startswith("http://testserver/events/")
    assert meta(page, "og:image:width") == "1200"
    assert meta(page, "og:image:height") == "630"
    assert meta(page, "og:image:alt") == (
        "Python Recife: qui., 7 de março de 2030, 19:00 (horário de Brasília), "
        "Recife (PE) · Gratuito"
    )
    assert meta(page, "twitter:card") == "summary_large_image"
    assert meta(page, "twitter:image") == url
    (json_ld,) = page_metadata(client.get(event.get_absolute_url())).json_ld
    assert json_ld["image"] == [url]


def test_the_card_is_a_1200_by_630_png_cached_for_a_year(client, event):
    _page, url = card_of(client, event)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "max-age=31536000" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)


def test_the_card_address_changes_with_the_event_and_old_ones_lead_to_the_new(client, event):
    _page, before = card_of(client, event)
    services.event_update(
        event=event, channel=services.Channel.WEB, changes={"title": "A new title"}
    )

    _page, after = card_of(client, event)

    assert after != before
    old = client.get(before)
    assert old.status_code == 302
    assert "http://testserver" + old["Location"] == after
    assert "max-age=31536000" not in old.get("Cache-Control", "")


def test_the_card_address_changes_when_a_technology_is_renamed(client):
    technology = TechnologyFactory(name="JS", slug="js")
    event = EventFactory(technologies=[technology])
    _page, before = card_of(client, event)
    technology.name = "JavaScript"
    services.technology_save(technology=technology)

    assert card_of(client, event)[1] != before


def test_english_pages_share_the_english_card(client, event):
    _page, portuguese_url = card_of(client, event)
    with translation.override("en"):
        _page, english_url = card_of(client, event)

    assert english_url.startswith("http://testserver/en/events/")
    assert not portuguese_url.startswith("http://testserver/en/")
    assert client.get(english_url).content != client.get(portuguese_url).content


def test_pending_events_have_no_public_card(client):
    event = EventFactory(status=Event.Status.PENDING)
    url = reverse("events:card", kwargs={"slug": event.slug, "version": "x"})

    assert client.get(url).status_code == 404


def test_cancelled_events_keep_their_card(client):
    event = EventFactory(status=Event.Status.CANCELLED)

    _page, url = card_of(client, event)

    assert client.get(url).status_code == 200


TITLE_FONT = ImageFont.truetype(str(social_card.BOLD), 64)
WIDTH = social_card.WIDTH - 2 * social_card.MARGIN


@pytest.mark.parametrize(
    "title",
    [
        "Encontro " * 40,
        "Supercalifragilisticexpialidocious" * 5,
        "Ação, integração e programação: São João do Tecnológico de Açaí " * 3,
        "W" * 200,
    ],
)
def test_long_titles_are_shortened_cleanly_within_the_card(title):
    lines = social_card.wrap(title, TITLE_FONT, WIDTH, max_lines=3)

    assert len(lines) == 3
    assert all(TITLE_FONT.getlength(line) <= WIDTH for line in lines)
    assert lines[-1].endswith("…")
    assert not lines[-1].endswith(" …")


@settings(max_examples=60, deadline=None)
@given(title=st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=200))
def test_no_title_is_ever_drawn_off_the_edge(title):
    lines = social_card.wrap(title, TITLE_FONT, WIDTH, max_lines=3)

    assert len(lines) <= 3
    assert all(TITLE_FONT.getlength(line) <= WIDTH for line in lines)


def test_line_breaks_in_a_title_are_spaces_on_the_card():
    event = EventFactory(title="Python\nRecife\r\n2030")

    assert social_card.card_lines(event, "pt-br")[1] == "Python Recife 2030"


def test_short_titles_are_kept_whole():
    assert social_card.wrap("Python Recife", TITLE_FONT, WIDTH, max_lines=3) == ["Python Recife"]


def _glyph(font, character):
    image = Image.new("L", (60, 60))
    ImageDraw.Draw(image).text((5, 5), character, font=font, fill=255)
    return image.tobytes()


@pytest.mark.parametrize("path", [social_card.BOLD, social_card.REGULAR])
def test_the_shipped_font_draws_every_portuguese_letter(path):
    font = ImageFont.truetype(str(path), 40)
    missing = _glyph(font, "\U000f0000")  # a private-use character: the "no glyph" box

    for character in "ãõáéíóúâêôàçÃÕÁÉÍÓÚÂÊÔÀÇ–·…ºª":
        assert _glyph(font, character) != missing, character


@pytest.mark.parametrize("zone_name", BRAZILIAN_ZONES)
@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_every_brazilian_zone_has_a_label_that_fits(monkeypatch, zone_name, language):
    zone = ZoneInfo(zone_name)
    monkeypatch.setattr("events.dates.event_zone", lambda event: zone)
    event = EventFactory.build(starts_at=datetime(2030, 9, 30, 19, tzinfo=zone))

    label = zone_label(zone, language=language)
    start = format_start(event, language=language)

    assert label and "/" not in label and "GMT" not in label, label
    assert start.endswith(f"19:00 ({label})") or start.endswith(f"7:00\u202fPM ({label})")
    # On the card: at most two lines, never shortened.
    detail_font = ImageFont.truetype(str(social_card.REGULAR), social_card.DETAIL_FONT_SIZE)
    lines = social_card.wrap(start, detail_font, WIDTH, max_lines=2)
    assert " ".join(lines) == start


def test_dates_read_as_portuguese_and_english():
    event = EventFactory.build(
        starts_at=datetime(2026, 12, 4, 19, tzinfo=SAO_PAULO),
        ends_at=datetime(2026, 12, 4, 22, tzinfo=SAO_PAULO),
    )

    assert format_start(event, language="pt-br") == (
        "sex., 4 de dezembro de 2026, 19:00 (horário de Brasília)"
    )
    assert format_start(event, language="en").startswith("Fri, Dec 4, 2026")
