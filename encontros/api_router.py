"""The REST API under /api/ (URL names in the `api` namespace, e.g. `api:event-list`)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from events.api import views

app_name = "api"

router = SimpleRouter()
router.register("events/by-token", views.EventByTokenViewSet, basename="event-by-token")
router.register("events", views.EventViewSet, basename="event")
router.register("technologies", views.TechnologyViewSet, basename="technology")
router.register("cities", views.CityViewSet, basename="city")

urlpatterns = [
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", views.RedocView.as_view(url_name="api:schema"), name="redoc"),
    # Paths without a trailing slash stay unmatched, so CommonMiddleware adds it.
    re_path(r"^(?:.*/)?$", views.not_found, name="not-found"),
]
