from typing import Any

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


class FaviconView(RedirectView):
    permanent = False  # the hashed name changes with the icon

    def get_redirect_url(self, *args: Any, **kwargs: Any) -> str:
        return static("fabrique/img/logo.svg")  # at request time: the hashed name once collected


urlpatterns = [
    path("", include("fabrique.public.urls")),
    path("compte/", include("fabrique.accounts.urls")),
    path("espace/", include("fabrique.backoffice.urls")),
    path("api/", include("fabrique.api.urls")),
    path("reseau/", include("fabrique.network.urls")),
    path("admin-technique/", admin.site.urls),
    # browsers ask for /favicon.ico whatever the page says: answer with the fabrique's icon
    path("favicon.ico", FaviconView.as_view()),
]
# No media URL: every uploaded file is in the private storage, served by views that check access.

# French error pages; a database that is down answers 503 (see fabrique.core.handlers)
handler500 = "fabrique.core.handlers.server_error"
handler400 = "fabrique.core.handlers.bad_request"
handler403 = "fabrique.core.handlers.permission_denied"
handler404 = "fabrique.core.handlers.page_not_found"
