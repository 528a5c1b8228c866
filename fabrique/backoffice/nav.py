"""Main navigation of the back-office. Modules add their entry here; entries whose URL does not
exist yet are skipped, so the menu only shows what is built."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

NAV_ITEMS: list[tuple[str, str]] = [
    (_("Accueil"), "backoffice:dashboard"),
    (_("Besoins"), "backoffice:need_list"),
    (_("Études"), "backoffice:study_list"),
    (_("Projets"), "backoffice:project_list"),
    (_("Comités"), "backoffice:committee_list"),
    (_("Annuaire"), "backoffice:organization_list"),
    (_("Chantiers"), "backoffice:workstream_list"),
    (_("Territoires"), "backoffice:territory_search"),
    (_("Indicateurs"), "backoffice:indicators"),
]


def backoffice_nav(request) -> dict:
    fabrique = getattr(request, "fabrique", None)
    if fabrique is None:
        return {}
    items = []
    path = request.path
    for label, name in NAV_ITEMS:
        try:
            url = reverse(name, kwargs={"fabrique_slug": fabrique.slug})
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": False})
    # the longest matching prefix is the current section
    best = max((i for i in items if path.startswith(i["url"])), key=lambda i: len(i["url"]), default=None)
    if best:
        best["active"] = True
    return {"backoffice_nav": items}
