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


@register.simple_tag
def stage_label(obj: models.Model, fabrique: Fabrique | None = None) -> str:
    """The stage label of `obj`, with the fabrique's own wording when it configured one."""
    workflow: Workflow = type(obj).workflow  # type: ignore[attr-defined]
    stage: str = getattr(obj, workflow.field)
    default = workflow.label(stage)
    fabrique = fabrique or getattr(obj, "fabrique", None)
    if fabrique is None:
        return default
    return fabrique.stage_label(obj._meta.label_lower, stage, default)


@register.filter
def badge_class(stage: str) -> str:
    colour = _BADGES.get(str(stage))
    return f"badge badge-{colour}" if colour else "badge"


@register.inclusion_tag("includes/stage_badge.html")
def stage_badge(obj: models.Model, fabrique: Fabrique | None = None) -> dict[str, Any]:
    workflow: Workflow = type(obj).workflow  # type: ignore[attr-defined]
    stage = getattr(obj, workflow.field)
    return {"label": stage_label(obj, fabrique), "css": badge_class(stage)}
