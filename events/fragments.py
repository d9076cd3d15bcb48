"""Pieces of public answers that each process keeps, keyed by what they show.

A miss of the public cache (a search nobody made before, another page, the
minute's expiry, any write) renders the whole answer again, though most of it
looks as it did. The event cards, the public API representations and the list
pages' filter form are kept here, each keyed by everything it is made of: every
stored field of the event and its technologies, or the filter values and the
menus; the language; for the API, the site's address. A change to any of those
is a new key, so nothing needs forgetting; entries leave least recently used
first once they pass PUBLIC_FRAGMENT_BYTES.

Only public pieces are kept: never a private field, a token or a CSRF token.
"""

import json
import operator

from django.template.loader import render_to_string
from django.utils.translation import get_language

from encontros.public_cache import LocalStore

from .models import Event

STORED_FIELDS = [field.attname for field in Event._meta.concrete_fields]
stored_values = operator.itemgetter(*STORED_FIELDS)


def _size(piece):
    return len(piece) if isinstance(piece, str) else len(json.dumps(piece, default=str))


store = LocalStore("PUBLIC_FRAGMENT_BYTES", size_of=_size)


def event_state(event):
    """Everything stored about the event and its technologies, as a key; None when
    some field was not loaded (a piece made from it could not be told apart)."""
    try:
        stored = stored_values(event.__dict__)
    except KeyError:
        # A deferred field (Model.get_deferred_fields()).
        return None
    return (
        stored,
        tuple(
            (technology.pk, technology.name, technology.slug)
            for technology in event.technology_list
        ),
    )


def kept(key, make):
    """make(), or what it made before for the same key."""
    piece = store.get(key)
    if piece is None:
        piece = make()
        store.put(key, piece)
    return piece


def kept_for_event(kind, event, make, *context):
    """make(), or what it made before for the same kind, context, language and
    state of the event."""
    state = event_state(event)
    if state is None:
        return make()
    return kept((kind, get_language(), *context, state), make)


def event_piece(template_name, event):
    """The event rendered alone by template_name (which sees only `event`)."""
    return kept_for_event(
        template_name, event, lambda: render_to_string(template_name, {"event": event})
    )
