from django.conf import settings
from django.http import HttpResponseServerError
from django.template import loader


def server_error(request):
    # Rendered without the request's context processors: they may be what failed.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"APP_TITLE": settings.APP_TITLE}))
