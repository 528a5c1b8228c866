"""Projects (born of a study's go), their leader, their outcome: a created enterprise or a stop."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fabrique.core.limits import LONG_TEXT, validate_sane_date
from fabrique.core.models import (
    SearchText,
    TenantModel,
    TimeStampedModel,
    live_stage_index,
    search_text_field,
)
from fabrique.core.workflow import Workflow, allowed


class ProjectStage(models.TextChoices):
    SEEKING_LEADER = "seeking_leader", _("recherche d'un porteur")
    LEADER_SELECTED = "leader_selected", _("porteur choisi")
    IN_SUPPORT = "in_support", _("en accompagnement")
    CREATED = "created", _("entreprise créée")
    STOPPED = "stopped", _("arrêté")


class RecruitmentMode(models.TextChoices):
    CALL = "call", _("appel à porteurs")
    DIRECT = "direct", _("approche directe")
    SCALE_UP = "scale_up", _("changement d'échelle d'une structure existante")


class StopReason(models.TextChoices):
    NO_LEADER = "no_leader", _("aucun porteur trouvé")
    NOT_VIABLE = "not_viable", _("modèle économique non viable")
    NO_FUNDING = "no_funding", _("financement non obtenu")
    LEADER_WITHDREW = "leader_withdrew", _("retrait du porteur")
    NEED_CHANGED = "need_changed", _("le besoin a évolué ou est couvert")
    OTHER = "other", _("autre")


class Project(SearchText, TenantModel):
    workflow = Workflow(
        stages=ProjectStage,
        transitions=allowed(
            {
                ProjectStage.SEEKING_LEADER: {ProjectStage.LEADER_SELECTED, ProjectStage.STOPPED},
                ProjectStage.LEADER_SELECTED: {
                    ProjectStage.IN_SUPPORT,
                    ProjectStage.SEEKING_LEADER,
                    ProjectStage.STOPPED,
                },
                ProjectStage.IN_SUPPORT: {ProjectStage.CREATED, ProjectStage.STOPPED},
                ProjectStage.CREATED: frozenset(),
                ProjectStage.STOPPED: frozenset(),
            }
        ),
    )

    reference = models.CharField(_("référence"), max_length=20, blank=True, db_index=True)
    title = models.CharField(_("intitulé"), max_length=200)
    summary = models.TextField(_("résumé"), blank=True, max_length=LONG_TEXT)
    public_summary = models.TextField(_("présentation publique"), blank=True, max_length=LONG_TEXT)
    is_public = models.BooleanField(_("visible sur le portfolio public"), default=False)
    study = models.ForeignKey(
        "studies.Study",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("étude d'origine"),
    )
    needs = models.ManyToManyField(
        "needs.Need", blank=True, related_name="projects", verbose_name=_("besoins auxquels il répond")
    )
    workstream = models.ForeignKey(
        "workstreams.Workstream",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("chantier"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chargé·e de mission"),
    )
    commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune d'implantation"),
    )
    recruitment_mode = models.CharField(
        _("recherche du porteur"), max_length=10, choices=RecruitmentMode.choices, blank=True
    )
    leader_person = models.ForeignKey(
        "directory.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("porteur (personne)"),
    )
    leader_organization = models.ForeignKey(
        "directory.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("porteur (structure)"),
    )
    leader_found_on = models.DateField(
        _("porteur trouvé le"), null=True, blank=True, validators=[validate_sane_date]
    )
    stage = models.CharField(
        _("étape"), max_length=20, choices=ProjectStage.choices, default=ProjectStage.SEEKING_LEADER
    )
    stage_changed_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
    stop_reason = models.CharField(_("motif d'arrêt"), max_length=30, choices=StopReason.choices, blank=True)
    stop_details = models.TextField(_("précisions sur l'arrêt"), blank=True, max_length=LONG_TEXT)
    stopped_at_stage = models.CharField(_("arrêté à l'étape"), max_length=20, blank=True)

    # the list's search box reads this folded copy (accent-insensitive, core.models.SearchText)
    search_fields = ("reference", "title")
    search_text = search_text_field()

    class Meta:
        verbose_name = _("projet")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["fabrique", "stage"], name="project_fabrique_stage"),
            live_stage_index("project_live_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()

    @property
    def is_final(self) -> bool:
        return self.stage in (ProjectStage.CREATED, ProjectStage.STOPPED)

    @property
    def has_leader(self) -> bool:
        return bool(self.leader_person_id or self.leader_organization_id)

    @property
    def leader_label(self) -> str:
        parts = [str(p) for p in (self.leader_person, self.leader_organization) if p]
        return " — ".join(parts)


class LegalForm(models.TextChoices):
    ASSOCIATION = "association", _("association")
    SCOP = "scop", _("SCOP")
    SCIC = "scic", _("SCIC")
    SAS_ESUS = "sas_esus", _("SAS agréée ESUS")
    SARL_ESUS = "sarl_esus", _("SARL agréée ESUS")
    COMPANY = "company", _("société commerciale")
    COOPERATIVE = "cooperative", _("autre coopérative")
    NEW_ACTIVITY = "new_activity", _("nouvelle activité d'une structure existante")
    OTHER = "other", _("autre")


class Enterprise(TimeStampedModel):
    """The outcome of a project: the enterprise or activity created."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="enterprise")
    legal_name = models.CharField(_("dénomination"), max_length=200)
    legal_form = models.CharField(_("forme juridique"), max_length=20, choices=LegalForm.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    created_on = models.DateField(_("date de création"), validators=[validate_sane_date])
    jobs_fte = models.DecimalField(_("emplois à la création (ETP)"), max_digits=6, decimal_places=1)
    commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune du siège"),
    )
    website = models.URLField(_("site web"), blank=True)
    organization = models.ForeignKey(
        "directory.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fiche de l'annuaire"),
    )

    class Meta:
        verbose_name = _("entreprise créée")
        verbose_name_plural = _("entreprises créées")

    def __str__(self) -> str:
        return self.legal_name


