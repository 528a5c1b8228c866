"""API of the method: studies and their workshops and scenarios, projects, committees, meetings,
agenda items, decisions, calls, criteria, applications, one's own evaluations, support plans and
their milestones, referrals and funding lines, enterprises and their follow-ups, indicators and the
audit log. Each resource is declared on the generic base (`resources.py`): rows, filters, serializer
and the services it calls — the same services, rules and state machines as the back-office.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from fabrique.audit.models import AuditEntry
from fabrique.committees.models import AgendaItem, Committee, Decision, Meeting, MeetingStatus
from fabrique.committees.services import (
    agenda_item_add,
    agenda_item_remove,
    committee_create,
    committee_update,
    meeting_create,
    meeting_update,
)
from fabrique.fabriques.models import Permission
from fabrique.intelligence.models import Indicator
from fabrique.intelligence.services import indicator_update
from fabrique.projects.models import Enterprise, FollowUp, Project, ProjectStage
from fabrique.projects.outcome import enterprise_update, followup_create, followup_update
from fabrique.projects.services import project_create, project_stop, project_update
from fabrique.recruitment.models import (
    Application,
    ApplicationStage,
    Call,
    CallStage,
    Evaluation,
    EvaluationCriterion,
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
)
from fabrique.studies.models import Scenario, Study, StudyStage, Workshop
from fabrique.studies.services import (
    scenario_create,
    scenario_update,
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
class StudyViewSet(UpdateMixin, TransitionMixin, ResourceViewSet):
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
    )
    filter_fields = {"stage": EXACT, "workstream": EXACT, "officer": EXACT, "due_on": DATES}
    prefetch = ("needs", "steering_people", "steering_organizations")
    steps = {StudyStage.AWAITING_DECISION: lambda v, o, b: study_submit(study=o, actor=v.user())}
    decided_elsewhere = "elle résulte d'une décision de comité sur l'étude (ordre du jour d'une séance)."

    def update_service(self, obj: Any, data: dict[str, Any]) -> Any:
        return study_update(study=obj, actor=self.user(), **data)


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

    def create_service(self, data: dict[str, Any]) -> Any:
        return workshop_create(study=data.pop("study"), actor=self.user(), **data)

    def update_service(self, obj: Any, data: dict[str, Any]) -> Any:
        return workshop_update(workshop=obj, actor=self.user(), **data)


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

    def create_service(self, data: dict[str, Any]) -> Any:
        return scenario_create(study=data.pop("study"), actor=self.user(), **data)

    def update_service(self, obj: Any, data: dict[str, Any]) -> Any:
        return scenario_update(scenario=obj, actor=self.user(), **data)


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

    def create_service(self, data: dict[str, Any]) -> Any:
        return project_create(fabrique=self.fabrique, actor=self.user(), **data)

    def update_service(self, obj: Any, data: dict[str, Any]) -> Any:
        return project_update(project=obj, actor=self.user(), **data)


@tags("projets")
class EnterpriseViewSet(UpdateMixin, ResourceViewSet):
    model = Enterprise
    _fields = [
        "legal_name",
        "legal_form",
        "siret",
        "created_on",
        "jobs_fte",
        "commune",
        "website",
        "organization",
    ]
    serializer_class = serializer_for(
        Enterprise, ["id", "project", *_fields, "created_at", "updated_at"], _fields
    )
    filter_fields = {"project": EXACT, "legal_form": EXACT, "created_on": DATES}

    def update_service(self, obj: Any, data: dict[str, Any]) -> Any:
        return enterprise_update(enterprise=obj, actor=self.user(), **data)


@tags("projets")
class FollowUpViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = FollowUp
    _fields = ["horizon", "observed_on", "still_active", "jobs_fte", "notes"]
    serializer_class = serializer_for(
        FollowUp, ["id", "enterprise", *_fields, "created_at", "updated_at"], _fields, ["enterprise"]
    )
    filter_fields = {"enterprise": EXACT, "horizon": EXACT, "observed_on": DATES}

    def create_service(self, data: dict[str, Any]) -> Any:
        return followup_create(enterprise=data.pop("enterprise"), actor=self.user(), **data)

    def update_service(self, obj: Any, data: dict[str, Any]) -> Any:
        return followup_update(followup=obj, actor=self.user(), **data)


# --- committees -----------------------------------------------------------------------------------


@tags("comités")
class CommitteeViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = Committee
    _fields = ["committee_type", "name", "description", "members", "quorum", "study"]
    serializer_class = serializer_for(Committee, ["id", *_fields, "created_at", "updated_at"], _fields)
    filter_fields = {"committee_type": EXACT, "study": EXACT}
    prefetch = ("members",)
    write_permission = Permission.MANAGE

    def create_service(self, data: dict[str, Any]) -> Any:
        return committee_create(fabrique=self.fabrique, actor=self.user(), **data)

    def update_service(self, obj: Any, data: dict[str, Any]) -> Any:
        return committee_update(committee=obj, actor=self.user(), **data)


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

    def create_service(self, data: dict[str, Any]) -> Any:
        return meeting_create(committee=data.pop("committee"), actor=self.user(), **data)

    def update_service(self, obj: Any, data: dict[str, Any]) -> Any:
        return meeting_update(meeting=obj, actor=self.user(), **data)


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

    def create_service(self, data: dict[str, Any]) -> Any:
        return agenda_item_add(meeting=data.pop("meeting"), actor=self.user(), **data)

    def delete_service(self, obj: Any) -> None:
        agenda_item_remove(item=obj, actor=self.user())


@tags("comités")
class DecisionViewSet(ResourceViewSet):
    model = Decision
    serializer_class = serializer_for(
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
    filter_fields = {"meeting": EXACT, "outcome": EXACT, "decided_on": DATES}
    related = ("target_type",)


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

    def create_service(self, data: dict[str, Any]) -> Any:
        return call_create(project=data.pop("project"), actor=self.user(), **data)

    def update_service(self, obj: Any, data: dict[str, Any]) -> Any:
        return call_update(call=obj, actor=self.user(), **data)


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


@tags("recrutement")
class EvaluationViewSet(ResourceViewSet):
    """One's own evaluations only."""

    model = Evaluation
    serializer_class = serializer_for(
        Evaluation,
        ["id", "application", "evaluator", "comment", "submitted_at", "created_at", "updated_at"],
        [],
    )
    filter_fields = {"application": EXACT}
    read_permission = Permission.DECIDE

    def rows(self) -> Any:
        return super().rows().filter(evaluator=self.request.user.pk)


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

    def update_service(self, obj: Any, data: dict[str, Any]) -> Any:
        return support_plan_update(plan=obj, actor=self.user(), **data)


