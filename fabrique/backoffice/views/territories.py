"""Back-office pages of the territories: search, and a page per commune, EPCI, département and QPV.

Reference data shared by every fabrique, so any member may read it (Permission.VIEW). Unknown
codes answer a French 404 page. Other modules (indicators, needs, maps) fill the template blocks.
"""

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from fabrique.fabriques.models import Permission
from fabrique.territories.models import Commune
from fabrique.territories.selectors import (
    KINDS,
    commune_detail,
    departement_detail,
    epci_detail,
    qpv_detail,
    territory_search,
)

from .base import FabriqueViewMixin

SEARCH_LIMIT = 30
KIND_CHOICES = [
    ("", gettext_lazy("Tous les types")),
    ("commune", gettext_lazy("Communes")),
    ("epci", gettext_lazy("Intercommunalités (EPCI)")),
    ("departement", gettext_lazy("Départements")),
    ("qpv", gettext_lazy("Quartiers prioritaires (QPV)")),
]


class TerritorySearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Nom, code postal ou code"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=KIND_CHOICES, required=False)


class TerritorySearchView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/territories/search.html"

    def is_fragment(self) -> bool:
        """An htmx request for the results only (live search)."""
        htmx: Any = getattr(self.request, "htmx", None)  # django-htmx's details, when the middleware runs
        return bool(htmx) and htmx.target == "territory-results"

    def get_template_names(self) -> list[str]:
        return ["backoffice/territories/_results.html"] if self.is_fragment() else [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = TerritorySearchForm(self.request.GET or None)
        hits: list[Any] = []
        query = ""
        if form.is_valid():
            query = form.cleaned_data["q"].strip()
            kinds = [form.cleaned_data["type"]] if form.cleaned_data["type"] else list(KINDS)
            hits = territory_search(query=query, kinds=kinds, limit=SEARCH_LIMIT) if query else []
        context.update(form=form, hits=hits, query=query, is_fragment=self.is_fragment())
        return context


class TerritoryDetailView(FabriqueViewMixin, TemplateView):
    """Base of the detail pages: `load(**kwargs)` returns the context, or None for an unknown code."""

    permission = Permission.VIEW
    not_found_message: str | Promise = ""

    def load(self, *, code: str) -> dict[str, Any] | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        code = next(v for k, v in kwargs.items() if k != "fabrique_slug")
        data = self.load(code=code)
        if data is None:
            context = super().get_context_data(
                message=str(self.not_found_message) % {"code": code}, code=code
            )
            return TemplateResponse(request, "backoffice/territories/not_found.html", context, status=404)
        return self.render_to_response(self.get_context_data(**data))


class CommuneDetailView(TerritoryDetailView):
    template_name = "backoffice/territories/commune_detail.html"
    not_found_message = gettext_lazy("Aucune commune ne porte le code INSEE « %(code)s ».")

    def load(self, *, code: str) -> dict[str, Any] | None:
        kind = self.request.GET.get("type", "")
        return commune_detail(code=code, kind=kind if kind in Commune.Kind.values else None)


class EpciDetailView(TerritoryDetailView):
    template_name = "backoffice/territories/epci_detail.html"
    not_found_message = gettext_lazy("Aucune intercommunalité ne porte le SIREN « %(code)s ».")

    def load(self, *, code: str) -> dict[str, Any] | None:
        return epci_detail(siren=code)


class DepartementDetailView(TerritoryDetailView):
    template_name = "backoffice/territories/departement_detail.html"
    not_found_message = gettext_lazy("Aucun département ne porte le code « %(code)s ».")

    def load(self, *, code: str) -> dict[str, Any] | None:
        return departement_detail(code=code)


class QpvDetailView(TerritoryDetailView):
    template_name = "backoffice/territories/qpv_detail.html"
    not_found_message = gettext_lazy("Aucun quartier prioritaire ne porte le code « %(code)s ».")

    def load(self, *, code: str) -> dict[str, Any] | None:
        return qpv_detail(code=code)


urlpatterns = [
    path("territoires/", TerritorySearchView.as_view(), name="territory_search"),
    path("territoires/communes/<str:code>/", CommuneDetailView.as_view(), name="commune_detail"),
    path("territoires/epci/<str:siren>/", EpciDetailView.as_view(), name="epci_detail"),
    path("territoires/departements/<str:code>/", DepartementDetailView.as_view(), name="departement_detail"),
    path("territoires/qpv/<str:code>/", QpvDetailView.as_view(), name="qpv_detail"),
]
