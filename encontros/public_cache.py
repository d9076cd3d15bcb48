"""Anonymous reads served from a cache that every write empties at once.

Two tiers hold the rendered, compressed answers of public pages, feeds and API
reads: each process's memory (a hit costs no network round trip) and the shared
cache (Redis when CACHE_URL points at it, so one render serves every worker and
replica). Both are keyed by the public content version, a value in the shared
cache that every write service replaces (`content_changed`, on commit, on the
events app's `public_content_changed` signal). Each
process reads the version at most every PUBLIC_CACHE_VERSION_INTERVAL seconds,
so a change shows everywhere within that interval.

Answers also expire after PUBLIC_CACHE_SECONDS: "upcoming" changes as time
passes, with no write at all.

When the shared cache fails (the fail-soft backend answers None, a plain backend
raises), the version is unknown: answers are rendered as if there were no cache.
"""

import gzip
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import NamedTuple

import brotli
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe

logger = logging.getLogger(__name__)

VERSION_KEY = "public-content-version"
# Below this size compression saves less than the headers cost.
MIN_COMPRESSED_SIZE = 512
COMPRESSIBLE_TYPES = ("text/", "application/json", "application/xml", "application/atom+xml")
ENCODINGS = ("br", "gzip")
# A kept answer is compressed once and sent many times: worth a middle level.
COMPRESSORS = {
    "br": lambda body: brotli.compress(body, quality=5),
    "gzip": lambda body: gzip.compress(body, compresslevel=6, mtime=0),
}
# An answer sent once (the cache off or failing) is compressed on every request:
# the fastest level keeps most of the saving (a list page: 39 kB to 5.7 kB
# rather than 4.7 kB) for a seventh of the time.
FAST_COMPRESSORS = {
    "br": lambda body: brotli.compress(body, quality=1),
    "gzip": lambda body: gzip.compress(body, compresslevel=1, mtime=0),
}
# Headers the cache sets itself on every answer it gives.
OWN_HEADERS = {
    "content-length",
    "content-encoding",
    "etag",
    "last-modified",
    "cache-control",
    "date",
}
# The stored headers that a 304 carries: a cache updates its stored answer with
# them (RFC 9110, section 15.4.5). The other ones it must carry (Cache-Control,
# Date, ETag) are the cache's own, and so is Last-Modified.
NOT_MODIFIED_HEADERS = {"vary", "content-location", "expires"}


def content_changed(**signal_arguments):
    """Tell every worker and replica that public content changed.

    Connected to events.signals.public_content_changed, which every write service
    sends (events/services.py). The version changes at
    once, and again when the transaction commits: an answer rendered in between
    from the data before the commit is then never served.
    """
    _publish_new_version()
    transaction.on_commit(_publish_new_version)


def _publish_new_version():
    version = _new_version()
    try:
        cache.set(VERSION_KEY, version, timeout=None)
    except Exception:  # a plain backend raises; the fail-soft one does not
        logger.warning("public cache: could not publish a new content version")
    local_version.forget()


def _new_version():
    return f"{time.time_ns():x}"


class LocalVersion:
    """This process's copy of the shared content version, read at most every
    PUBLIC_CACHE_VERSION_INTERVAL seconds."""

    def __init__(self):
        self.value = None
        self.read_at = float("-inf")

    def get(self):
        now = time.monotonic()
        if now - self.read_at >= settings.PUBLIC_CACHE_VERSION_INTERVAL:
            self.value = _shared_version()
            self.read_at = now
        return self.value

    def forget(self):
        self.read_at = float("-inf")


def _shared_version():
    """The shared version, created when missing; None when the cache fails."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None and cache.add(VERSION_KEY, _new_version(), timeout=None):
            version = cache.get(VERSION_KEY)
        return version
    except Exception:
        return None


local_version = LocalVersion()

# {name: (content version, when made, value)}: see kept_until_content_changes().
_kept_by_version = {}


def kept_until_content_changes(name, make, *, seconds):
    """make(), or what this process made under `name` while the shared content
    version was the same (so at most PUBLIC_CACHE_VERSION_INTERVAL old after a
    change, as every answer of the public cache), and at most `seconds` ago (a
    bound for a change whose new version the cache failed to take). Made anew
    on every call while the version is unknown (the cache is down)."""
    version = local_version.get()
    if version is None:
        return make()
    now = time.monotonic()
    kept = _kept_by_version.get(name)
    if kept is not None and kept[0] == version and now - kept[1] < seconds:
        return kept[2]
    value = make()
    _kept_by_version[name] = (version, now, value)
    return value


def forget_kept():
    _kept_by_version.clear()


class Answer(NamedTuple):
    """What a request gets from an entry, ready for the WSGI server or a Django response."""

    status: int
    reason: str
    headers: list
    body: bytes


@dataclass
class Entry:
    """One rendered answer, with its validators and the compressed forms made so far.

    Each form is made when a client first asks for it, then kept: an answer is
    compressed once per encoding that clients use (most ask for Brotli), not in
    every encoding on every render. The headers of each form are made once too,
    on the first request that needs them, and kept in this process only.
    """

    status: int
    headers: list
    body: bytes
    etag: str
    rendered_at: float
    expires_at: float
    encoded: dict = field(default_factory=dict)
    answers: dict = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self):
        return {**self.__dict__, "answers": {}}

    def __setstate__(self, state):
        # Entries pickled before `answers` existed (another release sharing the cache).
        self.__dict__.update({"answers": {}, **state})

    @property
    def size(self):
        return len(self.body) + sum(len(body) for body in self.encoded.values())

    @property
    def last_modified(self):
        return int(self.rendered_at)

    @property
    def compressible(self):
        content_type = next(
            (value for name, value in self.headers if name.lower() == "content-type"), ""
        )
        return len(self.body) >= MIN_COMPRESSED_SIZE and content_type.startswith(COMPRESSIBLE_TYPES)

    def encode(self, encoding, *, fast=False):
        """The body in an encoding of ENCODINGS, compressed on the first request;
        `fast`: at the fastest level, for an answer that is not kept."""
        if encoding not in self.encoded:
            compressors = FAST_COMPRESSORS if fast else COMPRESSORS
            self.encoded[encoding] = compressors[encoding](self.body)
        return self.encoded[encoding]

    def answer(self, request, encoding):
        """The answer to `request`: in `encoding` when compressible, a 304 when the
        client's copy is current, without a body for HEAD."""
        form = (encoding, is_not_modified(request, self))
        answer = self.answers.get(form)
        if answer is None:
            answer = self.answers[form] = self._answer(*form)
        return answer._replace(body=b"") if request.method == "HEAD" else answer

    def _answer(self, encoding, not_modified):
        compressible = self.compressible
        if not_modified:
            body = b""
            response = HttpResponseNotModified()
            for name, value in self.headers:
                if name.lower() in NOT_MODIFIED_HEADERS:
                    response[name] = value
        else:
            encoding = encoding if compressible else None
            body = self.encode(encoding) if encoding else self.body
            response = HttpResponse(body, status=self.status)
            for name, value in self.headers:
                response[name] = value
            if encoding:
                response["Content-Encoding"] = encoding
            response["Content-Length"] = str(len(body))
        if compressible:
            patch_vary_headers(response, ("Accept-Encoding",))
        response["ETag"] = self.etag
        response["Last-Modified"] = http_date(self.last_modified)
        response["Cache-Control"] = cache_control()
        return Answer(response.status_code, response.reason_phrase, list(response.items()), body)


