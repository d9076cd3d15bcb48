"""The picture of an event in link previews (WhatsApp, Telegram, LinkedIn, X):
a 1200×630 PNG drawn with Pillow from the event's title, date, place and
technologies, in the page's language and the site's colours."""

import hashlib
import io
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from PIL import Image, ImageDraw, ImageFont

from .dates import format_start

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
# Bump when the drawing changes: every card gets a new address.
DESIGN_VERSION = "1"
FONTS = Path(__file__).resolve().parent / "fonts"
BOLD = FONTS / "DejaVuSans-Bold.ttf"
REGULAR = FONTS / "DejaVuSans.ttf"
BACKGROUND = "#0b3d91"
ACCENT = "#f59e0b"
TEXT = "#ffffff"
MUTED = "#d6e4ff"
ELLIPSIS = "…"
DETAIL_FONT_SIZE = 30


def card_lines(event, language):
    """What the card says, in `language`: (site, title, date, place, technologies)."""
    with override(language):
        place = event.city_and_state if event.has_place else _("Online")
        price = _("Free") if event.is_free else _("Paid")
        return (
            settings.APP_TITLE,
            # Line breaks in a title would be drawn as such, past the space given to it.
            " ".join(event.title.split()),
            format_start(event, language=language),
            f"{place} · {price}",
            " · ".join(technology.name for technology in event.technology_list),
        )


def card_version(event, language):
    """Changes whenever what the card shows changes, so its address can be cached forever."""
    text = "\n".join([DESIGN_VERSION, language, *card_lines(event, language)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _font(path, size):
    return ImageFont.truetype(str(path), size)


def _width(font, text):
    return font.getlength(text)


def _shorten(text, font, max_width):
    """The text cut at a word (or, for one long word, a character) with an ellipsis."""
    if _width(font, text) <= max_width:
        return text
    words = text.split(" ")
    while len(words) > 1 and _width(font, " ".join(words) + ELLIPSIS) > max_width:
        words.pop()
    shortened = " ".join(words)
    while shortened and _width(font, shortened + ELLIPSIS) > max_width:
        shortened = shortened[:-1]
    return shortened.rstrip(" ,.;:-–·") + ELLIPSIS


def wrap(text, font, max_width, max_lines):
    """Lines of at most `max_width` pixels; what does not fit in `max_lines` is
    shortened with an ellipsis, never drawn off the edge."""
    lines, current = [], ""
    # Ordinary spaces only: no-break spaces ("7:00 PM") hold their words together.
    for word in filter(None, text.split(" ")):
        candidate = f"{current} {word}".strip()
        if _width(font, candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        # A word wider than the line is cut where it reaches the edge.
        while _width(font, current) > max_width:
            cut = len(current)
            while cut > 1 and _width(font, current[:cut]) > max_width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        # The rest is wider than a line: shortening it always ends in an ellipsis.
        rest = " ".join(lines[max_lines - 1 :])
        lines = lines[: max_lines - 1] + [_shorten(rest, font, max_width)]
    return lines


def render_card(event, language):
    """The PNG bytes of the event's card in `language`."""
    site, title, date, place, technologies = card_lines(event, language)
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    text_width = WIDTH - 2 * MARGIN
    draw.rectangle([0, 0, WIDTH, 12], fill=ACCENT)

    site_font = _font(BOLD, 34)
    draw.text((MARGIN, 56), _shorten(site, site_font, text_width), font=site_font, fill=ACCENT)

    title_font = _font(BOLD, 64)
    y = 130
    for line in wrap(title, title_font, text_width, max_lines=3):
        draw.text((MARGIN, y), line, font=title_font, fill=TEXT)
        y += 78

    detail_font = _font(REGULAR, DETAIL_FONT_SIZE)
    y = max(y + 24, 380)
    # The date may take two lines: long zone names ("horário de Fernando de Noronha").
    details = [(line, TEXT) for line in wrap(date, detail_font, text_width, max_lines=2)]
    details += [(place, TEXT), (technologies, MUTED)]
    for text, colour in details:
        if text:
            draw.text(
                (MARGIN, y), _shorten(text, detail_font, text_width), font=detail_font, fill=colour
            )
            y += 46
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def card_url(event, language):
    """The card's address in `language` (English ones under /en/, like the pages)."""
    with override(language):
        return reverse(
            "events:card", kwargs={"slug": event.slug, "version": card_version(event, language)}
        )


def card_alt(event, language):
    """The card's text alternative: what it shows."""
    _site, title, date, place, _technologies = card_lines(event, language)
    return f"{title}: {date}, {place}"
