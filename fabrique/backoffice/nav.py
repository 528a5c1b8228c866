"""Main navigation of the back-office. Entries whose URL does not exist, or that the user's role
may not open, are skipped."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from fabrique.fabriques.models import Permission

NAV_ITEMS: list[tuple[str, str, str]] = [
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
    (_("Mes signalements"), "backoffice:my_reports", Permission.REPORT),
]
# shown to partners only (staff reach their reports from the needs pages)
PARTNER_ONLY = {"backoffice:my_reports"}


def backoffice_nav(request) -> dict:
    fabrique = getattr(request, "fabrique", None)
    membership = getattr(request, "membership", None)
    if fabrique is None or membership is None:
        return {}
    is_partner = not membership.has_permission(Permission.VIEW)
    items = []
    for label, name, permission in NAV_ITEMS:
        if not membership.has_permission(permission):
            continue
        if name in PARTNER_ONLY and not is_partner:
            continue
        try:
            url = reverse(name, kwargs={"fabrique_slug": fabrique.slug})
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": False})
    path = request.path
    best = max((i for i in items if path.startswith(i["url"])), key=lambda i: len(i["url"]), default=None)
    if best:
        best["active"] = True
    return {"backoffice_nav": items}
