"""The edit token: the only credential an organizer has. Its shape is defined here
once, for the services that issue it, the URL converter that accepts it and the
log redaction that hides it (imported by the settings: no models here)."""

import base64
import hashlib
import hmac
import math
import secrets

EDIT_TOKEN_BYTES = 32
# secrets.token_urlsafe: URL-safe base64 of the random bytes, without padding.
EDIT_TOKEN_PATTERN = rf"[A-Za-z0-9_-]{{{math.ceil(EDIT_TOKEN_BYTES * 4 / 3)}}}"


def new_edit_token():
    return secrets.token_urlsafe(EDIT_TOKEN_BYTES)


def hash_edit_token(token):
    # Tokens carry 256 random bits, so a fast unsalted hash cannot be brute-forced
    # and lets the database find the event by its hash.
    return hashlib.sha256(token.encode()).hexdigest()


def derive_edit_token(series_token, key):
    """The edit token of one date of a series: derived from the series' token and
    the date's slug, so the series' one edit link leads to every date's edit page
    while only hashes are stored, and one date's token gives no other's."""
    digest = hmac.new(series_token.encode(), key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
