from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

urlpatterns = [
    path("", include("fabrique.public.urls")),
    path("compte/", include("fabrique.accounts.urls")),
    path("espace/", include("fabrique.backoffice.urls")),
    path("api/", include("fabrique.api.urls")),
    path("reseau/", include("fabrique.network.urls")),
    path("admin-technique/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
