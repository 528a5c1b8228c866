"""Opportunity studies: workshops, scenarios (pistes), benchmark and conclusion."""

from django.conf import settings
from django.core.validators import MaxValueValidator
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


class StudyStage(models.TextChoices):
    IN_PROGRESS = "in_progress", _("en cours")
    AWAITING_DECISION = "awaiting_decision", _("en attente de décision")
    GO = "go", _("un modèle pertinent a émergé")
    NO_GO = "no_go", _("pas de modèle pertinent")
    ABANDONED = "abandoned", _("abandonnée")


# stages in which the study document (workshops, scenarios, benchmark, conclusion) can still change
EDITABLE_STAGES = frozenset({StudyStage.IN_PROGRESS, StudyStage.AWAITING_DECISION})


class NoGoReason(models.TextChoices):
    """Why no relevant model emerged (the reason code of a "no_go" decision)."""

    NO_ECONOMIC_MODEL = "no_economic_model", _("pas de modèle économique viable")
    ALREADY_ANSWERED = "already_answered", _("une offre existante répond déjà au besoin")
    NO_LOCAL_ACTORS = "no_local_actors", _("pas d'acteurs locaux prêts à s'engager")
    NEED_NOT_CONFIRMED = "need_not_confirmed", _("le besoin n'est pas confirmé par l'étude")
    NO_FUNDING = "no_funding", _("pas de financement mobilisable")
    OTHER = "other", _("autre")


class Study(SearchText, TenantModel):
    workflow = Workflow(
        stages=StudyStage,
        transitions=allowed(
            {
                StudyStage.IN_PROGRESS: {
                    StudyStage.AWAITING_DECISION,
                    StudyStage.GO,
                    StudyStage.NO_GO,
                    StudyStage.ABANDONED,
                },
                StudyStage.AWAITING_DECISION: {
                    StudyStage.IN_PROGRESS,
                    StudyStage.GO,
                    StudyStage.NO_GO,
                    StudyStage.ABANDONED,
                },
                StudyStage.NO_GO: {StudyStage.IN_PROGRESS},
                StudyStage.ABANDONED: {StudyStage.IN_PROGRESS},
                StudyStage.GO: frozenset(),
            }
        ),
    )

    reference = models.CharField(_("référence"), max_length=20, blank=True, db_index=True)
    title = models.CharField(_("intitulé"), max_length=200)
    summary = models.TextField(_("objet de l'étude"), blank=True, max_length=LONG_TEXT)
    needs = models.ManyToManyField("needs.Need", related_name="studies", verbose_name=_("besoins étudiés"))
    workstream = models.ForeignKey(
        "workstreams.Workstream",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="studies",
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
    steering_people = models.ManyToManyField(
        "directory.Person",
        blank=True,
        related_name="steered_studies",
        verbose_name=_("groupe de pilotage (personnes)"),
    )
    steering_organizations = models.ManyToManyField(
        "directory.Organization",
        blank=True,
        related_name="steered_studies",
        verbose_name=_("groupe de pilotage (structures)"),
    )
    started_on = models.DateField(_("début"), null=True, blank=True, validators=[validate_sane_date])
    due_on = models.DateField(_("échéance"), null=True, blank=True, validators=[validate_sane_date])
    stage = models.CharField(
        _("étape"), max_length=20, choices=StudyStage.choices, default=StudyStage.IN_PROGRESS
    )
    stage_changed_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
    conclusion = models.TextField(_("conclusion"), blank=True, max_length=LONG_TEXT)
    no_go_reasons = models.TextField(_("raisons de l'absence de modèle"), blank=True, max_length=LONG_TEXT)

    # the list's search box reads this folded copy (accent-insensitive, core.models.SearchText)
    search_fields = ("reference", "title")
    search_text = search_text_field()

    class Meta:
        verbose_name = _("étude d'opportunité")
        verbose_name_plural = _("études d'opportunité")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                "fabrique",
                models.F("created_at").desc(),
                models.F("id").desc(),
                condition=models.Q(deleted_at__isnull=True),
                name="study_live_recent",
            ),
            live_stage_index("study_live_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()

    @property
    def is_editable(self) -> bool:
        return self.stage in EDITABLE_STAGES

    @property
    def preferred_scenario(self) -> "Scenario | None":
        return next((s for s in self.scenarios.all() if s.is_preferred), None)


class WorkshopKind(models.TextChoices):
    WORKSHOP = "workshop", _("atelier")
    CREATIVITY = "creativity", _("séance de créativité")
    INTERVIEW = "interview", _("entretien")
    FIELD_VISIT = "field_visit", _("visite de terrain")


class Workshop(TimeStampedModel):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="workshops")
    kind = models.CharField(
        _("type"), max_length=20, choices=WorkshopKind.choices, default=WorkshopKind.WORKSHOP
    )
    title = models.CharField(_("intitulé"), max_length=200)
    date = models.DateField(_("date"), validators=[validate_sane_date])
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    participants = models.ManyToManyField(
        "directory.Person", blank=True, related_name="workshops", verbose_name=_("participants de l'annuaire")
    )
    other_participants = models.TextField(
        _("autres participants"),
        blank=True,
        help_text=_("Une personne par ligne (participants ponctuels)."),
        max_length=LONG_TEXT,
    )
    participants_count = models.PositiveIntegerField(
        _("nombre de participants"),
        null=True,
        validators=[MaxValueValidator(100_000)],
        blank=True,
        help_text=_("Toutes les personnes présentes, de l'annuaire ou non (compté dans les indicateurs)."),
    )
    notes = models.TextField(_("notes"), blank=True, max_length=LONG_TEXT)
    decisions = models.TextField(_("décisions et suites"), blank=True, max_length=LONG_TEXT)

    class Meta:
        verbose_name = _("atelier")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d/%m/%Y})"


class Scenario(TimeStampedModel):
    """A piste explored by the study, with its economic sketch."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="scenarios")
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=LONG_TEXT)
    pros = models.TextField(_("atouts"), blank=True, max_length=LONG_TEXT)
    cons = models.TextField(_("limites"), blank=True, max_length=LONG_TEXT)
    value_proposition = models.TextField(_("proposition de valeur"), blank=True, max_length=LONG_TEXT)
    beneficiaries = models.TextField(_("bénéficiaires"), blank=True, max_length=LONG_TEXT)
    revenue_sources = models.TextField(_("sources de revenus"), blank=True, max_length=LONG_TEXT)
    main_costs = models.TextField(_("principaux coûts"), blank=True, max_length=LONG_TEXT)
    partners = models.TextField(_("partenaires"), blank=True, max_length=LONG_TEXT)
    jobs_estimate = models.DecimalField(
        _("emplois estimés (ETP)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    is_preferred = models.BooleanField(_("piste privilégiée"), default=False)

    class Meta:
        verbose_name = _("piste")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study"], condition=models.Q(is_preferred=True), name="scenario_one_preferred"
            )
        ]

    def __str__(self) -> str:
        return self.title


class BenchmarkEntry(TimeStampedModel):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="benchmark")
    name = models.CharField(_("initiative"), max_length=200)
    location = models.CharField(_("où"), max_length=200, blank=True)
    is_local = models.BooleanField(_("sur notre territoire"), default=False)
    description = models.TextField(_("description"), blank=True, max_length=LONG_TEXT)
    lessons = models.TextField(_("enseignements"), blank=True, max_length=LONG_TEXT)
    url = models.URLField(_("lien"), blank=True)

    class Meta:
        verbose_name = _("initiative existante")
        ordering = ["-is_local", "name"]

    def __str__(self) -> str:
        return self.name
