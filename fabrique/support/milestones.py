"""The milestones proposed when a support starts, per path: the creation of a new enterprise, or the
change of scale of an existing structure (an ESS structure extends an activity to a new territory).

Each fabrique may replace either list from its settings ("Paramètres › Méthode"); it is stored on the
fabrique as `milestone_templates = {"creation": [[title, months], ...], "scale_up": [...]}`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import DEFAULT_MILESTONES

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique
    from fabrique.projects.models import Project

MAX_MILESTONES = 20
MAX_MONTHS = 120

PATHS = {
    "creation": gettext_lazy("Création d'une entreprise"),
    "scale_up": gettext_lazy("Changement d'échelle d'une structure existante"),
}

DEFAULT_TEMPLATES = {
    "creation": list(zip(DEFAULT_MILESTONES, (2, 4, 6, 8, 10, 12), strict=True)),
    "scale_up": [
        (gettext_lazy("Diagnostic du nouveau territoire"), 2),
        (gettext_lazy("Partenaires locaux mobilisés"), 3),
        (gettext_lazy("Modèle adapté au territoire"), 4),
        (gettext_lazy("Financement de l'essaimage bouclé"), 6),
        (gettext_lazy("Équipe locale recrutée"), 8),
        (gettext_lazy("Démarrage de l'activité sur le territoire"), 10),
    ],
}


def path_of(project: Project) -> str:
    from fabrique.projects.models import RecruitmentMode

    return "scale_up" if project.recruitment_mode == RecruitmentMode.SCALE_UP else "creation"


def milestone_template(fabrique: Fabrique, path: str) -> list[tuple[str, int]]:
    """(title, months after the start) of each proposed milestone of `path`, the fabrique's own if set."""
    own = (fabrique.milestone_templates or {}).get(path)
    if own:
        return [(str(title), int(months)) for title, months in own]
    return [(str(title), months) for title, months in DEFAULT_TEMPLATES[path]]


def format_template(rows: list[tuple[str, int]]) -> str:
    return "\n".join(f"{title} | {months}" for title, months in rows)


def parse_template(text: str) -> list[list[str | int]]:
    """Lines "Titre | mois" → [[title, months], ...]; a French ValidationError naming the bad line."""
    rows: list[list[str | int]] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        title, sep, months_text = line.rpartition("|")
        title, months_text = title.strip(), months_text.strip()
        if not sep or not title:
            raise ValidationError(
                _(
                    "Ligne %(n)s : écrivez « Titre du jalon | nombre de mois », par exemple « Local trouvé | 6 »."
                )
                % {"n": number}
            )
        if len(title) > 200:
            raise ValidationError(_("Ligne %(n)s : le titre dépasse 200 caractères.") % {"n": number})
        if not months_text.isdigit() or not 0 <= int(months_text) <= MAX_MONTHS:
            raise ValidationError(
                _("Ligne %(n)s : « %(value)s » n'est pas un nombre de mois entre 0 et %(max)s.")
                % {"n": number, "value": months_text, "max": MAX_MONTHS}
            )
        rows.append([title, int(months_text)])
    if len(rows) > MAX_MILESTONES:
        raise ValidationError(_("Au plus %(max)s jalons.") % {"max": MAX_MILESTONES})
    return rows
