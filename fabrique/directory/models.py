"""The ecosystem directory: organisations (structures), people (contacts) and the contact history.

Rows are written only by `fabrique.directory.services`; `clean()` holds the checks that need
nothing but the row itself, the services hold the rest (tenant consistency, duplicates).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.core.limits import LONG_TEXT, validate_sane_date
from fabrique.core.models import TenantModel
from fabrique.recruitment.storage import logo_path, private_storage

from .validators import (
    commune_postal_codes,
    phone_display,
    validate_phone,
    validate_postal_code,
    validate_siren,
)

RETENTION_YEARS = 3


class OrganizationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("commune")
    EPCI = "epci", _("EPCI (intercommunalité)")
    DEPARTEMENT = "departement", _("département")
    ASSOCIATION = "association", _("association")
    SIAE = "siae", _("SIAE (insertion par l'activité économique)")
    COOPERATIVE = "cooperative", _("coopérative")
    COMPANY = "company", _("entreprise")
    SOCIAL_LANDLORD = "social-landlord", _("bailleur social")
    FUNDER = "funder", _("financeur")
    SUPPORT_NETWORK = "support-network", _("réseau d'accompagnement")
    FOUNDATION = "foundation", _("fondation")
    OTHER = "other", _("autre")


class EcosystemRole(models.TextChoices):
    """What an organisation is to the fabrique; several at once."""

    REPORTER = "reporter", _("capteur (signale des besoins)")
    PARTNER = "partner", _("partenaire")
    FUNDER = "funder", _("financeur")
    SUPPORT_NETWORK = "support-network", _("réseau d'accompagnement")
    CANDIDATE = "candidate", _("porteur candidat")
    COPIL_MEMBER = "copil-member", _("membre du comité de pilotage")


def validate_roles(value: object) -> None:
    if not isinstance(value, list) or any(v not in EcosystemRole.values for v in value):
        raise ValidationError(_("Rôle inconnu dans l'écosystème."), code="invalid_role")


class SupporterKind(models.TextChoices):
    FUNDER = "funder", _("financeur")
    PARTNER = "partner", _("partenaire")


class Organization(TenantModel):
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type de structure"), max_length=30, choices=OrganizationKind.choices)
    siren = models.CharField(
        _("SIREN"),
        max_length=11,
        blank=True,
        validators=[validate_siren],
        help_text=_("9 chiffres, facultatif."),
    )
    commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(
        _("code postal"), max_length=5, blank=True, validators=[validate_postal_code]
    )
    website = models.URLField(_("site web"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True, validators=[validate_phone])
    description = models.TextField(_("présentation"), blank=True, max_length=LONG_TEXT)
    roles = models.JSONField(
        _("rôles dans l'écosystème"), default=list, blank=True, validators=[validate_roles]
    )
    # the fabrique's public page shows its supporters (funders and partners) with their logo
    public_supporter = models.CharField(
        _("soutien affiché sur la page publique"),
        max_length=10,
        choices=SupporterKind.choices,
        blank=True,
        help_text=_("Financeur ou partenaire montré, avec son logo, sur la page publique de la fabrique."),
    )
    logo = models.ImageField(_("logo"), upload_to=logo_path, storage=private_storage, blank=True)
    normalized_name = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        verbose_name = _("structure")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["fabrique", "normalized_name"], name="org_fabrique_normname"),
            models.Index(fields=["fabrique", "siren"], name="org_fabrique_siren"),
            # the organisations list: the fabrique's live rows in their default order, a page at a time
            models.Index(
                fields=["fabrique", "name", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="org_fabrique_list",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.postal_code and self.commune is not None:
            codes = commune_postal_codes(self.commune)
            if codes and self.postal_code not in codes:
                raise ValidationError(
                    {
                        "postal_code": _(
                            "Le code postal %(code)s ne correspond pas à la commune %(commune)s (%(codes)s)."
                        )
                        % {
                            "code": self.postal_code,
                            "commune": self.commune.name,
                            "codes": ", ".join(sorted(codes)),
                        }
                    }
                )

    @property
    def role_labels(self) -> list[str]:
        labels = dict(EcosystemRole.choices)
        return [str(labels[r]) for r in self.roles if r in labels]

    @property
    def phone_display(self) -> str:
        return phone_display(self.phone)


class Purpose(models.TextChoices):
    """Why the fabrique keeps this person's data (GDPR, art. 5-1-b)."""

    NEED_REPORTS = "need-reports", _("suivi des signalements")
    WORKSTREAMS = "workstreams", _("animation des chantiers")
    COMMITTEES = "committees", _("comités")
    PROJECT_SUPPORT = "project-support", _("accompagnement de projet")
    LEADER_PROSPECTING = "leader-prospecting", _("prospection de porteurs")
    OTHER = "other", _("autre")


