"""Calls for project leaders, applications and their evaluation."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.core.limits import LONG_TEXT, validate_sane_date
from fabrique.core.models import TenantModel, TimeStampedModel
from fabrique.core.workflow import Workflow, allowed

from .storage import application_document_path, private_storage


class CallStage(models.TextChoices):
    DRAFT = "draft", _("brouillon")
    PUBLISHED = "published", _("publié")
    CLOSED = "closed", _("clos")
    DECIDED = "decided", _("sélection faite")
    CANCELLED = "cancelled", _("annulé")


class Call(TenantModel):
    workflow = Workflow(
        stages=CallStage,
        transitions=allowed(
            {
                CallStage.DRAFT: {CallStage.PUBLISHED, CallStage.CANCELLED},
                CallStage.PUBLISHED: {CallStage.CLOSED, CallStage.CANCELLED},
                CallStage.CLOSED: {CallStage.DECIDED, CallStage.PUBLISHED, CallStage.CANCELLED},
                CallStage.DECIDED: frozenset(),
                CallStage.CANCELLED: frozenset(),
            }
        ),
    )

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="calls", verbose_name=_("projet")
    )
    slug = models.SlugField(_("identifiant d'URL"), max_length=80)
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("le projet"), max_length=LONG_TEXT)
    profile_sought = models.TextField(_("profil recherché"), max_length=LONG_TEXT)
    selection_criteria = models.TextField(_("critères de sélection"), blank=True, max_length=LONG_TEXT)
    support_offered = models.TextField(_("accompagnement proposé"), blank=True, max_length=LONG_TEXT)
    deadline = models.DateField(_("date limite de candidature"), validators=[validate_sane_date])
    stage = models.CharField(_("étape"), max_length=20, choices=CallStage.choices, default=CallStage.DRAFT)
    stage_changed_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
    published_on = models.DateField(_("publié le"), null=True, blank=True, validators=[validate_sane_date])
    evaluators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("évaluateur·rices"),
        help_text=_("Membres de l'équipe ou du comité qui notent les candidatures."),
    )

    class Meta:
        verbose_name = _("appel à porteurs")
        verbose_name_plural = _("appels à porteurs")
        ordering = ["-deadline"]
        constraints = [models.UniqueConstraint(fields=["fabrique", "slug"], name="call_slug_unique")]

    def __str__(self) -> str:
        return self.title

    @property
    def accepts_applications(self) -> bool:
        """Published and the deadline (inclusive, local date) not passed."""
        return self.stage == CallStage.PUBLISHED and timezone.localdate() <= self.deadline


class EvaluationCriterion(TimeStampedModel):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    label = models.CharField(_("critère"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("poids"), default=1)
    max_score = models.PositiveSmallIntegerField(_("note maximale"), default=5)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("critère d'évaluation")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


class ApplicationStage(models.TextChoices):
    SUBMITTED = "submitted", _("déposée")
    UNDER_REVIEW = "under_review", _("en évaluation")
    SELECTED = "selected", _("retenue")
    NOT_SELECTED = "not_selected", _("non retenue")
    WITHDRAWN = "withdrawn", _("retirée")


class ApplicationSource(models.TextChoices):
    CALL = "call", _("réponse à l'appel")
    DIRECT = "direct", _("approche directe")


def _token() -> str:
    return secrets.token_urlsafe(24)


class Application(TenantModel):
    audit_masked_fields = ("email", "phone", "document")  # the file path stays private

    workflow = Workflow(
        stages=ApplicationStage,
        transitions=allowed(
            {
                ApplicationStage.SUBMITTED: {
                    ApplicationStage.UNDER_REVIEW,
                    ApplicationStage.SELECTED,
                    ApplicationStage.NOT_SELECTED,
                    ApplicationStage.WITHDRAWN,
                },
                ApplicationStage.UNDER_REVIEW: {
                    ApplicationStage.SELECTED,
                    ApplicationStage.NOT_SELECTED,
                    ApplicationStage.WITHDRAWN,
                },
                ApplicationStage.SELECTED: {ApplicationStage.WITHDRAWN},
                ApplicationStage.NOT_SELECTED: frozenset(),
                ApplicationStage.WITHDRAWN: frozenset(),
            }
        ),
    )

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="applications", verbose_name=_("projet")
    )
    call = models.ForeignKey(
        Call,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("appel"),
    )
    source = models.CharField(
        _("origine"), max_length=10, choices=ApplicationSource.choices, default=ApplicationSource.CALL
    )
    # blank only for a structure approached directly without a named contact
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    organization_name = models.CharField(
        _("structure (si vous candidatez pour une structure)"), max_length=200, blank=True
    )
    person = models.ForeignKey(
        "directory.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("contact de l'annuaire"),
    )
    organization = models.ForeignKey(
        "directory.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("structure de l'annuaire"),
    )
    motivation = models.TextField(_("motivation"), max_length=LONG_TEXT)
    experience = models.TextField(_("parcours et compétences"), blank=True, max_length=LONG_TEXT)
    document = models.FileField(
        _("dossier (PDF, ODT ou DOCX, 10 Mo au plus)"),
        upload_to=application_document_path,
        storage=private_storage,
        blank=True,
    )
    document_name = models.CharField(_("nom du fichier envoyé"), max_length=255, blank=True)
    consent_processing = models.BooleanField(_("accord pour le traitement des données"), default=False)
    stage = models.CharField(
        _("étape"), max_length=20, choices=ApplicationStage.choices, default=ApplicationStage.SUBMITTED
    )
    stage_changed_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
    access_token = models.CharField(max_length=64, unique=True, default=_token, editable=False)

    class Meta:
        verbose_name = _("candidature")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        who = f"{self.first_name} {self.last_name}".strip()
        if who and self.organization_name:
            return f"{who} ({self.organization_name})"
        return who or self.organization_name or self.email

    @property
    def is_open(self) -> bool:
        """Still waiting for a decision."""
        return self.stage in (ApplicationStage.SUBMITTED, ApplicationStage.UNDER_REVIEW)


class Evaluation(TimeStampedModel):
    """One evaluator's scores for one application; others' scores stay hidden until submitted."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evaluations")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("appréciation générale"), blank=True, max_length=LONG_TEXT)
    submitted_at = models.DateTimeField(
        _("soumise le"), null=True, blank=True, validators=[validate_sane_date]
    )

    class Meta:
        verbose_name = _("évaluation")
        constraints = [models.UniqueConstraint(fields=["application", "evaluator"], name="evaluation_unique")]

    def __str__(self) -> str:
        return f"{self.application} — {self.evaluator}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class EvaluationScore(TimeStampedModel):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(EvaluationCriterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(
        _("note"), validators=[MinValueValidator(0), MaxValueValidator(20)]
    )
    comment = models.TextField(_("commentaire"), blank=True, max_length=LONG_TEXT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evaluation", "criterion"], name="score_unique")]
