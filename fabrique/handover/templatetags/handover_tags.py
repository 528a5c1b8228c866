"""`{% handover_box obj %}` on a need's or a project's page: the open offer, where it came from, and
the "offer to another fabrique" button for the admins (one query)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q

from fabrique.handover.models import HandOver, HandOverStatus

register = template.Library()


@register.inclusion_tag("handover/_box.html", takes_context=True)
def handover_box(context: dict[str, Any], obj: Any) -> dict[str, Any]:
    field = "need" if obj._meta.model_name == "need" else "project"
    rows = list(
        HandOver.objects.filter(**{field: obj})
        .filter(
            Q(status=HandOverStatus.OFFERED) | Q(status=HandOverStatus.ACCEPTED, to_fabrique=obj.fabrique_id)
        )
        .select_related("from_fabrique", "to_fabrique")
        .order_by("-created_at")[:2]
    )
    return {
        "fabrique": context.get("fabrique"),
        "obj": obj,
        "kind": field,
        "can_manage": context.get("can_manage"),
        "can_edit": context.get("can_edit"),
        "open_offer": next((h for h in rows if h.status == HandOverStatus.OFFERED), None),
        "received": next((h for h in rows if h.status == HandOverStatus.ACCEPTED), None),
    }
