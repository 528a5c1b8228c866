"""Permission matrix of the support (accompagnement) and outcome pages."""

import datetime
from decimal import Decimal

from django.utils import timezone

from fabrique.core.text import normalize_organization_name
from fabrique.directory.models import Organization, OrganizationKind
from fabrique.projects.models import Enterprise, FollowUp, LegalForm, Project, ProjectStage
from fabrique.support.models import FundingLine, Milestone, Referral, SupportActivity, SupportPlan

from .rules import E, Rule, V, foreign_pk, pk


def _edit(name: str, kwarg: str = "pk") -> Rule:
    return Rule(E, params=pk(name, kwarg), foreign=foreign_pk(name, kwarg), post=True)


def _view(name: str, kwarg: str = "pk") -> Rule:
    return Rule(V, params=pk(name, kwarg), foreign=foreign_pk(name, kwarg))


MATRIX = {
    "backoffice:support_plan_list": Rule(V),
    "backoffice:support_plan_create": _edit("project_leader_selected", "project_pk"),
    # the plan, milestones, referrals, funding, activities, follow/bell: fixed, not per row
    "backoffice:support_plan_detail": Rule(
        V, params=pk("support_plan", "pk"), foreign=foreign_pk("support_plan", "pk"), queries=25
    ),
    "backoffice:support_plan_update": _edit("support_plan"),
    "backoffice:support_plan_stop": _edit("support_plan"),
    "backoffice:support_plan_resume": _edit("support_plan"),
    "backoffice:milestone_create": _edit("support_plan", "plan_pk"),
    "backoffice:milestone_update": _edit("plan_milestone"),
    "backoffice:referral_create": _edit("support_plan", "plan_pk"),
    "backoffice:funding_create": _edit("support_plan", "plan_pk"),
    "backoffice:funding_update": _edit("plan_funding"),
    "backoffice:activity_create": _edit("support_plan", "plan_pk"),
    "backoffice:enterprise_list": Rule(V),
    "backoffice:enterprise_create": _edit("project_in_support", "project_pk"),
    "backoffice:enterprise_detail": _view("enterprise"),
    "backoffice:enterprise_update": _edit("enterprise"),
    "backoffice:followup_create": _edit("enterprise", "enterprise_pk"),
    "backoffice:followup_update": _edit("followup"),
}


def _organization(side, name: str, kind: str) -> Organization:
    return Organization.objects.create(
        fabrique=side.team.fabrique, name=name, kind=kind, normalized_name=normalize_organization_name(name)
    )


def populate(side, label: str) -> None:
    fabrique = side.team.fabrique
    officer = side.team.officer
    today = timezone.localdate()
    network = _organization(side, f"Réseau d'accompagnement {label}", OrganizationKind.SUPPORT_NETWORK)
    funder = _organization(side, f"Financeur {label}", OrganizationKind.FUNDER)

    side.objects["project_leader_selected"] = Project.objects.create(
        fabrique=fabrique, title=f"Projet porteur choisi {label}", stage=ProjectStage.LEADER_SELECTED
    )
    project = Project.objects.create(
        fabrique=fabrique, title=f"Projet accompagné {label}", stage=ProjectStage.IN_SUPPORT, officer=officer
    )
    plan = SupportPlan.objects.create(
        fabrique=fabrique, project=project, officer=officer, started_on=today, objectives=f"Objectifs {label}"
    )
    side.objects["project_in_support"] = project
    side.objects["support_plan"] = plan
    side.objects["plan_milestone"] = Milestone.objects.create(
        plan=plan, title=f"Jalon {label}", due_on=today + datetime.timedelta(days=10), order=1
    )
    side.objects["plan_funding"] = FundingLine.objects.create(
        plan=plan, funder=funder, source_label=f"Financeur {label}", amount=Decimal("15000")
    )
    side.objects["plan_referral"] = Referral.objects.create(
        plan=plan, organization=network, purpose=f"Orientation {label}", referred_on=today
    )
    side.objects["plan_activity"] = SupportActivity.objects.create(
        plan=plan, date=today, summary=f"Rendez-vous {label}", minutes_spent=90, by=officer
    )

    created = Project.objects.create(
        fabrique=fabrique, title=f"Projet abouti {label}", stage=ProjectStage.CREATED, officer=officer
    )
    SupportPlan.objects.create(
        fabrique=fabrique,
        project=created,
        officer=officer,
        started_on=today - datetime.timedelta(days=800),
        stage="completed",
    )
    enterprise = Enterprise.objects.create(
        project=created,
        legal_name=f"Entreprise {label}",
        legal_form=LegalForm.SCIC,
        siret="73282932000074",
        created_on=today - datetime.timedelta(days=380),
        jobs_fte=Decimal("3.5"),
    )
    side.objects["enterprise"] = enterprise
    side.objects["followup"] = FollowUp.objects.create(
        enterprise=enterprise, horizon="1y", observed_on=today, jobs_fte=Decimal("4"), notes=f"Suivi {label}"
    )
