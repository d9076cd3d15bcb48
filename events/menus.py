"""The city and technology menus of the list pages.

They count or scan every public event, so they are computed once and shared by
every process through the cache, until a write changes public content; each
process keeps its own copy until then too.
"""

import hashlib

from django.core.cache import cache
from django.db import transaction

from encontros import public_cache

from .models import Event, Technology
from .signals import public_content_changed

MENUS_KEY = "filter-menus"
# A bound for the rare change that a failing cache could not forget.
MENUS_SECONDS = 300


def filter_menus():
    """{"cities": [...], "technologies": [...], "menus_version": ...} for the list
    pages' filters: plain values (cheap to share), and a version that changes
    with them (the rendered form is kept by it, see events.fragments)."""
    return public_cache.kept_until_content_changes(
        MENUS_KEY, _shared_filter_menus, seconds=MENUS_SECONDS
    )


def _shared_filter_menus():
    menus = cache.get(MENUS_KEY)
    if menus is None:
        cities = list(Event.objects.public().cities())
        technologies = list(Technology.objects.public().values("name", "slug"))
        version = hashlib.sha256(repr((cities, technologies)).encode()).hexdigest()
        menus = {"cities": cities, "technologies": technologies, "menus_version": version}
        cache.set(MENUS_KEY, menus, timeout=MENUS_SECONDS)
    return menus


def forget_menus(**kwargs):
    # Now, and again on commit: menus computed in between from the data before
    # the commit are not kept.
    cache.delete(MENUS_KEY)
    transaction.on_commit(lambda: cache.delete(MENUS_KEY))


public_content_changed.connect(forget_menus, dispatch_uid="filter-menus")
