from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse


def server_error(request):
    # Rendered without the request's context processors: they may be what failed.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"APP_TITLE": settings.APP_TITLE}))


def robots_txt(request):
    """Keeps crawlers out of the admin, private edit links and the API."""
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    return render(request, "robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain")
