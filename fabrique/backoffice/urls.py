"""Back-office URLs. Every view under <fabrique_slug>/ goes through FabriqueViewMixin.

The permission-matrix test (tests/matrix/test_matrix.py) discovers every URL here and fails
on any URL missing from its expectation table (tests/matrix/).
"""

from django.urls import include, path

from .views import (
    calendars,
    committees,
    directory,
    grouping,
    home,
    imports,
    intelligence,
    needs,
    network,
    notifications,
    pipeline,
    projects,
    recruitment,
    reporting,
    search,
    settings,
    studies,
    support,
    territories,
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
    *recruitment.urlpatterns,
    *support.urlpatterns,
    *pipeline.urlpatterns,
    *imports.urlpatterns,
    *reporting.urlpatterns,
    *intelligence.urlpatterns,
    *settings.urlpatterns,
    *notifications.urlpatterns,
    *webhooks.urlpatterns,
    *calendars.urlpatterns,
    *network.urlpatterns,
    *search.urlpatterns,
]

urlpatterns = [
    *home.urlpatterns,
    path("<slug:fabrique_slug>/", include(fabrique_patterns)),
]
