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
    # only public media (fabrique logos); documents are served by views that check access
    urlpatterns += [path("media/logos/<path:path>", serve, {"document_root": settings.MEDIA_ROOT / "logos"})]

# French error pages; a database that is down answers 503 (see fabrique.core.handlers)
handler500 = "fabrique.core.handlers.server_error"
