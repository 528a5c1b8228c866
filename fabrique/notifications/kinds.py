"""The kinds of notification staff receive, with their default delivery per role.

Reporters and candidates are not users: they receive e-mails only, with their consent
(`fabrique.notifications.outside`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", _("tout de suite")
    DIGEST = "digest", _("dans le résumé quotidien")
    OFF = "off", _("jamais")


@dataclass(frozen=True)
class Kind:
    code: str
    label: StrOrPromise
    # role -> default mode; roles absent: OFF
    defaults: Mapping[str, str] = field(default_factory=dict)


_STAFF = {"admin": Mode.IMMEDIATE, "officer": Mode.IMMEDIATE}
_STAFF_DIGEST = {"admin": Mode.DIGEST, "officer": Mode.DIGEST}
# whoever follows something hears of it (in the digest) whatever their role
_FOLLOWERS = {"admin": Mode.DIGEST, "officer": Mode.DIGEST, "committee": Mode.DIGEST, "reader": Mode.DIGEST}
_PERSONAL = {
    "admin": Mode.IMMEDIATE,
    "officer": Mode.IMMEDIATE,
    "committee": Mode.IMMEDIATE,
    "reader": Mode.IMMEDIATE,
}

KINDS: dict[str, Kind] = {
    k.code: k
    for k in [
        Kind("report_new", _("Nouveau signalement"), {**_STAFF, "reader": Mode.DIGEST}),
        Kind("duplicate_found", _("Doublons probables trouvés"), _STAFF_DIGEST),
        Kind("assigned", _("Un besoin, une étude ou un projet m'est confié"), _PERSONAL),
        Kind("application_received", _("Candidature reçue"), _STAFF),
        Kind("evaluation_requested", _("Évaluation demandée"), _PERSONAL),
        Kind("evaluations_complete", _("Toutes les évaluations sont rendues"), _STAFF),
        Kind(
            "agenda_published",
            _("Ordre du jour d'une séance publié"),
            {**_STAFF, "committee": Mode.IMMEDIATE},
        ),
        Kind("decision_recorded", _("Décision sur un élément suivi"), {**_FOLLOWERS, **_STAFF}),
        Kind("followed_activity", _("Activité sur un élément suivi"), _FOLLOWERS),
        Kind("milestone_due", _("Jalon à échéance dans 7 jours"), _STAFF),
        Kind("milestone_overdue", _("Jalon en retard"), _STAFF),
        Kind("followup_due", _("Point de suivi à +1 an / +3 ans à faire"), _STAFF),
        Kind("funder_deadline", _("Compte rendu à un financeur à échéance"), _STAFF),
        Kind("import_done", _("Import terminé ou en échec"), _PERSONAL),
        Kind("regrouping_done", _("Regroupement terminé ou en échec"), _PERSONAL),
        Kind("webhook_disabled", _("Webhook désactivé après des échecs"), {"admin": Mode.IMMEDIATE}),
        Kind(
            "handover",
            _("Transmission d'un besoin ou d'un projet entre fabriques"),
            {"admin": Mode.IMMEDIATE, "officer": Mode.DIGEST},
        ),
        Kind("replication", _("Un modèle de la fabrique est reproduit ailleurs"), _STAFF_DIGEST),
    ]
}


def default_mode(kind: str, role: str) -> str:
    return KINDS[kind].defaults.get(role, Mode.OFF)
