"""What each kind of import can fill: the target fields, their French labels, how a cell is read,
and the column names that usually hold them (to guess the mapping)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fabrique.core.choices import Public, ReporterType, Theme
from fabrique.core.text import fold
from fabrique.directory.models import LegalBasis, OrganizationKind, Purpose
from fabrique.needs.models import ReportSource

from .models import ImportKind


@dataclass(frozen=True)
class Target:
    key: str
    label: str | Promise
    parser: str  # text, email, siren, date, choice, bool, commune, organization, phone
    required: bool = False
    max_length: int | None = None
    choices: tuple[tuple[str, str | Promise], ...] = ()
    synonyms: tuple[str, ...] = ()
    default_allowed: bool = False  # a value chosen on the mapping page for the rows without one
    help: str | Promise = ""

    @property
    def choice_pairs(self) -> list[tuple[str, str]]:
        return [(code, str(label)) for code, label in self.choices]


@dataclass(frozen=True)
class Schema:
    kind: str
    targets: tuple[Target, ...] = field(default_factory=tuple)

    def target(self, key: str) -> Target:
        return next(t for t in self.targets if t.key == key)

    @property
    def keys(self) -> list[str]:
        return [t.key for t in self.targets]


def _choices(choices: type) -> tuple[tuple[str, str | Promise], ...]:
    return tuple(choices.choices)  # type: ignore[attr-defined]


ORGANIZATIONS = Schema(
    ImportKind.ORGANIZATIONS,
    (
        Target(
            "name",
            _("nom"),
            "text",
            required=True,
            max_length=200,
            synonyms=(
                "nom",
                "raison sociale",
                "structure",
                "denomination",
                "organisation",
                "nom de la structure",
            ),
        ),
        Target(
            "kind",
            _("type de structure"),
            "choice",
            required=True,
            choices=_choices(OrganizationKind),
            synonyms=("type", "type de structure", "categorie", "statut", "forme"),
            default_allowed=True,
        ),
        Target("siren", _("SIREN ou SIRET"), "siren", synonyms=("siren", "siret", "n siren", "numero siren")),
        Target(
            "commune",
            _("commune (nom ou code INSEE)"),
            "commune",
            synonyms=("commune", "ville", "code insee", "localite"),
        ),
        Target("address", _("adresse"), "text", max_length=300, synonyms=("adresse", "rue")),
        Target("postal_code", _("code postal"), "text", max_length=10, synonyms=("code postal", "cp")),
        Target(
            "website",
            _("site web"),
            "text",
            max_length=200,
            synonyms=("site", "site web", "site internet", "url"),
        ),
        Target(
            "email", _("e-mail"), "email", synonyms=("email", "e mail", "mail", "courriel", "adresse e mail")
        ),
        Target("phone", _("téléphone"), "phone", synonyms=("telephone", "tel", "portable", "fixe")),
        Target(
            "description",
            _("description"),
            "text",
            max_length=5000,
            synonyms=("description", "activite", "presentation", "commentaire", "notes"),
        ),
    ),
)

PEOPLE = Schema(
    ImportKind.PEOPLE,
    (
        Target(
            "last_name",
            _("nom"),
            "text",
            required=True,
            max_length=150,
            synonyms=("nom", "nom de famille", "last name"),
        ),
        Target("first_name", _("prénom"), "text", max_length=150, synonyms=("prenom", "first name")),
        Target("email", _("e-mail"), "email", synonyms=("email", "e mail", "mail", "courriel")),
        Target("phone", _("téléphone"), "phone", synonyms=("telephone", "tel", "portable", "mobile")),
        Target(
            "organization",
            _("structure (nom ou SIREN, déjà dans l'annuaire)"),
            "organization",
            synonyms=("structure", "organisation", "employeur", "entreprise", "association"),
        ),
        Target(
            "job_title",
            _("fonction"),
            "text",
            max_length=200,
            synonyms=("fonction", "poste", "titre", "role"),
        ),
        Target("notes", _("notes"), "text", max_length=5000, synonyms=("notes", "commentaire", "remarques")),
        Target(
            "purpose",
            _("finalité du traitement"),
            "choice",
            required=True,
            choices=_choices(Purpose),
            synonyms=("finalite",),
            default_allowed=True,
        ),
        Target(
            "legal_basis",
            _("base légale"),
            "choice",
            required=True,
            choices=_choices(LegalBasis),
            synonyms=("base legale",),
            default_allowed=True,
        ),
        Target(
            "consent_given",
            _("consentement recueilli (oui / non)"),
            "bool",
            synonyms=("consentement", "rgpd", "accord"),
        ),
        Target(
            "consent_date",
            _("date du consentement"),
            "date",
            synonyms=("date du consentement", "date consentement"),
        ),
    ),
)

REPORTS = Schema(
    ImportKind.REPORTS,
    (
        Target(
            "title",
            _("ce qui manque (titre)"),
            "text",
            required=True,
            max_length=200,
            synonyms=("titre", "besoin", "ce qui manque", "intitule", "objet"),
        ),
        Target(
            "description",
            _("description"),
            "text",
            max_length=5000,
            synonyms=("description", "detail", "details", "commentaire"),
        ),
        Target(
            "public",
            _("public concerné"),
            "choice",
            choices=_choices(Public),
            synonyms=("public", "public concerne", "publics"),
        ),
        Target(
            "theme",
            _("thème"),
            "choice",
            choices=_choices(Theme),
            synonyms=("theme", "thematique", "domaine", "secteur"),
        ),
        Target(
            "commune",
            _("commune (nom ou code INSEE)"),
            "commune",
            synonyms=("commune", "ville", "code insee", "territoire"),
        ),
        Target("place", _("quartier ou lieu"), "text", max_length=200, synonyms=("quartier", "lieu")),
        Target(
            "reported_on",
            _("date du signalement"),
            "date",
            synonyms=("date", "date du signalement", "signale le", "date de remontee"),
        ),
        Target(
            "source",
            _("canal"),
            "choice",
            choices=_choices(ReportSource),
            synonyms=("canal", "source", "origine"),
            default_allowed=True,
        ),
        Target(
            "reporter_name",
            _("nom de la personne qui signale"),
            "text",
            max_length=200,
            synonyms=("signale par", "nom du contact", "contact", "personne"),
        ),
        Target(
            "reporter_organization_name",
            _("structure qui signale"),
            "text",
            max_length=200,
            synonyms=("structure", "organisation", "structure du contact"),
        ),
        Target(
            "reporter_email",
            _("e-mail de la personne"),
            "email",
            synonyms=("email", "e mail", "mail", "courriel"),
        ),
        Target("reporter_phone", _("téléphone de la personne"), "phone", synonyms=("telephone", "tel")),
        Target(
            "reporter_type",
            _("qui signale (type)"),
            "choice",
            choices=_choices(ReporterType),
            synonyms=("type de contact", "vous etes", "type de structure"),
        ),
        Target(
            "evidence",
            _("éléments de preuve"),
            "text",
            max_length=5000,
            synonyms=("preuves", "elements de preuve", "sources", "chiffres"),
        ),
    ),
)

SCHEMAS = {s.kind: s for s in (ORGANIZATIONS, PEOPLE, REPORTS)}


def guess_mapping(schema: Schema, header: list[str]) -> dict[str, int | None]:
    """target key -> column index whose folded name is the target's label or one of its synonyms."""
    folded = [fold(h) for h in header]
    used: set[int] = set()
    mapping: dict[str, int | None] = {}
    for target in schema.targets:
        names = [fold(str(target.label)), *target.synonyms]
        found = None
        for name in names:  # exact names first, in the order of preference
            for index, column in enumerate(folded):
                if index not in used and column == name:
                    found = index
                    break
            if found is not None:
                break
        mapping[target.key] = found
        if found is not None:
            used.add(found)
    return mapping
