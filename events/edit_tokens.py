"""The edit token: the only credential an organizer has. Its shape is defined here
once, for the services that issue it, the URL converter that accepts it and the
log redaction that hides it (imported by the settings: no models here)."""

import hashlib
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
