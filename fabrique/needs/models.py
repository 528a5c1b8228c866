"""Need reports (signalements), needs, qualification criteria and scores."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from fabrique.core.choices import Public, ReporterType, Theme
from fabrique.core.limits import LONG_TEXT, validate_sane_date
from fabrique.core.models import (
    SearchText,
    TenantModel,
    TimeStampedModel,
    live_stage_index,
    search_text_field,
)
from fabrique.core.workflow import Workflow, allowed
from fabrique.recruitment.storage import private_storage, report_document_path


def _token() -> str:
    return secrets.token_urlsafe(24)


class ReportStage(models.TextChoices):
    RECEIVED = "received", _("reçu")
    ATTACHED = "attached", _("rattaché à un besoin")
    DISMISSED = "dismissed", _("écarté")


class ReportSource(models.TextChoices):
    PUBLIC_FORM = "public_form", _("formulaire public")
    PARTNER = "partner", _("espace partenaire")
    PHONE = "phone", _("appel téléphonique")
    EMAIL = "email", _("e-mail")
    MEETING = "meeting", _("réunion, rendez-vous")
    CREATIVITY_SESSION = "creativity_session", _("séance de créativité")
    EVENT = "event", _("événement, forum")
    OTHER = "other", _("autre")


class DismissReason(models.TextChoices):
    SPAM = "spam", _("indésirable")
    OUT_OF_SCOPE = "out_of_scope", _("hors du champ de la fabrique")
    OUT_OF_TERRITORY = "out_of_territory", _("hors du territoire")
    DUPLICATE = "duplicate", _("doublon exact")
    OTHER = "other", _("autre")


class NeedReport(SearchText, TenantModel):
    """One report of a need by one person: the raw material of detection."""

    audit_masked_fields = ("reporter_email", "reporter_phone")

    workflow = Workflow(
        stages=ReportStage,
        transitions=allowed(
            {
                ReportStage.RECEIVED: {ReportStage.ATTACHED, ReportStage.DISMISSED},
                ReportStage.ATTACHED: {ReportStage.RECEIVED},  # split out of its need
                ReportStage.DISMISSED: {ReportStage.RECEIVED},
            }
        ),
    )

    reference = models.CharField(_("référence"), max_length=20, blank=True, db_index=True)
    title = models.CharField(_("ce qui manque"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=LONG_TEXT)
    public = models.CharField(_("public concerné"), max_length=30, choices=Public.choices, blank=True)
    public_detail = models.CharField(_("précision sur le public"), max_length=200, blank=True)
    theme = models.CharField(_("thème"), max_length=30, choices=Theme.choices, blank=True)
    commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    place = models.CharField(_("quartier ou lieu"), max_length=200, blank=True)
    qpv = models.ForeignKey(
        "territories.QPV",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quartier prioritaire"),
    )
    evidence = models.TextField(_("éléments de preuve"), blank=True, max_length=LONG_TEXT)
    evidence_document = models.FileField(
        _("document joint"), upload_to=report_document_path, storage=private_storage, blank=True
    )
    # who reports
    reporter_name = models.CharField(_("nom"), max_length=200, blank=True)
    reporter_organization_name = models.CharField(_("structure"), max_length=200, blank=True)
    reporter_email = models.EmailField(_("e-mail"), blank=True)
    reporter_phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    reporter_type = models.CharField(_("vous êtes"), max_length=30, choices=ReporterType.choices, blank=True)
    consent_processing = models.BooleanField(_("accord pour le traitement des données"), default=False)
    consent_notifications = models.BooleanField(_("accord pour être informé·e par e-mail"), default=False)
    reporter_person = models.ForeignKey(
        "directory.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("contact de l'annuaire"),
    )
    reporter_organization = models.ForeignKey(
        "directory.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("structure de l'annuaire"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte partenaire"),
    )
    # how it came in
    source = models.CharField(
        _("source"), max_length=30, choices=ReportSource.choices, default=ReportSource.PUBLIC_FORM
    )
    source_detail = models.CharField(_("précision sur la source"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisi par"),
    )
    reported_on = models.DateField(
        _("date du signalement"), null=True, blank=True, validators=[validate_sane_date]
    )
    # what became of it
    need = models.ForeignKey(
        "needs.Need",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("besoin"),
    )
    stage = models.CharField(
        _("étape"), max_length=20, choices=ReportStage.choices, default=ReportStage.RECEIVED
    )
    stage_changed_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
    dismiss_reason = models.CharField(_("motif"), max_length=30, choices=DismissReason.choices, blank=True)
    followup_token = models.CharField(max_length=64, unique=True, default=_token, editable=False)

    # the list's search box reads this folded copy (accent-insensitive, core.models.SearchText)
    search_fields = ("reference", "title", "description", "reporter_organization_name", "place")
    search_text = search_text_field()

    class Meta:
        verbose_name = _("signalement")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["fabrique", "stage"]),
            models.Index(fields=["fabrique", "commune"]),
            # the list's order on live rows: page 1 and deep pages read the index, not every report
            models.Index(
                "fabrique",
                models.F("created_at").desc(),
                models.F("id").desc(),
                condition=models.Q(deleted_at__isnull=True),
                name="needreport_live_recent",
            ),
            # the dashboard's counts of reports by stage, on live rows
            models.Index(
                "fabrique", "stage", condition=models.Q(deleted_at__isnull=True), name="needreport_live_stage"
            ),
            # the numbering's "last reference of the year" (core.references), read under the fabrique's lock:
            # longest first, then the highest, the index's own order
            models.Index(
                "fabrique",
                Length("reference").desc(),
                models.F("reference").desc(),
                name="needreport_last_ref",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["fabrique", "reference"],
                condition=~models.Q(reference=""),
                name="needreport_reference_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()


class NeedStage(models.TextChoices):
    NEW = "new", _("nouveau")
    QUALIFYING = "qualifying", _("en qualification")
    MORE_EVIDENCE = "more_evidence", _("à documenter")
    RETAINED = "retained", _("retenu")
    NOT_RETAINED = "not_retained", _("non retenu")
    IN_STUDY = "in_study", _("en étude d'opportunité")
    ANSWERED = "answered", _("un projet y répond")
    CLOSED = "closed", _("clos")


class NotRetainedReason(models.TextChoices):
    NOT_EVIDENCED = "not_evidenced", _("besoin non avéré")
    ALREADY_ANSWERED = "already_answered", _("déjà couvert par une offre existante")
    TOO_FEW = "too_few", _("trop peu de personnes concernées")
    NO_ECONOMIC_MODEL = "no_economic_model", _("pas de potentiel économique")
    NO_LOCAL_ACTORS = "no_local_actors", _("pas d'acteurs locaux mobilisables")
    NOT_ESS = "not_ess", _("ne relève pas d'une entreprise de l'ESS")
    OUT_OF_SCOPE = "out_of_scope", _("hors du champ de la fabrique")
    OTHER = "other", _("autre")


class Need(SearchText, TenantModel):
    """A need: one or more reports of the same problem, for the same public, on the same territory."""

    workflow = Workflow(
        stages=NeedStage,
        transitions=allowed(
            {
                NeedStage.NEW: {NeedStage.QUALIFYING, NeedStage.CLOSED},
                NeedStage.QUALIFYING: {
                    NeedStage.RETAINED,
                    NeedStage.NOT_RETAINED,
                    NeedStage.MORE_EVIDENCE,
                    NeedStage.CLOSED,
                },
                NeedStage.MORE_EVIDENCE: {
                    NeedStage.QUALIFYING,
                    NeedStage.RETAINED,
                    NeedStage.NOT_RETAINED,
                    NeedStage.CLOSED,
                },
                NeedStage.NOT_RETAINED: {NeedStage.QUALIFYING},
                # retained → answered: an existing structure changes scale to answer it (no study)
                NeedStage.RETAINED: {
                    NeedStage.IN_STUDY,
                    NeedStage.ANSWERED,
                    NeedStage.QUALIFYING,
                    NeedStage.CLOSED,
                },
                NeedStage.IN_STUDY: {NeedStage.ANSWERED, NeedStage.RETAINED, NeedStage.CLOSED},
                NeedStage.ANSWERED: {NeedStage.IN_STUDY, NeedStage.CLOSED},
                NeedStage.CLOSED: {NeedStage.QUALIFYING},
            }
        ),
    )

    reference = models.CharField(_("référence"), max_length=20, blank=True, db_index=True)
    title = models.CharField(_("intitulé"), max_length=200)
    public_title = models.CharField(
        _("intitulé public"),
        max_length=200,
        blank=True,
        help_text=_("Ce que voient le public et les personnes qui ont signalé le besoin."),
    )
    description = models.TextField(_("description"), blank=True, max_length=LONG_TEXT)
    public = models.CharField(_("public concerné"), max_length=30, choices=Public.choices, blank=True)
    theme = models.CharField(_("thème"), max_length=30, choices=Theme.choices, blank=True)
    commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    epci = models.ForeignKey(
        "territories.EPCI",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("intercommunalité"),
    )
    qpv = models.ForeignKey(
        "territories.QPV",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quartier prioritaire"),
    )
    territory_label = models.CharField(_("précision territoriale"), max_length=200, blank=True)
    workstream = models.ForeignKey(
        "workstreams.Workstream",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
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
    stage = models.CharField(_("étape"), max_length=20, choices=NeedStage.choices, default=NeedStage.NEW)
    stage_changed_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
    not_retained_reason = models.CharField(
        _("motif de non-retenue"), max_length=30, choices=NotRetainedReason.choices, blank=True
    )
    decision_notes = models.TextField(_("motifs de la décision"), blank=True, max_length=LONG_TEXT)
    next_step_due = models.DateField(
        _("prochaine échéance"), null=True, blank=True, validators=[validate_sane_date]
    )

    # the list's search box reads this folded copy (accent-insensitive, core.models.SearchText)
    search_fields = ("reference", "title", "public_title", "description", "territory_label")
    search_text = search_text_field()

    class Meta:
        verbose_name = _("besoin")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["fabrique", "stage"]),
            models.Index(
                "fabrique",
                models.F("created_at").desc(),
                models.F("id").desc(),
                condition=models.Q(deleted_at__isnull=True),
                name="need_live_recent",
            ),
            live_stage_index("need_live_stage"),
            # the numbering's "last reference of the year" (core.references), read under the fabrique's lock:
            # longest first, then the highest, the index's own order
            models.Index(
                "fabrique",
                Length("reference").desc(),
                models.F("reference").desc(),
                name="need_last_ref",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["fabrique", "reference"],
                condition=~models.Q(reference=""),
                name="need_reference_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()

    @property
    def display_public_title(self) -> str:
        return self.public_title or self.title


class Criterion(TimeStampedModel):
    """A qualification criterion of a fabrique (configurable list, with defaults)."""

    fabrique = models.ForeignKey("fabriques.Fabrique", on_delete=models.PROTECT, related_name="criteria")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("critère"), max_length=200)
    help_text = models.TextField(_("aide"), blank=True, max_length=LONG_TEXT)
    weight = models.PositiveSmallIntegerField(_("poids"), default=1)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("critère de qualification")
        verbose_name_plural = _("critères de qualification")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["fabrique", "code"], name="criterion_code_unique")]

    def __str__(self) -> str:
        return self.label


class CriterionScore(TimeStampedModel):
    """A 0–3 score of one need on one criterion, with a comment."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(
        _("note"), validators=[MinValueValidator(0), MaxValueValidator(3)]
    )
    comment = models.TextField(_("commentaire"), blank=True, max_length=LONG_TEXT)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("note de qualification")
        constraints = [
            models.UniqueConstraint(fields=["need", "criterion"], name="score_need_criterion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


# --- need grouping (fabrique/needs/grouping.py) ------------------------------------------------------------


class ReportFeatures(models.Model):
    """The grouping engine's features of one report (fabrique.grouping), computed when the report is
    recorded or moved, with the candidate-filter keys as indexed columns. Derived data: recomputed at
    will by `fabrique backfill_report_features`. List columns are comma-joined with leading and
    trailing commas (",44026,44109,") so that `contains=",44026,"` matches one item."""

    report = models.OneToOneField(
        NeedReport, on_delete=models.CASCADE, primary_key=True, related_name="grouping_features"
    )
    fabrique = models.ForeignKey("fabriques.Fabrique", on_delete=models.CASCADE, related_name="+")
    features = models.BinaryField()
    level = models.CharField(max_length=20, blank=True)
    commune = models.CharField(max_length=5, blank=True)  # the first INSEE code of the place
    communes = models.TextField(blank=True)
    epci = models.CharField(max_length=12, blank=True)
    dept = models.CharField(max_length=3, blank=True)
    concepts = models.TextField(blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("empreinte de regroupement")
        indexes = [
            models.Index(fields=["fabrique", "commune"]),
            models.Index(fields=["fabrique", "epci"]),
            models.Index(fields=["fabrique", "dept"]),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.level}"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposé")
    ACCEPTED = "accepted", _("accepté")
    REJECTED = "rejected", _("rejeté")


class RunStatus(models.TextChoices):
    PENDING = "pending", _("en attente")
    RUNNING = "running", _("en cours")
    DONE = "done", _("terminé")
    FAILED = "failed", _("échec")


class RegroupingRun(TimeStampedModel):
    """One regrouping job over a fabrique (or the whole network when `fabrique` is empty). It only
    creates proposals; staff accept or reject them."""

    fabrique = models.ForeignKey(
        "fabriques.Fabrique", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("état"), max_length=20, choices=RunStatus.choices, default=RunStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    total = models.PositiveIntegerField(_("signalements à examiner"), default=0)
    processed = models.PositiveIntegerField(_("signalements examinés"), default=0)
    proposals_created = models.PositiveIntegerField(_("propositions créées"), default=0)
    step = models.CharField(_("étape en cours"), max_length=200, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    started_at = models.DateTimeField(
        _("commencé le"), null=True, blank=True, validators=[validate_sane_date]
    )
    finished_at = models.DateTimeField(
        _("terminé le"), null=True, blank=True, validators=[validate_sane_date]
    )

    class Meta:
        verbose_name = _("regroupement")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else (100 if self.status == "done" else 0)

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.PENDING, RunStatus.RUNNING)


class ProposalKind(models.TextChoices):
    MERGE = "merge", _("regrouper")
    SPLIT = "split", _("séparer")


class GroupingProposal(TenantModel):
    """A merge ("these reports are probably the same need": gather `reports` into `need`, or, without a
    need, into a new need made from the first report) or a split ("these `reports` of `need` are probably
    another need": take them out, into a new need). Never applied until a member of staff accepts it."""

    run = models.ForeignKey(
        RegroupingRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("besoin")
    )
    reports = models.ManyToManyField(NeedReport, related_name="+", verbose_name=_("signalements"))
    score = models.FloatField(_("proximité"), default=0)
    kind = models.CharField(
        _("sorte"), max_length=10, choices=ProposalKind.choices, default=ProposalKind.MERGE
    )
    status = models.CharField(
        _("état"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    key = models.CharField(max_length=200, blank=True, db_index=True)  # need + sorted report ids
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])

    class Meta:
        verbose_name = _("proposition de regroupement")
        ordering = ["-score", "-created_at"]
        indexes = [models.Index(fields=["fabrique", "status"])]

    def __str__(self) -> str:
        return f"{self.pk} {self.status} {self.score:.2f}"


class ReportMerge(TenantModel):
    """Provenance of a merge: `report` was moved by `merged_by` from `from_need` (none: it was not
    attached) into `to_need`. A split reads it to restore the report where it came from."""

    report = models.ForeignKey(NeedReport, on_delete=models.CASCADE, related_name="merges")
    from_need = models.ForeignKey(Need, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    to_need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="merges")
    proposal = models.ForeignKey(
        GroupingProposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="merges"
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("fusion de signalement")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["report", "undone_at"])]

    def __str__(self) -> str:
        return f"{self.report_id} {self.from_need_id} -> {self.to_need_id}"
