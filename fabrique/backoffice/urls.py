"""Back-office URLs. Every view under <fabrique_slug>/ goes through FabriqueViewMixin.

The permission-matrix test (tests/matrix/test_matrix.py) discovers every URL here and fails
on any URL missing from its expectation table (tests/matrix/).
"""

from django.urls import include, path

from .views import (
    calendars,
    closures,
    committees,
    directory,
    grouping,
    home,
    imports,
    intelligence,
    method,
    needs,
    network,
    notifications,
    partners,
    pipeline,
    projects,
    recruitment,
    reporting,
    scale_up,
    search,
    settings,
    studies,
    support,
    territories,
    tokens,
    webhooks,
    workstreams,
)

app_name = "backoffice"

fabrique_patterns = [
    *home.fabrique_urlpatterns,
    *directory.urlpatterns,
    *workstreams.urlpatterns,
    *territories.urlpatterns,
    *needs.urlpatterns,
    *grouping.urlpatterns,
    *committees.urlpatterns,
    *studies.urlpatterns,
    *projects.urlpatterns,
    *partners.urlpatterns,
    *scale_up.urlpatterns,
    *closures.urlpatterns,
    *recruitment.urlpatterns,
    *support.urlpatterns,
    *pipeline.urlpatterns,
    *imports.urlpatterns,
    *reporting.urlpatterns,
    *intelligence.urlpatterns,
    *settings.urlpatterns,
    *method.urlpatterns,
    *notifications.urlpatterns,
    *webhooks.urlpatterns,
    *calendars.urlpatterns,
    *network.urlpatterns,
    *search.urlpatterns,
    *tokens.urlpatterns,
]

urlpatterns = [
    *home.urlpatterns,
    path("<slug:fabrique_slug>/", include(fabrique_patterns)),
]
