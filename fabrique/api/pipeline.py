"""API of the method: studies and their workshops and scenarios, projects, committees, meetings,
agenda items, decisions, calls, criteria, applications, one's own evaluations, support plans and
their milestones, referrals and funding lines, enterprises and their follow-ups, indicators and the
audit log. Each resource is declared on the generic base (`resources.py`): rows, filters, serializer
and the services it calls — the same services, rules and state machines as the back-office.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from fabrique.audit.models import AuditEntry
from fabrique.committees.models import AgendaItem, Committee, Decision, Meeting, MeetingStatus, VoteChoice
from fabrique.committees.services import (
    agenda_item_add,
    agenda_item_decide,
    agenda_item_remove,
    committee_create,
    committee_update,
    decision_record,
    meeting_create,
    meeting_update,
)
from fabrique.core.errors import DomainError
from fabrique.core.limits import LONG_TEXT, validate_sane_date
from fabrique.directory.errors import ProbableDuplicate
from fabrique.directory.models import Person
from fabrique.fabriques.models import Permission
from fabrique.intelligence.models import Indicator
from fabrique.intelligence.services import indicator_update
from fabrique.needs.models import Need
from fabrique.projects.models import Enterprise, FollowUp, Project, ProjectStage
from fabrique.projects.outcome import (
    enterprise_update,
    followup_create,
    followup_update,
    project_record_creation,
)
from fabrique.projects.services import project_create, project_stop, project_update
from fabrique.recruitment.models import (
    Application,
    ApplicationStage,
    Call,
    CallStage,
    Evaluation,
    EvaluationCriterion,
    EvaluationScore,
)
from fabrique.recruitment.services import (
    application_reject,
    application_select,
    application_withdraw,
    call_cancel,
    call_close,
    call_create,
    call_publish,
    call_update,
    evaluation_save,
)
from fabrique.studies.models import Scenario, Study, StudyStage, Workshop
from fabrique.studies.services import (
    scenario_create,
    scenario_update,
    study_open,
    study_submit,
    study_update,
    workshop_create,
    workshop_update,
)
from fabrique.support.models import FundingLine, Milestone, Referral, SupportPlan, SupportStage
from fabrique.support.services import (
    funding_create,
    funding_update,
    milestone_create,
    milestone_update,
    referral_create,
    support_plan_complete,
    support_plan_resume,
    support_plan_stop,
    support_plan_update,
)

from .resources import (
    CreateMixin,
    DestroyMixin,
    ResourceSerializer,
    ResourceViewSet,
    TransitionMixin,
    UpdateMixin,
    Via,
    fabrique_rows,
)

EXACT = ["exact"]
DATES = ["exact", "gte", "lte"]


def serializer_for(model: Any, fields: list[str], writable: list[str], create_only: list[str] = ()) -> type:  # type: ignore[assignment]
    """A ResourceSerializer of `model`: `fields` shown, `writable` accepted (the service's fields),
    `create_only` accepted on creation only (the parent row)."""
    read_only = [f for f in fields if f not in writable and f not in create_only]

    class Meta:
        pass

    Meta.model = model  # type: ignore[attr-defined]
    Meta.fields = fields  # type: ignore[attr-defined]
    Meta.read_only_fields = read_only  # type: ignore[attr-defined]

    def get_fields(self: Any) -> dict[str, Any]:
        out = ResourceSerializer.get_fields(self)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            for name in create_only:
                out[name].read_only = True
        return out

    attrs: dict[str, Any] = {"Meta": Meta, "get_fields": get_fields}
    if any(f.name == "stage" for f in model._meta.fields):
        attrs["stage_label"] = serializers.CharField(source="get_stage_display", read_only=True)
        Meta.fields = [*fields, "stage_label"]  # type: ignore[attr-defined]
    return type(f"{model.__name__}Serializer", (ResourceSerializer,), attrs)


def tags(name: str) -> Any:
    """The OpenAPI tag of a resource (read by FabriqueAutoSchema.get_tags)."""

    def decorate(cls: type) -> type:
        cls.api_tags = [name]  # type: ignore[attr-defined]
        return cls

    return decorate


def note(body: Mapping[str, Any]) -> str:
    return str(body.get("note") or "")


# --- studies --------------------------------------------------------------------------------------


@tags("études")
class StudyViewSet(CreateMixin, UpdateMixin, TransitionMixin, ResourceViewSet):
    """POST opens a study on retained needs (`study_open`: the needs move to "in study")."""

    model = Study
    serializer_class = serializer_for(
        Study,
        [
            "id",
            "reference",
            "title",
            "summary",
            "workstream",
            "officer",
            "started_on",
            "due_on",
            "stage",
            "stage_changed_at",
            "conclusion",
            "no_go_reasons",
            "needs",
            "steering_people",
            "steering_organizations",
            "created_at",
            "updated_at",
        ],
        [
            "title",
            "summary",
            "workstream",
            "officer",
            "started_on",
            "due_on",
            "conclusion",
            "steering_people",
            "steering_organizations",
        ],
        ["needs"],
    )
    filter_fields = {"stage": EXACT, "workstream": EXACT, "officer": EXACT, "due_on": DATES}
    prefetch = ("needs", "steering_people", "steering_organizations")
    steps = {StudyStage.AWAITING_DECISION: lambda v, o, b: study_submit(study=o, actor=v.user())}
    decided_elsewhere = "elle résulte d'une décision de comité sur l'étude (ordre du jour d'une séance)."

    def create_service(self, data: dict[str, Any]) -> Any:
        if data.pop("conclusion", ""):
            raise ValidationError(
                {"conclusion": [_("La conclusion se rédige pendant l'étude, une fois celle-ci ouverte.")]}
            )
        return study_open(fabrique=self.fabrique, actor=self.user(), needs=data.pop("needs", []), **data)

    updates = Via(study_update, "study")


@tags("études")
class WorkshopViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = Workshop
    serializer_class = serializer_for(
        Workshop,
        [
            "id",
            "study",
            "kind",
            "title",
            "date",
            "place",
            "participants",
            "other_participants",
            "notes",
            "decisions",
            "created_at",
            "updated_at",
        ],
        ["kind", "title", "date", "place", "participants", "other_participants", "notes", "decisions"],
        ["study"],
    )
    filter_fields = {"study": EXACT, "kind": EXACT, "date": DATES}
    prefetch = ("participants",)

    creates = Via(workshop_create, "study")
    updates = Via(workshop_update, "workshop")


@tags("études")
class ScenarioViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = Scenario
    _fields = [
        "title",
        "description",
        "pros",
        "cons",
        "value_proposition",
        "beneficiaries",
        "revenue_sources",
        "main_costs",
        "partners",
        "jobs_estimate",
        "is_preferred",
    ]
    serializer_class = serializer_for(
        Scenario, ["id", "study", *_fields, "created_at", "updated_at"], _fields, ["study"]
    )
    filter_fields = {"study": EXACT, "is_preferred": EXACT}

    creates = Via(scenario_create, "study")
    updates = Via(scenario_update, "scenario")


# --- projects, enterprises, follow-ups ---------------------------------------------------------------


@tags("projets")
class ProjectViewSet(CreateMixin, UpdateMixin, TransitionMixin, ResourceViewSet):
    model = Project
    _fields = ["title", "summary", "public_summary", "is_public", "workstream", "officer", "commune"]
    serializer_class = serializer_for(
        Project,
        [
            "id",
            "reference",
            *_fields,
            "study",
            "needs",
            "recruitment_mode",
            "leader_person",
            "leader_organization",
            "stage",
            "stage_changed_at",
            "stop_reason",
            "stop_details",
            "stopped_at_stage",
            "created_at",
            "updated_at",
        ],
        _fields,
    )
    filter_fields = {
        "stage": EXACT,
        "workstream": EXACT,
        "officer": EXACT,
        "study": EXACT,
        "is_public": EXACT,
    }
    prefetch = ("needs",)
    steps = {
        ProjectStage.STOPPED: lambda v, o, b: project_stop(
            project=o, actor=v.user(), reason=str(b.get("reason") or ""), details=note(b)
        )
    }
    decided_elsewhere = "elle suit le recrutement du porteur, l'accompagnement ou une décision de comité."

    creates = Via(project_create, "fabrique")
    updates = Via(project_update, "project")


_ENTERPRISE_FIELDS = [
    "legal_name",
    "legal_form",
    "siret",
    "created_on",
    "jobs_fte",
    "commune",
    "website",
    "organization",
]
_EnterpriseBase: Any = serializer_for(
    Enterprise,
    ["id", "project", *_ENTERPRISE_FIELDS, "created_at", "updated_at"],
    _ENTERPRISE_FIELDS,
    ["project"],
)


class EnterpriseSerializer(_EnterpriseBase):  # type: ignore[misc]
    # `create_organization` (creation only) asks for a new directory entry; a project already recorded
    # is the service's 409, not the one-to-one's "already exists" 400
    create_organization = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="À la création : vrai pour créer la fiche de l'annuaire de l'entreprise (sinon `organization`).",
    )

    class Meta(_EnterpriseBase.Meta):  # type: ignore[misc]
        fields = [*_EnterpriseBase.Meta.fields, "create_organization"]

    def get_fields(self) -> dict[str, Any]:
        out: dict[str, Any] = super().get_fields()
        out["project"].validators = []
        return out


@tags("projets")
class EnterpriseViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    """POST records the enterprise created by a project in support (`project_record_creation`): the
    project becomes "created" and its support plan completed."""

    model = Enterprise
    serializer_class = EnterpriseSerializer
    filter_fields = {"project": EXACT, "legal_form": EXACT, "created_on": DATES}

    def create_service(self, data: dict[str, Any]) -> Any:
        try:
            return project_record_creation(project=data.pop("project"), actor=self.user(), **data)
        except ProbableDuplicate as exc:
            names = ", ".join(str(o) for o in exc.duplicates[:5])
            raise ValidationError(
                {
                    "organization": [
                        _("L'annuaire a déjà une structure qui lui ressemble (%(names)s) : indiquez-la ici.")
                        % {"names": names}
                    ]
                }
            ) from exc

    def update_service(self, obj: Any, data: dict[str, Any]) -> Any:
        data.pop("create_organization", None)
        return enterprise_update(enterprise=obj, actor=self.user(), **data)


@tags("projets")
class FollowUpViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = FollowUp
    _fields = ["horizon", "observed_on", "still_active", "jobs_fte", "notes"]
    serializer_class = serializer_for(
        FollowUp, ["id", "enterprise", *_fields, "created_at", "updated_at"], _fields, ["enterprise"]
    )
    filter_fields = {"enterprise": EXACT, "horizon": EXACT, "observed_on": DATES}

    creates = Via(followup_create, "enterprise")
    updates = Via(followup_update, "followup")


# --- committees -----------------------------------------------------------------------------------


@tags("comités")
class CommitteeViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = Committee
    _fields = ["committee_type", "name", "description", "members", "quorum", "study"]
    serializer_class = serializer_for(Committee, ["id", *_fields, "created_at", "updated_at"], _fields)
    filter_fields = {"committee_type": EXACT, "study": EXACT}
    prefetch = ("members",)
    write_permission = Permission.MANAGE

    creates = Via(committee_create, "fabrique")
    updates = Via(committee_update, "committee")


def _meeting_status(view: Any, obj: Any, body: Mapping[str, Any]) -> Any:
    return meeting_update(meeting=obj, actor=view.user(), status=body["to"])


@tags("comités")
class MeetingViewSet(CreateMixin, UpdateMixin, TransitionMixin, ResourceViewSet):
    model = Meeting
    _fields = ["date", "place", "attendees", "notes"]
    serializer_class = serializer_for(
        Meeting, ["id", "committee", *_fields, "status", "created_at", "updated_at"], _fields, ["committee"]
    )
    filter_fields = {"committee": EXACT, "status": EXACT, "date": DATES}
    prefetch = ("attendees",)
    steps = dict.fromkeys(MeetingStatus.values, _meeting_status)

    creates = Via(meeting_create, "committee")
    updates = Via(meeting_update, "meeting")


@tags("comités")
class AgendaItemViewSet(CreateMixin, DestroyMixin, ResourceViewSet):
    model = AgendaItem
    serializer_class = serializer_for(
        AgendaItem,
        ["id", "meeting", "order", "title", "target_type", "target_id", "presenter", "notes", "created_at"],
        ["title", "presenter", "notes"],
        ["meeting"],
    )
    filter_fields = {"meeting": EXACT}
    related = ("target_type",)

    creates = Via(agenda_item_add, "meeting")

    def delete_service(self, obj: Any) -> None:
        agenda_item_remove(item=obj, actor=self.user())


# what a decision outside a meeting may be about (the registered targets: committees/registry.py)
DECIDABLE: dict[str, Any] = {"need": Need, "study": Study, "application": Application}
ID_MAX = 2**63 - 1  # a larger id overflows the database integer: a 400, never a 500


class MemberVoteInput(serializers.Serializer):  # type: ignore[type-arg]
    person = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, help_text="Identifiant du contact, membre du comité."
    )
    choice = serializers.ChoiceField(choices=VoteChoice.choices)
    conflict = serializers.BooleanField(
        required=False, default=False, help_text="Conflit d'intérêts déclaré (le membre s'abstient)."
    )


class DecisionInput(serializers.Serializer):  # type: ignore[type-arg]
    agenda_item = serializers.PrimaryKeyRelatedField(
        queryset=AgendaItem.objects.none(),
        required=False,
        allow_null=True,
        help_text="Point de l'ordre du jour décidé en séance (décision de comité).",
    )
    target = serializers.ChoiceField(
        choices=[(k, k) for k in DECIDABLE],
        required=False,
        help_text="Hors séance : le type de l'objet décidé.",
    )
    target_id = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, required=False, help_text="Hors séance : son identifiant."
    )
    outcome = serializers.CharField(max_length=40, help_text="Code de la décision (ex. go, no_go, retained).")
    reasons = serializers.CharField(required=False, allow_blank=True, max_length=LONG_TEXT, default="")
    reason_code = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    votes_for = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=10_000)
    votes_against = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=10_000)
    votes_abstain = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=10_000)
    member_votes = MemberVoteInput(many=True, required=False, max_length=200)  # type: ignore[call-arg]
    decided_on = serializers.DateField(
        required=False,
        allow_null=True,
        validators=[validate_sane_date],
        help_text="Hors séance : date de la décision (aujourd'hui par défaut).",
    )

    def _fabrique(self) -> Any:
        return getattr(self.context.get("view"), "fabrique", None)

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = super().get_fields()
        fabrique = self._fabrique()
        fields["agenda_item"].queryset = (
            AgendaItem.objects.none() if fabrique is None else fabrique_rows(AgendaItem, fabrique)
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        fabrique = self._fabrique()
        item, target, target_id = attrs.get("agenda_item"), attrs.get("target"), attrs.get("target_id")
        if item is not None and (target or target_id):
            raise ValidationError(
                {
                    "target": [
                        _("Une décision de séance porte sur l'objet de son point : ne donnez pas « target ».")
                    ]
                }
            )
        if item is not None and attrs.get("decided_on"):
            raise ValidationError({"decided_on": [_("Une décision de séance prend la date de la séance.")]})
        if item is None:
            if not target or not target_id:
                raise ValidationError(
                    {
                        "target": [
                            _(
                                "Indiquez le point de l'ordre du jour, ou l'objet décidé (target et target_id)."
                            )
                        ]
                    }
                )
            row = DECIDABLE[target]._default_manager.filter(fabrique=fabrique, pk=target_id).first()
            if row is None:
                raise ValidationError({"target_id": [_("Cet objet n'existe pas dans la fabrique.")]})
            attrs["target_row"] = row
        votes = attrs.get("member_votes") or []
        if votes:
            people = Person.objects.filter(fabrique=fabrique, pk__in=[v["person"] for v in votes]).in_bulk()
            for vote in votes:
                if vote["person"] not in people:
                    raise ValidationError(
                        {
                            "member_votes": [
                                _("Le contact %(id)s n'existe pas dans la fabrique.") % {"id": vote["person"]}
                            ]
                        }
                    )
                vote["person"] = people[vote["person"]]
        return attrs


_DecisionSerializer: Any = serializer_for(
    Decision,
    [
        "id",
        "target_type",
        "target_id",
        "target_repr",
        "meeting",
        "agenda_item",
        "outcome",
        "outcome_label",
        "reason_code",
        "reasons",
        "votes_for",
        "votes_against",
        "votes_abstain",
        "decided_by",
        "decided_on",
        "created_at",
    ],
    [],
)


@tags("comités")
class DecisionViewSet(ResourceViewSet):
    """Decisions (read); POST records one through the committees' services, which perform the
    transition it decides."""

    model = Decision
    serializer_class = _DecisionSerializer
    filter_fields = {"meeting": EXACT, "outcome": EXACT, "decided_on": DATES}
    related = ("target_type",)
    write_permission = Permission.DECIDE

    @extend_schema(
        summary="Enregistrer une décision",
        description=(
            "Décision d'un comité sur un point de l'ordre du jour d'une séance (`agenda_item`, votes "
            "facultatifs : totaux ou vote de chaque membre avec les conflits d'intérêts), ou décision de "
            "l'équipe hors séance sur un besoin, une étude ou une candidature (`target` et `target_id`). "
            "La décision fait le changement d'étape qu'elle décide, tout ou rien, et reste au journal. "
            "409 quand la décision n'est pas possible à ce stade ou que le point est déjà décidé ; 400 "
            "pour un motif manquant, un quorum non atteint ou des votes incohérents."
        ),
        request=DecisionInput,
        responses={201: _DecisionSerializer},
        examples=[
            OpenApiExample(
                "Décision de séance",
                value={
                    "agenda_item": 7,
                    "outcome": "go",
                    "votes_for": 5,
                    "votes_against": 0,
                    "votes_abstain": 1,
                },
                request_only=True,
            ),
            OpenApiExample(
                "Décision de l'équipe",
                value={"target": "study", "target_id": 3, "outcome": "no_go", "reason_code": "no_model"},
                request_only=True,
            ),
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = DecisionInput(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        votes = [
            {"person": row["person"], "choice": row["choice"], "conflict": row["conflict"]}
            for row in data.pop("member_votes", None) or []
        ]
        common = {
            "actor": self.user(),
            "outcome": data["outcome"],
            "reasons": data["reasons"].strip(),
            "reason_code": data["reason_code"],
            "votes_for": data.get("votes_for"),
            "votes_against": data.get("votes_against"),
            "votes_abstain": data.get("votes_abstain"),
            "member_votes": votes or None,
        }
        item = data.get("agenda_item")
        if item is not None:
            decision = agenda_item_decide(item=item, **common)
        else:
            decision = decision_record(
                fabrique=self.fabrique, target=data["target_row"], decided_on=data.get("decided_on"), **common
            )
        decision = self.get_queryset().get(pk=decision.pk)
        return Response(self.get_serializer(decision).data, status=status.HTTP_201_CREATED)


# --- recruitment ----------------------------------------------------------------------------------


@tags("recrutement")
class CallViewSet(CreateMixin, UpdateMixin, TransitionMixin, ResourceViewSet):
    model = Call
    _fields = ["title", "description", "profile_sought", "selection_criteria", "support_offered", "deadline"]
    serializer_class = serializer_for(
        Call,
        [
            "id",
            "project",
            "slug",
            *_fields,
            "stage",
            "stage_changed_at",
            "published_on",
            "evaluators",
            "created_at",
            "updated_at",
        ],
        _fields,
        ["project"],
    )
    filter_fields = {"stage": EXACT, "project": EXACT, "deadline": DATES}
    prefetch = ("evaluators",)
    steps = {
        CallStage.PUBLISHED: lambda v, o, b: call_publish(call=o, actor=v.user()),
        CallStage.CLOSED: lambda v, o, b: call_close(call=o, actor=v.user()),
        CallStage.CANCELLED: lambda v, o, b: call_cancel(call=o, actor=v.user(), reason=note(b)),
    }
    decided_elsewhere = "un appel est « décidé » quand toutes ses candidatures le sont."

    creates = Via(call_create, "project")
    updates = Via(call_update, "call")


@tags("recrutement")
class CriterionViewSet(ResourceViewSet):
    model = EvaluationCriterion
    serializer_class = serializer_for(
        EvaluationCriterion, ["id", "call", "label", "weight", "max_score", "order"], []
    )
    filter_fields = {"call": EXACT}


@tags("recrutement")
class ApplicationViewSet(TransitionMixin, ResourceViewSet):
    model = Application
    serializer_class = serializer_for(
        Application,
        [
            "id",
            "project",
            "call",
            "source",
            "first_name",
            "last_name",
            "email",
            "phone",
            "organization_name",
            "person",
            "organization",
            "motivation",
            "experience",
            "document_name",
            "consent_processing",
            "stage",
            "stage_changed_at",
            "created_at",
            "updated_at",
        ],
        [],
    )
    filter_fields = {"stage": EXACT, "call": EXACT, "project": EXACT, "source": EXACT}
    write_permission = Permission.DECIDE
    steps = {
        ApplicationStage.SELECTED: lambda v, o, b: application_select(application=o, actor=v.user()),
        ApplicationStage.NOT_SELECTED: lambda v, o, b: application_reject(application=o, actor=v.user()),
        ApplicationStage.WITHDRAWN: lambda v, o, b: application_withdraw(
            application=o, actor=v.user(), note=note(b)
        ),
    }
    decided_elsewhere = "une candidature passe « en examen » quand une évaluation commence."


class ScoreSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = EvaluationScore
        fields = ["criterion", "score", "comment"]
        read_only_fields = fields


_EvaluationBase: Any = serializer_for(
    Evaluation,
    ["id", "application", "evaluator", "comment", "submitted_at", "created_at", "updated_at"],
    [],
)


class EvaluationSerializer(_EvaluationBase):  # type: ignore[misc]
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta(_EvaluationBase.Meta):  # type: ignore[misc]
        fields = [*_EvaluationBase.Meta.fields, "scores"]


class ScoreInput(serializers.Serializer):  # type: ignore[type-arg]
    criterion = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="Identifiant du critère.")
    score = serializers.IntegerField(
        min_value=0, max_value=20, allow_null=True, help_text="Note, de 0 à la note maximale du critère."
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=LONG_TEXT, default="")


class EvaluationInput(serializers.Serializer):  # type: ignore[type-arg]
    application = serializers.PrimaryKeyRelatedField(
        queryset=Application.objects.none(), help_text="Candidature évaluée."
    )
    scores = ScoreInput(  # type: ignore[call-arg]
        many=True, max_length=100, help_text="Une note par critère de la grille de l'appel."
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=LONG_TEXT, default="", help_text="Appréciation générale."
    )
    submit = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Vrai pour soumettre (chaque critère noté ; l'évaluation ne change plus), "
        "faux pour un brouillon.",
    )

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = super().get_fields()
        fabrique = getattr(self.context.get("view"), "fabrique", None)
        fields["application"].queryset = (
            Application.objects.none() if fabrique is None else fabrique_rows(Application, fabrique)
        )
        return fields


@tags("recrutement")
class EvaluationViewSet(ResourceViewSet):
    """One's own evaluations only; POST saves one's scores on an application (`evaluation_save`)."""

    model = Evaluation
    serializer_class = EvaluationSerializer
    filter_fields = {"application": EXACT}
    read_permission = Permission.DECIDE
    write_permission = Permission.DECIDE
    prefetch = ("scores",)

    def rows(self) -> Any:
        return super().rows().filter(evaluator=self.request.user.pk)

    @extend_schema(
        summary="Noter une candidature",
        description=(
            "Enregistre la grille de l'évaluateur·rice connecté·e sur une candidature : un brouillon, ou "
            "l'évaluation soumise (`submit`, chaque critère noté), qui ne change plus ensuite. "
            "201 à la première note, 200 ensuite. 403 si la personne n'est pas évaluatrice de l'appel ; "
            "409 si la candidature est décidée, l'appel annulé ou l'évaluation déjà soumise ; "
            "400 par critère (`score_<id du critère>`)."
        ),
        request=EvaluationInput,
        responses={200: EvaluationSerializer, 201: EvaluationSerializer},
        examples=[
            OpenApiExample(
                "Exemple",
                value={"application": 12, "scores": [{"criterion": 3, "score": 4}], "submit": False},
                request_only=True,
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = EvaluationInput(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        application = data["application"]
        criteria = set(
            EvaluationCriterion.objects.filter(call=application.call_id).values_list("pk", flat=True)
        )
        scores: dict[int, tuple[int | None, str]] = {}
        for row in data["scores"]:
            if row["criterion"] not in criteria:
                raise ValidationError(
                    {
                        "scores": [
                            _("Le critère %(id)s n'est pas dans la grille de cet appel.")
                            % {"id": row["criterion"]}
                        ]
                    }
                )
            scores[row["criterion"]] = (row["score"], row["comment"])
        existed = Evaluation.objects.filter(application=application, evaluator=request.user.pk).exists()
        try:
            evaluation = evaluation_save(
                application=application,
                evaluator=self.user(),
                scores=scores,
                comment=data["comment"],
                submit=data["submit"],
            )
        except DomainError as exc:
            if exc.code == "not_evaluator":
                raise PermissionDenied(exc.message) from exc
            raise
        evaluation = self.get_queryset().get(pk=evaluation.pk)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(self.get_serializer(evaluation).data, status=code)


# --- support --------------------------------------------------------------------------------------


@tags("accompagnement")
class SupportPlanViewSet(UpdateMixin, TransitionMixin, ResourceViewSet):
    model = SupportPlan
    _fields = ["started_on", "officer", "objectives"]
    serializer_class = serializer_for(
        SupportPlan,
        ["id", "project", *_fields, "stage", "stage_changed_at", "stop_reason", "created_at", "updated_at"],
        _fields,
    )
    filter_fields = {"stage": EXACT, "officer": EXACT, "project": EXACT}
    steps = {
        SupportStage.STOPPED: lambda v, o, b: support_plan_stop(plan=o, actor=v.user(), reason=note(b)),
        SupportStage.ACTIVE: lambda v, o, b: support_plan_resume(plan=o, actor=v.user(), note=note(b)),
        SupportStage.COMPLETED: lambda v, o, b: support_plan_complete(plan=o, actor=v.user(), note=note(b)),
    }

    updates = Via(support_plan_update, "plan")


@tags("accompagnement")
class MilestoneViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = Milestone
    _fields = ["title", "due_on", "status", "done_on", "notes"]
    serializer_class = serializer_for(
        Milestone, ["id", "plan", *_fields, "order", "created_at", "updated_at"], _fields, ["plan"]
    )
    filter_fields = {"plan": EXACT, "status": EXACT, "due_on": DATES}

    creates = Via(milestone_create, "plan")
    updates = Via(milestone_update, "milestone")


@tags("accompagnement")
class ReferralViewSet(CreateMixin, ResourceViewSet):
    model = Referral
    _fields = ["organization", "purpose", "referred_on", "outcome"]
    serializer_class = serializer_for(
        Referral, ["id", "plan", *_fields, "created_at", "updated_at"], _fields, ["plan"]
    )
    filter_fields = {"plan": EXACT, "organization": EXACT, "referred_on": DATES}

    creates = Via(referral_create, "plan")


@tags("accompagnement")
class FundingLineViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = FundingLine
    _fields = ["funder", "source_label", "amount", "status", "requested_on", "decided_on"]
    serializer_class = serializer_for(
        FundingLine, ["id", "plan", *_fields, "created_at", "updated_at"], _fields, ["plan"]
    )
    filter_fields = {"plan": EXACT, "funder": EXACT, "status": EXACT}

    creates = Via(funding_create, "plan")
    updates = Via(funding_update, "line")


# --- indicators and audit log ------------------------------------------------------------------------


@tags("indicateurs")
class IndicatorViewSet(UpdateMixin, ResourceViewSet):
    model = Indicator
    _fields = [
        "name",
        "description",
        "source",
        "source_url",
        "vintage",
        "unit",
        "licence",
        "higher_is_worse",
        "aggregation",
        "decimals",
    ]
    serializer_class = serializer_for(
        Indicator, ["id", "code", *_fields, "level", "method_note", "created_at", "updated_at"], _fields
    )
    filter_fields = {"level": EXACT, "code": EXACT}

    updates = Via(indicator_update, "indicator")


@tags("journal")
class AuditEntryViewSet(ResourceViewSet):
    model = AuditEntry
    serializer_class = serializer_for(
        AuditEntry,
        [
            "id",
            "created_at",
            "actor",
            "actor_label",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "old_values",
            "new_values",
            "decision_ref",
            "note",
        ],
        [],
    )
    filter_fields = {"action": EXACT, "actor": EXACT, "target_id": EXACT, "created_at": DATES}
    read_permission = Permission.MANAGE


router = SimpleRouter()
for prefix, viewset, basename in [
    ("studies", StudyViewSet, "study"),
    ("workshops", WorkshopViewSet, "workshop"),
    ("scenarios", ScenarioViewSet, "scenario"),
    ("projects", ProjectViewSet, "project"),
    ("enterprises", EnterpriseViewSet, "enterprise"),
    ("follow-ups", FollowUpViewSet, "follow-up"),
    ("committees", CommitteeViewSet, "committee"),
    ("meetings", MeetingViewSet, "meeting"),
    ("agenda-items", AgendaItemViewSet, "agenda-item"),
    ("decisions", DecisionViewSet, "decision"),
    ("calls", CallViewSet, "call"),
    ("criteria", CriterionViewSet, "criterion"),
    ("applications", ApplicationViewSet, "application"),
    ("evaluations", EvaluationViewSet, "evaluation"),
    ("support-plans", SupportPlanViewSet, "support-plan"),
    ("milestones", MilestoneViewSet, "milestone"),
    ("referrals", ReferralViewSet, "referral"),
    ("funding-lines", FundingLineViewSet, "funding-line"),
    ("indicators", IndicatorViewSet, "indicator"),
    ("audit-log", AuditEntryViewSet, "audit-entry"),
]:
    router.register(prefix, viewset, basename=basename)

fabrique_urlpatterns: list[Any] = [*router.urls]
