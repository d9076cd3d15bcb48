from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()

CURRENCY_SYMBOLS = {"BRL": "R$", "USD": "US$", "EUR": "€"}


def _amount(value):
    places = 0 if value == value.to_integral_value() else 2
    return number_format(value, places, force_grouping=True)


@register.simple_tag
def price_label(event):
    """What a ticket costs, in a few characters: "Free", "R$ 50", "R$ 30–120" or "Paid"."""
    if event.is_free:
        return _("Free")
    if event.price_from is None:
        return _("Paid")
    # A no-break space keeps the symbol with its amount.
    symbol = CURRENCY_SYMBOLS.get(event.currency, event.currency) + "\u00a0"
    if event.has_price_range:
        return f"{symbol}{_amount(event.price_from)}–{_amount(event.price_to)}"
    return symbol + _amount(event.price_from)
