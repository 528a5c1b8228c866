from django.urls import path

from . import views

app_name = "network"

urlpatterns = [
    path("", views.NetworkHomeView.as_view(), name="home"),
    path("indicateurs/<str:key>/", views.IndicatorComparisonView.as_view(), name="indicator"),
    path("statuts/", views.NetworkStatusView.as_view(), name="statuses"),
]
