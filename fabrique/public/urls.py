from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accessibilite/", views.StaticPageView.as_view(template_name="public/accessibility.html"),
         name="accessibility"),
    path("donnees-personnelles/", views.StaticPageView.as_view(template_name="public/privacy.html"),
         name="privacy"),
    path("f/<slug:fabrique_slug>/", views.FabriquePublicView.as_view(), name="fabrique"),
]
