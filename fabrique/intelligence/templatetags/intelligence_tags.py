"""Template tags other pages include: `{% load intelligence_tags %}`.

- `{% territory_indicators territory %}` on the commune, EPCI, département and QPV pages;
- `{% territory_activity territory %}` on the same pages: the fabrique's needs there by stage and theme,
  studies, projects, organisations of the directory located there;
- `{% territory_map territory %}` on the same pages: its communes coloured by needs, QPV outlines;
- `{% need_context_panel need %}` on the need page (indicators, flags, nearby needs, existing offer);
- `{% existing_offer need %}` on the qualification page, next to the "not already answered" criterion.

They read `fabrique` and `membership` from the page context (set by FabriqueViewMixin) and show only
that fabrique's data and the shared reference indicators.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.context import Context

from fabrique.fabriques.models import Permission
from fabrique.territories.models import EPCI, Commune

from ..activity import MAX_LISTED, territory_svg
from ..activity import territory_activity as territory_activity_selector
from ..selectors import existing_offer as existing_offer_selector
from ..selectors import need_context
from ..selectors import territory_indicators as territory_indicators_selector

register = template.Library()


def _fabrique(context: Context) -> Any:
    fabrique = context.get("fabrique")
    if fabrique is None:
        request = context.get("request")
        fabrique = getattr(request, "fabrique", None)
    return fabrique


def _can_edit(context: Context) -> bool:
    membership = context.get("membership")
    if membership is None:
        membership = getattr(context.get("request"), "membership", None)
    return bool(membership and membership.has_permission(Permission.EDIT))


@register.inclusion_tag("intelligence/tags/territory_indicators.html", takes_context=True)
def territory_indicators(context: Context, territory: Any) -> dict[str, Any]:
    fabrique = _fabrique(context)
    data = territory_indicators_selector(fabrique=fabrique, territory=territory)
    diagnosis_param = ""
    if isinstance(territory, Commune):
        holder = territory.parent if not territory.is_current and territory.parent is not None else territory
        diagnosis_param = f"commune:{holder.code}"
    elif isinstance(territory, EPCI):
        diagnosis_param = f"epci:{territory.siren}"
    return {
        "fabrique": fabrique,
        "data": data,
        "can_edit": _can_edit(context),
        "diagnosis_param": diagnosis_param,
    }


@register.inclusion_tag("intelligence/tags/territory_activity.html", takes_context=True)
def territory_activity(context: Context, territory: Any) -> dict[str, Any]:
    fabrique = _fabrique(context)
    return {
        "fabrique": fabrique,
        "activity": territory_activity_selector(fabrique=fabrique, territory=territory),
        "max_listed": MAX_LISTED,
    }


@register.inclusion_tag("intelligence/tags/territory_map.html", takes_context=True)
def territory_map(context: Context, territory: Any) -> dict[str, Any]:
    fabrique = _fabrique(context)
    svg, legend = territory_svg(fabrique=fabrique, territory=territory)
    return {"fabrique": fabrique, "svg": svg, "legend": legend, "name": territory.name}


PANEL_LIMIT = 5  # nearby needs and offer items of each kind read for the panel; the context page has them all


@register.inclusion_tag("intelligence/tags/need_context_panel.html", takes_context=True)
def need_context_panel(context: Context, need: Any) -> dict[str, Any]:
    return {"fabrique": _fabrique(context), "ctx": need_context(need=need, limit=PANEL_LIMIT)}


@register.inclusion_tag("intelligence/tags/existing_offer.html", takes_context=True)
def existing_offer(context: Context, need: Any) -> dict[str, Any]:
    return {"fabrique": _fabrique(context), "offer": existing_offer_selector(need=need)}