@tags("accompagnement")
class MilestoneViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = Milestone
    _fields = ["title", "due_on", "status", "done_on", "notes"]
    serializer_class = serializer_for(
        Milestone, ["id", "plan", *_fields, "order", "created_at", "updated_at"], _fields, ["plan"]
    )
    filter_fields = {"plan": EXACT, "status": EXACT, "due_on": DATES}

    def create_service(self, data: dict[str, Any]) -> Any:
        return milestone_create(plan=data.pop("plan"), actor=self.user(), **data)

    def update_service(self, obj: Any, data: dict[str, Any]) -> Any:
        return milestone_update(milestone=obj, actor=self.user(), **data)


@tags("accompagnement")
class ReferralViewSet(CreateMixin, ResourceViewSet):
    model = Referral
    _fields = ["organization", "purpose", "referred_on", "outcome"]
    serializer_class = serializer_for(
        Referral, ["id", "plan", *_fields, "created_at", "updated_at"], _fields, ["plan"]
    )
    filter_fields = {"plan": EXACT, "organization": EXACT, "referred_on": DATES}

    def create_service(self, data: dict[str, Any]) -> Any:
        return referral_create(plan=data.pop("plan"), actor=self.user(), **data)


@tags("accompagnement")
class FundingLineViewSet(CreateMixin, UpdateMixin, ResourceViewSet):
    model = FundingLine
    _fields = ["funder", "source_label", "amount", "status", "requested_on", "decided_on"]
    serializer_class = serializer_for(
        FundingLine, ["id", "plan", *_fields, "created_at", "updated_at"], _fields, ["plan"]
    )
    filter_fields = {"plan": EXACT, "funder": EXACT, "status": EXACT}

    def create_service(self, data: dict[str, Any]) -> Any:
        return funding_create(plan=data.pop("plan"), actor=self.user(), **data)

    def update_service(self, obj: Any, data: dict[str, Any]) -> Any:
        return funding_update(line=obj, actor=self.user(), **data)


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

    def update_service(self, obj: Any, data: dict[str, Any]) -> Any:
        return indicator_update(indicator=obj, actor=self.user(), **data)


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
