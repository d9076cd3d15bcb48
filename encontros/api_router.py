"""The REST API under /api/ (URL names in the `api` namespace, e.g. `api:event-list`)."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import SimpleRouter

from events.api import views

app_name = "api"

# ReDoc writes its styles at run time (styled-components) and searches in a worker
# started from a blob: the only page whose policy allows either (styles only, no script).
REDOC_POLICY = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})

router = SimpleRouter()
router.register("events/by-token", views.EventByTokenViewSet, basename="event-by-token")
router.register("events", views.EventViewSet, basename="event")
router.register("series", views.SeriesViewSet, basename="series")
router.register("technologies", views.TechnologyViewSet, basename="technology")
router.register("cities", views.CityViewSet, basename="city")

urlpatterns = [
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", REDOC_POLICY(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
    # Paths without a trailing slash stay unmatched, so CommonMiddleware adds it.
    re_path(r"^(?:[\s\S]*/)?$", views.not_found, name="not-found"),
]
