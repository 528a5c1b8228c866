"""Template helpers of the territory pages: `{% load territories_tags %}`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique

register = template.Library()

_DETAIL = {
    "commune": ("backoffice:commune_detail", "code"),
    "epci": ("backoffice:epci_detail", "siren"),
    "departement": ("backoffice:departement_detail", "code"),
    "qpv": ("backoffice:qpv_detail", "code"),
}


@register.filter
def population(value: Any) -> str:
    """50973 -> "50 973" (French grouping); "—" when unknown."""
    return "—" if value is None else intcomma(value)


@register.simple_tag
def territory_url(fabrique: Fabrique, kind: str, code: str, commune_kind: str = "") -> str:
    """Back-office page of a territory; a commune déléguée sharing its code gets `?type=`."""
    name, kwarg = _DETAIL[kind]
    url = reverse(name, kwargs={"fabrique_slug": fabrique.slug, kwarg: code})
    if kind == "commune" and commune_kind and commune_kind != "commune-actuelle":
        url += f"?type={commune_kind}"
    return url


@register.simple_tag
def commune_url(fabrique: Fabrique, commune: Any) -> str:
    return territory_url(fabrique, "commune", commune.code, commune.kind)
