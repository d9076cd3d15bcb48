from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse

# Rendered without the request's context processors: they may need the
# database (the session behind messages, the user), which may be what failed.


def server_error(request):
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"APP_TITLE": settings.APP_TITLE}))


def rate_limited(request, exception):
    """A client over one of the abuse limits (RATELIMIT_VIEW)."""
    return render(request, "429.html", status=429)


def robots_txt(request):
    """Keeps crawlers out of the admin, private edit links and the API."""
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    return render(request, "robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain")


def service_unavailable(request):
    template = loader.get_template("503.html")
    # The language switch in the header works without the database.
    context = {"APP_TITLE": settings.APP_TITLE, "request": request}
    response = HttpResponse(template.render(context), status=503)
    response["Retry-After"] = "30"
    return response
