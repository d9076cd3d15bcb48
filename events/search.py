"""Text normalisation for case- and accent-insensitive search.

The same function prepares what is stored (`Event.search_text`) and what a
visitor types, so "sao paulo python" finds "Python São Paulo" on SQLite and
PostgreSQL alike without database extensions.
"""

import unicodedata


def normalize(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(without_accents.casefold().split())


def search_terms(query):
    return normalize(query).split()
