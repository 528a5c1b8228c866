"""Funders' agreements (conventions de financement) and the funder reports generated from them.

A funder is an `Organization` of the directory. An agreement funds the fabrique's whole programme, a
study, a territorial diagnosis, a chantier or a support plan, over a period; it lists the indicators
the funder requires and the reporting deadlines the team must meet."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fabrique.core.limits import LONG_TEXT, validate_sane_date
from fabrique.core.models import TenantModel, TimeStampedModel


class AgreementScope(models.TextChoices):
    PROGRAMME = "programme", _("le programme de la fabrique")
    STUDY = "study", _("une étude d'opportunité")
    DIAGNOSIS = "diagnosis", _("un diagnostic territorial")
    WORKSTREAM = "workstream", _("un chantier")
    SUPPORT_PLAN = "support_plan", _("un accompagnement")


# the object field of each scope (None for the programme)
SCOPE_FIELDS: dict[str, str | None] = {
    AgreementScope.PROGRAMME: None,
    AgreementScope.STUDY: "study",
    AgreementScope.DIAGNOSIS: "diagnosis",
    AgreementScope.WORKSTREAM: "workstream",
    AgreementScope.SUPPORT_PLAN: "support_plan",
}


class AgreementStatus(models.TextChoices):
    REQUESTED = "requested", _("demandée")
    SIGNED = "signed", _("signée, en cours")
    CLOSED = "closed", _("soldée")
    REFUSED = "refused", _("refusée")


# agreements whose money counts as granted
GRANTED_STATUSES = (AgreementStatus.SIGNED, AgreementStatus.CLOSED)


class FundingAgreement(TenantModel):
    funder = models.ForeignKey(
        "directory.Organization",
        on_delete=models.PROTECT,
        related_name="funding_agreements",
        verbose_name=_("financeur"),
    )
    title = models.CharField(_("intitulé"), max_length=200)
    reference = models.CharField(_("numéro de convention"), max_length=60, blank=True)
    scope = models.CharField(
        _("objet financé"), max_length=20, choices=AgreementScope.choices, default=AgreementScope.PROGRAMME
    )
    study = models.ForeignKey(
        "studies.Study",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_agreements",
        verbose_name=_("étude"),
    )
    diagnosis = models.ForeignKey(
        "intelligence.DiagnosisZone",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_agreements",
        verbose_name=_("diagnostic territorial"),
    )
    workstream = models.ForeignKey(
        "workstreams.Workstream",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_agreements",
        verbose_name=_("chantier"),
    )
    support_plan = models.ForeignKey(
        "support.SupportPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_agreements",
        verbose_name=_("accompagnement"),
    )
    starts_on = models.DateField(_("début"), validators=[validate_sane_date])
    ends_on = models.DateField(_("fin"), validators=[validate_sane_date])
    amount_granted = models.DecimalField(
        _("montant accordé (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    amount_paid = models.DecimalField(
        _("montant versé (€)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.SIGNED
    )
    # keys of the reporting indicators (fabrique.core.indicators, reporting=True) the funder requires
    required_indicators = models.JSONField(_("indicateurs demandés"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=LONG_TEXT)

    class Meta:
        verbose_name = _("convention de financement")
        verbose_name_plural = _("conventions de financement")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["fabrique", "funder"], name="agreement_fabrique_funder")]

    def __str__(self) -> str:
        return self.title

    @property
    def funded_object(self) -> models.Model | None:
        field = SCOPE_FIELDS.get(self.scope)
        return getattr(self, field) if field else None


class ReportingDeadline(TimeStampedModel):
    """A report the funder expects by a date (the team is reminded through notifications)."""

    agreement = models.ForeignKey(FundingAgreement, on_delete=models.CASCADE, related_name="deadlines")
    label = models.CharField(_("rendu attendu"), max_length=200)
    due_on = models.DateField(_("échéance"), validators=[validate_sane_date])
    done_on = models.DateField(_("rendu le"), null=True, blank=True, validators=[validate_sane_date])

    class Meta:
        verbose_name = _("échéance de compte rendu")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.label} ({self.due_on:%d/%m/%Y})"


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("en attente")
    RUNNING = "running", _("en cours")
    DONE = "done", _("prêt")
    FAILED = "failed", _("échec")


class FunderReport(TenantModel):
    """A report for a funder over a period (or for one agreement): the team's narrative sections, then
    frozen snapshots (`FunderReportVersion`), one per generation."""

    funder = models.ForeignKey(
        "directory.Organization",
        on_delete=models.PROTECT,
        related_name="funder_reports",
        verbose_name=_("financeur"),
    )
    agreement = models.ForeignKey(
        FundingAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("convention"),
    )
    title = models.CharField(_("intitulé"), max_length=200)
    period_start = models.DateField(_("du"), validators=[validate_sane_date])
    period_end = models.DateField(_("au"), validators=[validate_sane_date])
    # {section key: text} written by the team before generating
    narratives = models.JSONField(_("textes de l'équipe"), default=dict, blank=True)

    class Meta:
        verbose_name = _("rapport financeur")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class FunderReportVersion(TimeStampedModel):
    """One generation of a report: the figures as they were, frozen, and the files made from them."""

    report = models.ForeignKey(FunderReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("état"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    step = models.CharField(_("étape en cours"), max_length=200, blank=True)
    error = models.TextField(_("erreur"), blank=True, max_length=LONG_TEXT)
    snapshot = models.JSONField(_("chiffres figés"), default=dict, blank=True)
    pdf = models.BinaryField(null=True, blank=True)
    xlsx = models.BinaryField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])

    class Meta:
        verbose_name = _("version de rapport financeur")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="funderreport_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"
