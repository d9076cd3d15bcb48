from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from encontros import health

admin.site.site_header = settings.APP_TITLE
admin.site.site_title = settings.APP_TITLE

urlpatterns = [
    path("health", health.health, name="health"),
    path("ready", health.ready, name="ready"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("django_prometheus.urls")),
    path("", include("events.urls")),
]

handler500 = "encontros.views.server_error"
