from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from .models import Event

# A slug that no part of an event page's address contains otherwise.
SLUG = "sitemap-slug-placeholder"


class EventSitemap(Sitemap):
    """Every public event page; cancelled ones stay so that search engines learn of it.

    /sitemap.xml is an index of sections of at most `limit` addresses, each
    loading only the columns it prints.
    """

    limit = 10_000

    def items(self):
        # (slug, day of the last change) pairs: a section lists 10,000 of them,
        # model instances would cost more than the rest of the work. The
        # database gives the day in the site's time zone, as the date filter
        # would, for a fraction of the cost.
        return (
            Event.objects.public()
            .order_by("pk")
            .values_list("slug", TruncDate("updated_at", tzinfo=timezone.get_current_timezone()))
        )

    def location(self, item):
        # One reverse() per section rather than per address. Event slugs are
        # ASCII letters, digits and hyphens (slugify), which reverse() leaves as
        # they are.
        if not hasattr(self, "_path_around_slug"):
            self._path_around_slug = reverse("events:detail", kwargs={"slug": SLUG}).split(SLUG)
        before, after = self._path_around_slug
        return f"{before}{item[0]}{after}"

    def lastmod(self, item):
        return item[1]

    def get_latest_lastmod(self):
        # The default would compute lastmod() of every event.
        return Event.objects.public().aggregate(latest=Max("updated_at"))["latest"]


class ListSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["events:list", "events:past"]

    def location(self, name):
        return reverse(name)


sitemaps = {"events": EventSitemap, "lists": ListSitemap}
