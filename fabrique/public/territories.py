"""Public JSON endpoint of the territory search (the autocomplete of every territory field).

GET /territoires/recherche/?q=st+herblain&types=commune,epci&limit=10
-> {"query": "st herblain", "results": [{"value": "commune:44162", "kind": "commune", "code": "44162",
    "label": "Saint-Herblain (44) — commune", "population": 50973, "context": "...", ...}]}

Reference data only (no fabrique's data), so it needs no login and may be cached.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET

from fabrique.territories.selectors import KINDS, territory_search

DEFAULT_LIMIT = 10
MAX_LIMIT = 20


@require_GET
def territory_search_view(request: HttpRequest) -> JsonResponse:
    query = request.GET.get("q", "")[:100]
    types = [t for t in request.GET.get("types", "").split(",") if t in KINDS] or list(KINDS)
    try:
        limit = min(max(int(request.GET.get("limit", DEFAULT_LIMIT)), 1), MAX_LIMIT)
    except ValueError:
        limit = DEFAULT_LIMIT
    hits = territory_search(query=query, kinds=types, limit=limit)
    response = JsonResponse(
        {"query": query, "results": [{"value": f"{hit.kind}:{hit.code}", **hit.as_dict()} for hit in hits]},
        json_dumps_params={"ensure_ascii": False},
    )
    patch_cache_control(response, public=True, max_age=3600)
    patch_vary_headers(response, ["Accept-Language"])
    return response


urlpatterns = [
    path("territoires/recherche/", territory_search_view, name="territory_search"),
]
