"""The texts of the e-mails sent to people outside the team (reporters, candidates), which each fabrique
may rewrite from its settings page ("Paramètres › Méthode"). A fabrique's text replaces the main
paragraph of the standard message; greetings, links, the reason of a decision and the signature stay.

A text may use placeholders between braces (`{projet}`); each kind lists the ones it offers. Unknown
placeholders are refused when the text is saved, so a message never goes out with a broken one.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique

MAX_TEXT = 2000


@dataclass(frozen=True)
class EmailText:
    label: Promise
    audience: Promise
    placeholders: tuple[str, ...]


REPORTERS = gettext_lazy("Personnes qui signalent un besoin")
CANDIDATES = gettext_lazy("Candidat·es")

EMAIL_TEXTS: dict[str, EmailText] = {
    "report_received": EmailText(
        gettext_lazy("Accusé de réception d'un signalement"), REPORTERS, ("fabrique", "reference", "titre")
    ),
    "need_retained": EmailText(gettext_lazy("Besoin retenu"), REPORTERS, ("fabrique", "besoin")),
    "need_not_retained": EmailText(gettext_lazy("Besoin non retenu"), REPORTERS, ("fabrique", "besoin")),
    "need_in_study": EmailText(
        gettext_lazy("Étude ouverte sur le besoin"), REPORTERS, ("fabrique", "besoin")
    ),
    "need_answered": EmailText(
        gettext_lazy("Un projet répond au besoin"), REPORTERS, ("fabrique", "besoin", "projet")
    ),
    "enterprise_created": EmailText(
        gettext_lazy("Une entreprise est créée"), REPORTERS, ("fabrique", "projet")
    ),
    "application_received": EmailText(
        gettext_lazy("Accusé de réception d'une candidature"),
        CANDIDATES,
        ("fabrique", "nom", "projet", "appel"),
    ),
    "application_shortlisted": EmailText(
        gettext_lazy("Candidature retenue pour l'examen"), CANDIDATES, ("fabrique", "nom", "projet")
    ),
    "application_selected": EmailText(
        gettext_lazy("Candidature retenue : porteur choisi"), CANDIDATES, ("fabrique", "nom", "projet")
    ),
    "application_not_selected": EmailText(
        gettext_lazy("Candidature non retenue"), CANDIDATES, ("fabrique", "nom", "projet")
    ),
    "application_leader_found": EmailText(
        gettext_lazy("Le projet a trouvé son porteur (autres candidatures)"),
        CANDIDATES,
        ("fabrique", "nom", "projet"),
    ),
    "call_cancelled": EmailText(gettext_lazy("Appel à porteurs annulé"), CANDIDATES, ("fabrique", "appel")),
}


def placeholders_in(text: str) -> list[str]:
    """The placeholder names used in `text`; a French ValidationError when a brace is unbalanced."""
    try:
        return [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise ValidationError(
            _(
                "Accolade mal fermée : écrivez les variables ainsi, {projet} ; pour une accolade seule, doublez-la."
            )
        ) from exc


def check_email_text(key: str, text: str) -> str:
    """The cleaned text of kind `key`, or a French ValidationError."""
    spec = EMAIL_TEXTS[key]
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(_("Ce texte dépasse %(max)s caractères.") % {"max": MAX_TEXT})
    unknown = sorted({name for name in placeholders_in(text) if name not in spec.placeholders})
    if unknown:
        raise ValidationError(
            _("Variable inconnue : %(unknown)s. Variables possibles : %(allowed)s.")
            % {
                "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                "allowed": ", ".join(f"{{{name}}}" for name in spec.placeholders),
            }
        )
    return text


class _Keep(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def custom_email_text(fabrique: Fabrique, key: str, **values: object) -> str:
    """The fabrique's own text for e-mails of kind `key`, placeholders filled; "" when it has none."""
    text = (fabrique.email_texts or {}).get(key, "")
    if not text:
        return ""
    filled = _Keep({name: str(value) for name, value in values.items()})
    filled.setdefault("fabrique", fabrique.name)
    try:
        return string.Formatter().vformat(text, (), filled)
    except (ValueError, IndexError, KeyError):  # saved before a rule changed: send the standard text
        return ""
