from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import defaults

from events.api.exceptions import error_response


def is_api_request(request):
    """Every answer under /api/ is JSON, errors included (see events.api.exceptions)."""
    return request.path_info.startswith("/api/")


def bad_request(request, exception):
    if is_api_request(request):
        return error_response(400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api_request(request):
        return error_response(403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if is_api_request(request):
        return error_response(404)
    return defaults.page_not_found(request, exception)


# The next two pages are rendered without the request's context processors: they
# may need the database (the session behind messages, the user), which may be
# what failed.


def server_error(request):
    if is_api_request(request):
        return error_response(500)
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"APP_TITLE": settings.APP_TITLE}))


def rate_limited(request, exception):
    """A client over one of the abuse limits (RATELIMIT_VIEW)."""
    return render(request, "429.html", status=429)


def robots_txt(request):
    """Keeps crawlers out of the admin, private edit links and the API."""
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    return render(request, "robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain")


BUSY_MESSAGE = _(
    "The site could not finish your request because of others made at the same "
    "time. Nothing was changed: please try again in a few seconds."
)


def service_unavailable(request, *, busy=False):
    """The 503 page: the database is unreachable or, when `busy`, it refused this
    one request (a conflict with others, or a statement over its time bound)."""
    retry_after = "5" if busy else "30"
    if is_api_request(request):
        response = error_response(503, message=BUSY_MESSAGE if busy else None)
        response["Retry-After"] = retry_after
        return response
    template = loader.get_template("503.html")
    # The language switch in the header works without the database.
    context = {
        "APP_TITLE": settings.APP_TITLE,
        "request": request,
        "busy": busy,
        "busy_message": BUSY_MESSAGE,
    }
    response = HttpResponse(template.render(context), status=503)
    response["Retry-After"] = retry_after
    return response
