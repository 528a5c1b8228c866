from django.urls import include, path

from . import calls, network, notifications, portfolio, reports, suggestions, views

app_name = "public"

fabrique_public_patterns = [
    path("", views.FabriquePublicView.as_view(), name="fabrique"),
    path("logo/", views.LogoView.as_view(), name="fabrique_logo"),
    path("soutiens/<int:pk>/logo/", views.LogoView.as_view(), name="supporter_logo"),
    *reports.urlpatterns,
    *suggestions.urlpatterns,
    *calls.urlpatterns,
    *portfolio.urlpatterns,
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "accessibilite/",
        views.StaticPageView.as_view(template_name="public/accessibility.html"),
        name="accessibility",
    ),
    path(
        "donnees-personnelles/",
        views.StaticPageView.as_view(template_name="public/privacy.html"),
        name="privacy",
    ),
    path("f/<slug:fabrique_slug>/", include(fabrique_public_patterns)),
    *notifications.urlpatterns,
    *network.urlpatterns,
    path("", include("fabrique.public.territories")),
]
