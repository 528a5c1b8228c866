"""Main navigation of the back-office. Entries that the user's role may not open are skipped; an
entry whose URL does not exist is a bug and raises."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fabrique.core.http import authenticated_user
from fabrique.fabriques.models import Permission

NAV_ITEMS: list[tuple[Promise, str, str]] = [
    (_("Accueil"), "backoffice:dashboard", Permission.VIEW),
    (_("Pilotage"), "backoffice:pipeline_board", Permission.VIEW),
    (_("Besoins"), "backoffice:need_list", Permission.VIEW),
    (_("Études"), "backoffice:study_list", Permission.VIEW),
    (_("Projets"), "backoffice:project_list", Permission.VIEW),
    (_("Comités"), "backoffice:committee_list", Permission.VIEW),
    (_("Annuaire"), "backoffice:organization_list", Permission.VIEW),
    (_("Chantiers"), "backoffice:workstream_list", Permission.VIEW),
    (_("Territoires"), "backoffice:territory_search", Permission.VIEW),
    (_("Indicateurs"), "backoffice:indicators", Permission.VIEW),
    (_("Réseau"), "backoffice:library", Permission.VIEW),
    (_("Rapports"), "backoffice:reporting_dashboard", Permission.VIEW),
    (_("Paramètres"), "backoffice:fabrique_settings", Permission.MANAGE),
    (_("Mes signalements"), "backoffice:my_reports", Permission.REPORT),
]
# extra URL prefixes (relative to the fabrique's base) that belong to a section
SECTION_ALIASES = {
    "projets/": ("accompagnements/", "entreprises/"),
    "comites/": ("seances/",),
    "indicateurs/": ("carte/", "diagnostics/", "priorites/"),
    "rapports/": ("financeurs/",),
}
# shown to partners only (staff reach their reports from the needs pages)
PARTNER_ONLY = {"backoffice:my_reports"}


def backoffice_nav(request: HttpRequest) -> dict[str, Any]:
    fabrique = getattr(request, "fabrique", None)
    membership = getattr(request, "membership", None)
    if fabrique is None or membership is None:
        return {}
    is_partner = not membership.has_permission(Permission.VIEW)
    items: list[dict[str, Any]] = []
    for label, name, permission in NAV_ITEMS:
        if not membership.has_permission(permission):
            continue
        if name in PARTNER_ONLY and not is_partner:
            continue
        url = reverse(name, kwargs={"fabrique_slug": fabrique.slug})
        items.append({"label": label, "url": url, "active": False})
    path = request.path
    base = reverse("backoffice:dashboard", kwargs={"fabrique_slug": fabrique.slug})
    for item in items:
        # pages reached from another section (support plans, enterprises belong to "Projets")
        item["prefixes"] = [
            item["url"],
            *[base + p for p in SECTION_ALIASES.get(item["url"][len(base) :], ())],
        ]
    candidates = [(len(p), i) for i in items for p in i["prefixes"] if path.startswith(p) and p != base]
    if candidates:
        max(candidates, key=lambda c: c[0])[1]["active"] = True
    elif path == base and items:
        items[0]["active"] = True
    context: dict[str, Any] = {"backoffice_nav": items}
    if not is_partner:  # the API needs the VIEW permission: partners have no use of a token
        context["api_tokens_url"] = reverse("backoffice:api_tokens", kwargs={"fabrique_slug": fabrique.slug})
    return context


def notification_bell(request: HttpRequest) -> dict[str, Any]:
    """The bell of the header: unread notifications of the current fabrique (staff only)."""
    fabrique = getattr(request, "fabrique", None)
    membership = getattr(request, "membership", None)
    if fabrique is None or membership is None or not membership.has_permission(Permission.VIEW):
        return {}
    from fabrique.notifications.selectors import unread_counts
    from fabrique.notifications.services import notifications_mark_read_at

    user = authenticated_user(request)  # a membership is set on the request for a member only
    # one read gives the bell's count and whether this page has unread notifications; opening an
    # object's page reads its notifications, with a write only when there is one to mark
    path = request.path if request.method == "GET" else None
    unread, here = unread_counts(user=user, fabrique=fabrique, path=path)
    if here:
        unread -= notifications_mark_read_at(user=user, fabrique=fabrique, path=request.path)
    return {
        "bell": {
            "unread": max(unread, 0),
            "url": reverse("backoffice:notification_list", kwargs={"fabrique_slug": fabrique.slug}),
            "tasks_url": reverse("backoffice:my_tasks", kwargs={"fabrique_slug": fabrique.slug}),
        }
    }
