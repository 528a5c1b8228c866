from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("fabrique.public.urls")),
    path("compte/", include("fabrique.accounts.urls")),
    path("espace/", include("fabrique.backoffice.urls")),
    path("api/", include("fabrique.api.urls")),
    path("reseau/", include("fabrique.network.urls")),
    path("admin-technique/", admin.site.urls),
]
# No media URL: every uploaded file is in the private storage, served by views that check access.

# French error pages; a database that is down answers 503 (see fabrique.core.handlers)
handler500 = "fabrique.core.handlers.server_error"
