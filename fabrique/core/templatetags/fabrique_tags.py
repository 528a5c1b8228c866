from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.db import models

if TYPE_CHECKING:
    from fabrique.core.workflow import Workflow
    from fabrique.fabriques.models import Fabrique

register = template.Library()

_BADGES = {
    # stage -> badge colour
    "retained": "green",
    "go": "green",
    "created": "green",
    "selected": "green",
    "granted": "green",
    "done": "green",
    "completed": "green",
    "published": "green",
    "answered": "green",
    "attached": "green",
    "not_retained": "red",
    "no_go": "red",
    "stopped": "red",
    "not_selected": "red",
    "refused": "red",
    "dismissed": "red",
    "cancelled": "red",
    "abandoned": "red",
    "withdrawn": "red",
    "more_evidence": "amber",
    "awaiting_decision": "amber",
    "qualifying": "amber",
    "under_review": "amber",
    "in_progress": "amber",
    "requested": "amber",
}


def fabrique_of(
    obj: models.Model, fabrique: Fabrique | None = None, context: template.Context | None = None
) -> Fabrique | None:
    """The fabrique of `obj` without a query per row: the one given, the one already loaded on the
    object, the page's own (`fabrique` in the template context), or one fetched once per render."""
    if fabrique is not None:
        return fabrique
    fabrique_id = getattr(obj, "fabrique_id", None)
    if fabrique_id is None:
        found: Fabrique | None = getattr(obj, "fabrique", None)
        return found
    cached: Fabrique | None = obj._state.fields_cache.get("fabrique")
    if cached is not None:
        return cached
    if context is not None:
        page_fabrique = context.get("fabrique")
        if getattr(page_fabrique, "pk", None) == fabrique_id:
            return page_fabrique
        key = "fabrique_tags.fabriques"
        if key not in context.render_context:
            context.render_context[key] = {}
        seen: dict[int, Fabrique] = context.render_context[key]
        if fabrique_id not in seen:
            seen[fabrique_id] = obj.fabrique  # type: ignore[attr-defined]
        return seen[fabrique_id]
    return obj.fabrique  # type: ignore[attr-defined,no-any-return]


def _stage_label(
    obj: models.Model, fabrique: Fabrique | None = None, context: template.Context | None = None
) -> str:
    workflow: Workflow = type(obj).workflow  # type: ignore[attr-defined]
    stage: str = getattr(obj, workflow.field)
    default = workflow.label(stage)
    fabrique = fabrique_of(obj, fabrique, context)
    if fabrique is None:
        return default
    return fabrique.stage_label(obj._meta.label_lower, stage, default)


@register.simple_tag(takes_context=True)
def stage_label(context: template.Context, obj: models.Model, fabrique: Fabrique | None = None) -> str:
    """The stage label of `obj`, with the fabrique's own wording when it configured one."""
    return _stage_label(obj, fabrique, context)


@register.filter
def badge_class(stage: str) -> str:
    colour = _BADGES.get(str(stage))
    return f"badge badge-{colour}" if colour else "badge"


@register.inclusion_tag("includes/stage_badge.html", takes_context=True)
def stage_badge(
    context: template.Context, obj: models.Model, fabrique: Fabrique | None = None
) -> dict[str, Any]:
    workflow: Workflow = type(obj).workflow  # type: ignore[attr-defined]
    stage = getattr(obj, workflow.field)
    return {"label": _stage_label(obj, fabrique, context), "css": badge_class(stage)}


@register.filter
def euros(value: object, decimals: int = 2) -> str:
    """An amount the French way: "15 000,50 €" (narrow no-break space between thousands, no-break
    space before the sign, so the amount never wraps). Empty for None."""
    from fabrique.core.text import format_number

    if value is None or value == "":
        return ""
    return f"{format_number(value, decimals=decimals)}\u00a0€"


@register.filter
def number_fr(value: object, decimals: int = -1) -> str:
    """A number the French way: "15 000,5" (grouped thousands, decimal comma). `decimals` = -1 shows
    the decimals only when there are some ("2,5", "3"); otherwise that many decimals."""
    from fabrique.core.text import format_number

    if value is None or value == "":
        return ""
    return format_number(value, decimals=decimals)