class LegalBasis(models.TextChoices):
    """GDPR art. 6 legal basis of the processing."""

    CONSENT = "consent", _("consentement")
    LEGITIMATE_INTEREST = "legitimate-interest", _("intérêt légitime")
    PUBLIC_INTEREST = "public-interest", _("mission d'intérêt public")


def default_retention_until() -> datetime.date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + RETENTION_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + RETENTION_YEARS, day=28)


class Person(TenantModel):
    audit_masked_fields = ("email", "phone", "notes")  # contact details never copied into the audit log

    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True, validators=[validate_phone])
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("structure"),
    )
    job_title = models.CharField(_("fonction"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=LONG_TEXT)
    # GDPR
    consent_given = models.BooleanField(_("consentement recueilli"), default=False)
    consent_date = models.DateField(
        _("date du consentement"), null=True, blank=True, validators=[validate_sane_date]
    )
    consent_source = models.CharField(
        _("comment le consentement a été recueilli"),
        max_length=255,
        blank=True,
        help_text=_("Par exemple : formulaire d'inscription à l'atelier du 12 mars, e-mail de réponse."),
    )
    purpose = models.CharField(_("finalité du traitement"), max_length=30, choices=Purpose.choices)
    legal_basis = models.CharField(_("base légale"), max_length=30, choices=LegalBasis.choices)
    retention_until = models.DateField(
        _("conserver jusqu'au"),
        default=default_retention_until,
        help_text=_("Par défaut trois ans après la saisie ; à cette date, le contact doit être anonymisé."),
        validators=[validate_sane_date],
    )
    anonymized_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True, editable=False)
    search_name = models.CharField(max_length=320, editable=False, db_index=True)

    class Meta:
        verbose_name = _("contact")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(fields=["fabrique", "email"], name="person_fabrique_email"),
            # the people list: the fabrique's live rows in their default order, a page at a time
            models.Index(
                fields=["fabrique", "last_name", "first_name", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="person_fabrique_list",
            ),
            # the retention deadlines (dashboard, board): live, not yet anonymised people by date
            models.Index(
                fields=["fabrique", "retention_until"],
                condition=models.Q(deleted_at__isnull=True, anonymized_at__isnull=True),
                name="person_retention_due",
            ),
        ]

    def __str__(self) -> str:
        if self.anonymized_at:
            return str(_("Contact anonymisé n° %(pk)s") % {"pk": self.pk})
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.consent_given and not self.consent_date:
            errors["consent_date"] = _("Indiquez la date à laquelle le consentement a été recueilli.")
        if self.legal_basis == LegalBasis.CONSENT and not self.consent_given:
            errors["consent_given"] = _(
                "La base légale « consentement » suppose que la personne a donné son consentement."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_anonymized(self) -> bool:
        return self.anonymized_at is not None

    @property
    def phone_display(self) -> str:
        return phone_display(self.phone)


class InteractionKind(models.TextChoices):
    MEETING = "meeting", _("rendez-vous")
    CALL = "call", _("appel")
    EMAIL = "email", _("e-mail")
    EVENT = "event", _("réunion collective ou événement")
    OTHER = "other", _("autre")


class Interaction(TenantModel):
    """One entry of the contact history of an organisation and/or a person."""

    date = models.DateField(_("date"), default=timezone.localdate, validators=[validate_sane_date])
    kind = models.CharField(_("type d'échange"), max_length=20, choices=InteractionKind.choices)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("structure"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("contact"),
    )
    summary = models.TextField(_("résumé"), max_length=LONG_TEXT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisi par"),
    )

    class Meta:
        verbose_name = _("échange")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()}"

    def clean(self) -> None:
        super().clean()
        if not self.organization_id and not self.person_id:
            raise ValidationError(_("Un échange concerne une structure, un contact ou les deux."))
