from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import Event


class EventSitemap(Sitemap):
    """Every public event page; cancelled ones stay so that search engines learn of it.

    /sitemap.xml is an index of sections of at most `limit` addresses, each
    loading only the columns it prints.
    """

    limit = 10_000

    def items(self):
        return Event.objects.public().order_by("pk").only("slug", "updated_at")

    def lastmod(self, event):
        return event.updated_at

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