class FollowUpHorizon(models.TextChoices):
    ONE_YEAR = "1y", _("à 1 an")
    THREE_YEARS = "3y", _("à 3 ans")


class FollowUp(TimeStampedModel):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="followups")
    horizon = models.CharField(_("échéance"), max_length=2, choices=FollowUpHorizon.choices)
    observed_on = models.DateField(_("date du point"), validators=[validate_sane_date])
    still_active = models.BooleanField(_("toujours en activité"), default=True)
    jobs_fte = models.DecimalField(_("emplois (ETP)"), max_digits=6, decimal_places=1, null=True, blank=True)
    notes = models.TextField(_("observations"), blank=True, max_length=LONG_TEXT)

    class Meta:
        verbose_name = _("suivi post-création")
        ordering = ["horizon"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "horizon"], name="followup_unique")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_horizon_display()}"


class PartnerRole(models.TextChoices):
    FUNDER = "funder", _("financeur")
    TECHNICAL = "technical", _("partenaire technique")
    PRESCRIBER = "prescriber", _("prescripteur")
    HOST = "host", _("structure d'accueil")
    CLIENT = "client", _("client ou bénéficiaire")
    PUBLIC_AUTHORITY = "public_authority", _("collectivité partenaire")
    NETWORK = "network", _("réseau ou fédération")
    OTHER = "other", _("autre")


class Partnership(TenantModel):
    """An organisation of the directory involved in a study or a project, with its role (funder,
    technical partner, prescriber, host, client...). Exactly one of `study` / `project` is set. An
    organisation may hold several roles in the same study or project (one row each)."""

    organization = models.ForeignKey(
        "directory.Organization",
        on_delete=models.PROTECT,
        related_name="partnerships",
        verbose_name=_("structure"),
    )
    role = models.CharField(_("rôle"), max_length=20, choices=PartnerRole.choices)
    study = models.ForeignKey(
        "studies.Study",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnerships",
        verbose_name=_("étude d'opportunité"),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnerships",
        verbose_name=_("projet"),
    )
    note = models.CharField(_("précisions"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("partenaire")
        ordering = ["role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(study__isnull=False, project__isnull=True)
                    | models.Q(study__isnull=True, project__isnull=False)
                ),
                name="partnership_one_target",
            ),
            models.UniqueConstraint(
                fields=["organization", "role", "study"],
                condition=models.Q(deleted_at__isnull=True, study__isnull=False),
                name="partnership_unique_study",
            ),
            models.UniqueConstraint(
                fields=["organization", "role", "project"],
                condition=models.Q(deleted_at__isnull=True, project__isnull=False),
                name="partnership_unique_project",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"

    @property
    def target(self) -> models.Model:
        return self.study if self.study_id else self.project  # type: ignore[return-value]
