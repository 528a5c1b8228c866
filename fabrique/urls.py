from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.static import serve


class FaviconView(RedirectView):
    permanent = False  # the hashed name changes with the icon

    def get_redirect_url(self, *args, **kwargs) -> str:
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

if settings.DEBUG:
    # only public media (fabrique logos); documents are served by views that check access
    urlpatterns += [path("media/logos/<path:path>", serve, {"document_root": settings.MEDIA_ROOT / "logos"})]
