"""Support (accompagnement) of the selected leader: milestones, referrals, funding, time spent."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.core.limits import LONG_TEXT, validate_sane_date
from fabrique.core.models import TenantModel, TimeStampedModel
from fabrique.core.workflow import Workflow, allowed


class SupportStage(models.TextChoices):
    ACTIVE = "active", _("en cours")
    COMPLETED = "completed", _("terminé")
    STOPPED = "stopped", _("interrompu")


class SupportPlan(TenantModel):
    workflow = Workflow(
        stages=SupportStage,
        transitions=allowed(
            {
                SupportStage.ACTIVE: {SupportStage.COMPLETED, SupportStage.STOPPED},
                SupportStage.STOPPED: {SupportStage.ACTIVE},
                SupportStage.COMPLETED: frozenset(),
            }
        ),
    )

    project = models.OneToOneField(
        "projects.Project", on_delete=models.PROTECT, related_name="support_plan", verbose_name=_("projet")
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chargé·e d'accompagnement"),
    )
    started_on = models.DateField(_("début"), validators=[validate_sane_date])
    objectives = models.TextField(_("objectifs"), blank=True, max_length=LONG_TEXT)
    stage = models.CharField(
        _("étape"), max_length=20, choices=SupportStage.choices, default=SupportStage.ACTIVE
    )
    stage_changed_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
    stop_reason = models.TextField(_("motif de l'interruption"), blank=True, max_length=LONG_TEXT)

    class Meta:
        verbose_name = _("accompagnement")
        verbose_name_plural = _("accompagnements")

    def __str__(self) -> str:
        return str(_("Accompagnement de %(project)s") % {"project": self.project.title})


class MilestoneStatus(models.TextChoices):
    TODO = "todo", _("à faire")
    IN_PROGRESS = "in_progress", _("en cours")
    DONE = "done", _("fait")
    CANCELLED = "cancelled", _("abandonné")


DEFAULT_MILESTONES = [
    _("Étude de faisabilité"),
    _("Business plan social"),
    _("Choix de la structure juridique"),
    _("Plan de financement bouclé"),
    _("Local ou lieu d'activité"),
    _("Lancement de l'activité"),
]


OPEN_MILESTONE_STATUSES = (MilestoneStatus.TODO, MilestoneStatus.IN_PROGRESS)


class Milestone(TimeStampedModel):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("jalon"), max_length=200)
    due_on = models.DateField(_("échéance"), null=True, blank=True, validators=[validate_sane_date])
    status = models.CharField(
        _("statut"), max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.TODO
    )
    done_on = models.DateField(_("réalisé le"), null=True, blank=True, validators=[validate_sane_date])
    notes = models.TextField(_("notes"), blank=True, max_length=LONG_TEXT)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("jalon")
        ordering = ["order", "due_on", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MILESTONE_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < timezone.localdate()


class Referral(TimeStampedModel):
    """Orientation of the leader towards a partner support network of the directory."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="referrals")
    organization = models.ForeignKey(
        "directory.Organization",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("structure partenaire"),
    )
    purpose = models.CharField(_("objet"), max_length=250)
    referred_on = models.DateField(_("date"), validators=[validate_sane_date])
    outcome = models.TextField(_("suite donnée"), blank=True, max_length=LONG_TEXT)

    class Meta:
        verbose_name = _("orientation")
        ordering = ["-referred_on"]

    def __str__(self) -> str:
        return f"{self.organization} — {self.purpose}"


class FundingStatus(models.TextChoices):
    PLANNED = "planned", _("envisagé")
    REQUESTED = "requested", _("demandé")
    GRANTED = "granted", _("accordé")
    REFUSED = "refused", _("refusé")


class FundingLine(TimeStampedModel):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="funding_lines")
    funder = models.ForeignKey(
        "directory.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_lines",
        verbose_name=_("financeur (annuaire)"),
    )
    source_label = models.CharField(_("source"), max_length=200)
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("statut"), max_length=20, choices=FundingStatus.choices, default=FundingStatus.REQUESTED
    )
    requested_on = models.DateField(_("demandé le"), null=True, blank=True, validators=[validate_sane_date])
    decided_on = models.DateField(_("décidé le"), null=True, blank=True, validators=[validate_sane_date])

    class Meta:
        verbose_name = _("ligne du plan de financement")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.source_label} {self.amount} €"


class ActivityKind(models.TextChoices):
    MEETING = "meeting", _("rendez-vous")
    CALL = "call", _("appel")
    WORKSHOP = "workshop", _("atelier")
    DOCUMENT = "document", _("travail sur document")


class SupportActivity(TimeStampedModel):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="activities")
    date = models.DateField(_("date"), validators=[validate_sane_date])
    kind = models.CharField(
        _("type"), max_length=20, choices=ActivityKind.choices, default=ActivityKind.MEETING
    )
    summary = models.TextField(_("contenu"), max_length=LONG_TEXT)
    minutes_spent = models.PositiveIntegerField(_("temps passé (minutes)"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("par")
    )

    class Meta:
        verbose_name = _("rendez-vous d'accompagnement")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()}"
