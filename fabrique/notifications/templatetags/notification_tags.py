"""`{% follow_button obj %}`: follow / stop following a need, study, project, call or chantier."""

from django import template
from django.db.models import Model
from django.template import Context
from django.urls import reverse

from fabrique.notifications.selectors import is_following

register = template.Library()


@register.inclusion_tag("backoffice/notifications/_follow_button.html", takes_context=True)
def follow_button(context: Context, target: Model) -> dict[str, object]:
    request = context["request"]
    fabrique = context.get("fabrique")
    if fabrique is None or not request.user.is_authenticated:
        return {"show": False}
    return {
        "show": True,
        "following": is_following(user=request.user, target=target),
        "in_charge": getattr(target, "officer_id", None) == request.user.pk,
        "action": reverse(
            "backoffice:follow",
            kwargs={"fabrique_slug": fabrique.slug, "model": target._meta.label_lower, "pk": target.pk},
        ),
        "next": request.path,
        "csrf_token": context.get("csrf_token"),
    }
