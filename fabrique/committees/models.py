"""Committees, their meetings, agendas and decisions. A decision is a row, never an overwritten field."""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from fabrique.core.limits import LONG_TEXT, validate_sane_date
from fabrique.core.models import TenantModel, TimeStampedModel
from fabrique.core.workflow import Workflow, allowed

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from .registry import Outcome


class CommitteeKind(models.TextChoices):
    STEERING = "steering", _("comité de pilotage")
    COMMITMENT = "commitment", _("comité d'engagement")
    SELECTION = "selection", _("comité de sélection")
    OTHER = "other", _("autre comité")


class CommitteeType(TimeStampedModel):
    """Configurable per fabrique (defaults: copil, comité d'engagement, comité de sélection)."""

    fabrique = models.ForeignKey(
        "fabriques.Fabrique", on_delete=models.PROTECT, related_name="committee_types"
    )
    kind = models.CharField(_("nature"), max_length=20, choices=CommitteeKind.choices)
    label = models.CharField(_("nom"), max_length=120)
    description = models.TextField(_("rôle"), blank=True, max_length=LONG_TEXT)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("type de comité")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


class Committee(TenantModel):
    committee_type = models.ForeignKey(
        CommitteeType, on_delete=models.PROTECT, related_name="committees", verbose_name=_("type")
    )
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=LONG_TEXT)
    members = models.ManyToManyField(
        "directory.Person", blank=True, related_name="committees", verbose_name=_("membres")
    )
    study = models.ForeignKey(
        "studies.Study",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committees",
        verbose_name=_("étude suivie (copil)"),
    )
    quorum = models.PositiveSmallIntegerField(
        _("quorum"),
        null=True,
        blank=True,
        help_text=_("Nombre minimal de membres présents pour que le comité décide (vide : pas de quorum)."),
    )

    class Meta:
        verbose_name = _("comité")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("prévue")
    HELD = "held", _("tenue")
    CANCELLED = "cancelled", _("annulée")


def _meeting_can_be_cancelled(meeting: Any) -> str | None:
    if meeting.decisions.exists():
        return str(_("Cette séance a déjà des décisions enregistrées : elle ne peut pas être annulée."))
    return None


class Meeting(TenantModel):
    # the status is a small state machine: only fabrique.core.workflow.transition() assigns it
    workflow = Workflow(
        stages=MeetingStatus,
        field="status",
        transitions=allowed(
            {
                MeetingStatus.PLANNED: {MeetingStatus.HELD, MeetingStatus.CANCELLED},
                MeetingStatus.HELD: {MeetingStatus.PLANNED},
                MeetingStatus.CANCELLED: {MeetingStatus.PLANNED},
            }
        ),
        guards={(MeetingStatus.PLANNED, MeetingStatus.CANCELLED): _meeting_can_be_cancelled},
    )

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("comité")
    )
    date = models.DateTimeField(_("date et heure"), validators=[validate_sane_date])
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    attendees = models.ManyToManyField(
        "directory.Person", blank=True, related_name="meetings_attended", verbose_name=_("présents")
    )
    notes = models.TextField(_("compte rendu général"), blank=True, max_length=LONG_TEXT)

    class Meta:
        verbose_name = _("séance")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.committee} — {self.date:%d/%m/%Y}"


class AgendaItem(TimeStampedModel):
    """An item of a meeting's agenda, about a need, a study, a project, a call or an application."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    title = models.CharField(_("intitulé"), max_length=250)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    presenter = models.CharField(_("présenté par"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=LONG_TEXT)

    # set by `selectors.meeting_items` for the agenda page (not stored)
    decision_row: "Decision | None"
    target_alive: bool
    kind: str
    outcomes: "list[Outcome]"

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class Decision(TenantModel):
    """Who decided what, when, why, on what — and the transition it performed."""

    reason_label: (
        "StrOrPromise"  # set for display by the selectors and views that list decisions (not stored)
    )

    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField(max_length=300, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("séance"),
    )
    agenda_item = models.OneToOneField(
        AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="decision"
    )
    outcome = models.CharField(_("décision"), max_length=40)
    outcome_label = models.CharField(max_length=120, blank=True)
    reason_code = models.CharField(_("motif"), max_length=40, blank=True)
    reasons = models.TextField(_("motifs"), blank=True, max_length=LONG_TEXT)
    votes_for = models.PositiveSmallIntegerField(_("pour"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("contre"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("abstention"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enregistrée par"),
    )
    decided_on = models.DateField(_("date de la décision"), validators=[validate_sane_date])

    class Meta:
        verbose_name = _("décision")
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.outcome_label or self.outcome} — {self.target_repr}"

    @property
    def reference(self) -> str:
        return f"committees.decision:{self.pk}"

    @property
    def has_votes(self) -> bool:
        return any(v is not None for v in (self.votes_for, self.votes_against, self.votes_abstain))


class VoteChoice(models.TextChoices):
    FOR = "for", _("pour")
    AGAINST = "against", _("contre")
    ABSTAIN = "abstain", _("abstention")


class MemberVote(TimeStampedModel):
    """One committee member's vote on a decision (optional: decisions may keep totals only). A member
    whose organisation is involved in the decided object declares a conflict of interest and abstains."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="member_votes")
    person = models.ForeignKey(
        "directory.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("membre")
    )
    choice = models.CharField(_("vote"), max_length=10, choices=VoteChoice.choices)
    conflict_of_interest = models.BooleanField(_("conflit d'intérêts déclaré"), default=False)

    class Meta:
        verbose_name = _("vote d'un membre")
        ordering = ["decision", "person__last_name", "person__first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "person"], name="membervote_unique"),
            models.CheckConstraint(
                condition=~models.Q(conflict_of_interest=True) | models.Q(choice="abstain"),
                name="membervote_conflict_abstains",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} : {self.get_choice_display()}"