def entry_from_response(response, *, encoding=None, kept=True):
    """The answer as an entry, compressed in `encoding` (the client's choice)
    when it is worth compressing; at the fastest level unless it is `kept`."""
    body = response.content
    now = time.time()
    entry = Entry(
        status=response.status_code,
        headers=[
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in OWN_HEADERS
        ],
        body=body,
        etag=f'W/"{hashlib.blake2b(body, digest_size=12).hexdigest()}"',
        rendered_at=now,
        expires_at=now + settings.PUBLIC_CACHE_SECONDS,
    )
    if encoding and entry.compressible:
        entry.encode(encoding, fast=not kept)
    return entry


class LocalStore:
    """Least recently used values of this process, bounded in bytes: at most
    the value of the setting named limit_setting, each value counting size_of(value).

    An entry grows when it gains a compressed form: put() it again to count that.
    """

    def __init__(self, limit_setting, size_of):
        self.limit_setting = limit_setting
        self.size_of = size_of
        self.entries = OrderedDict()
        # The size of each entry as counted in self.size.
        self.sizes = {}
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        limit = getattr(settings, self.limit_setting)
        with self.lock:
            if self.entries.pop(key, None) is not None:
                self.size -= self.sizes.pop(key)
            self.entries[key] = entry
            self.sizes[key] = self.size_of(entry)
            self.size += self.sizes[key]
            while self.size > limit and self.entries:
                evicted, _entry = self.entries.popitem(last=False)
                self.size -= self.sizes.pop(evicted)

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.sizes.clear()
            self.size = 0


local_store = LocalStore("PUBLIC_CACHE_LOCAL_BYTES", size_of=lambda entry: entry.size)


def lookup(key, *, shared=True):
    """The fresh entry for a key, from this process or (when `shared`) the shared cache.

    A key without a content version (see is_versioned) has none.
    """
    if not is_versioned(key):
        return None
    entry = local_store.get(key)
    if entry is None and shared:
        try:
            entry = cache.get(_shared_key(key))
        except Exception:
            entry = None
        if entry is not None:
            local_store.put(key, entry)
    if entry is None or entry.expires_at <= time.time():
        return None
    return entry


def store(key, entry):
    local_store.put(key, entry)
    try:
        cache.set(_shared_key(key), entry, timeout=settings.PUBLIC_CACHE_SECONDS)
    except Exception:
        logger.debug("public cache: could not store an answer in the shared cache")


def is_versioned(key):
    """Whether a key holds a content version, so that its answers may be stored."""
    return not key.startswith("-")


def _shared_key(key):
    return "public-answer:" + hashlib.blake2b(key.encode(), digest_size=20).hexdigest()


def preferred_encoding(accept_encoding):
    accepted = set()
    for part in accept_encoding.split(","):
        coding, _, parameters = part.strip().partition(";")
        if parameters.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            accepted.add(coding.strip().lower())
    for encoding in ENCODINGS:
        if encoding in accepted:
            return encoding
    return None


def is_not_modified(request, entry):
    if_none_match = request.headers.get("if-none-match")
    if if_none_match:
        etags = parse_etags(if_none_match)
        return "*" in etags or entry.etag.removeprefix("W/") in [
            etag.removeprefix("W/") for etag in etags
        ]
    if_modified_since = request.headers.get("if-modified-since")
    return (
        if_modified_since is not None
        and (date := parse_http_date_safe(if_modified_since)) is not None
        and entry.last_modified <= date
    )


def cache_control():
    value = "public, max-age=0, must-revalidate"
    if settings.HTTP_CACHE_SECONDS:
        value += f", s-maxage={settings.HTTP_CACHE_SECONDS}"
    return value
