from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Event


class EventSitemap(Sitemap):
    """Every public event page; cancelled ones stay so that search engines learn of it."""

    def items(self):
        return Event.objects.public().order_by("pk")

    def lastmod(self, event):
        return event.updated_at


class ListSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["events:list", "events:past"]

    def location(self, name):
        return reverse(name)


sitemaps = {"events": EventSitemap, "lists": ListSitemap}
