"""REST API (OpenAPI at /api/schema/, documentation at /api/docs/). Every endpoint under
v1/<fabrique_slug>/ goes through the same access layer as the back-office."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from . import needs, pipeline, views

app_name = "api"

fabrique_patterns = [
    *views.fabrique_urlpatterns,
    *needs.fabrique_urlpatterns,
    *pipeline.fabrique_urlpatterns,
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # served from local files only (template without web fonts, script from drf-spectacular-sidecar)
    path(
        "docs/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"),
        name="docs",
    ),
    *views.urlpatterns,
    path("v1/<slug:fabrique_slug>/", include(fabrique_patterns)),
]
