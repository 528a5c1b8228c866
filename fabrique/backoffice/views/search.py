"""Autocomplete answers for the tables that grow (people, organisations, needs... `autocomplete.SCOPES`): at most
RECORD_SEARCH_LIMIT rows of the member's fabrique, in a fixed number of queries (fabrique.directory.autocomplete)."""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views import View

from fabrique.directory.autocomplete import KINDS, record_search
from fabrique.fabriques.models import Permission

from .base import FabriqueViewMixin


class RecordSearchView(FabriqueViewMixin, View):
    permission = Permission.VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        query = request.GET.get("q", "")[:100]
        kind = request.GET.get("types", "")
        results = record_search(fabrique=self.fabrique, kind=kind, query=query) if kind in KINDS else []
        response = JsonResponse(
            {"query": query, "results": results}, json_dumps_params={"ensure_ascii": False}
        )
        response["Cache-Control"] = "private, no-store"
        return response


urlpatterns = [path("recherche/", RecordSearchView.as_view(), name="record_search")]
