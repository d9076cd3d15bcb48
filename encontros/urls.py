from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from events.sitemaps import sitemaps

from . import health, views

admin.site.site_header = settings.APP_TITLE
admin.site.site_title = settings.APP_TITLE

urlpatterns = [
    path("health", health.health, name="health"),
    path("ready", health.ready, name="ready"),
    path("admin/", admin.site.urls),
    path("api/", include("encontros.api_router")),
    # The language switch used to be a form posting here; open pages may still send it.
    path("i18n/", include("django.conf.urls.i18n")),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps, "template_name": "sitemap_section.xml"},
        name="sitemap-section",
    ),
] + i18n_patterns(path("", include("events.urls")), prefix_default_language=False)
# Uploaded files from MEDIA_ROOT, in development only (DEBUG); production keeps them
# in object storage, served from there.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "encontros.views.bad_request"
handler403 = "encontros.views.permission_denied"
handler404 = "encontros.views.page_not_found"
handler500 = "encontros.views.server_error"
