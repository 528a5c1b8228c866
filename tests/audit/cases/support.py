"""Support: the support plan of a project, its milestones, referrals, funding plan and activity log."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from fabrique.core.text import normalize_organization_name
from fabrique.directory.models import Organization, OrganizationKind
from fabrique.projects.models import Project, ProjectStage
from fabrique.support import services as s
from fabrique.support.models import ActivityKind, FundingStatus
from tests.audit.harness import case

TODAY = timezone.localdate


def _plan(t):
    project = Project.objects.create(
        fabrique=t.fabrique, title="Épicerie solidaire", stage=ProjectStage.LEADER_SELECTED, officer=t.officer
    )
    return s.support_plan_start(
        project=project,
        actor=t.officer,
        started_on=TODAY() - datetime.timedelta(days=30),
        objectives="Boucler le plan de financement",
    )


def _stopped(t):
    return s.support_plan_stop(plan=_plan(t), actor=t.officer, reason="Le porteur se retire")


def _network(t):
    name = "Coopérative d'activités Ozon"
    return Organization.objects.create(
        fabrique=t.fabrique,
        name=name,
        kind=OrganizationKind.SUPPORT_NETWORK,
        normalized_name=normalize_organization_name(name),
    )


def _milestone(t):
    return s.milestone_create(
        plan=_plan(t), actor=t.officer, title="Agrément ESUS", due_on=TODAY() + datetime.timedelta(days=3)
    )


def _funding(t):
    return s.funding_create(
        plan=_plan(t),
        actor=t.officer,
        source_label="Région",
        amount=Decimal("10000"),
        status=FundingStatus.PLANNED,
    )


CASES = [
    case(s.support_plan_start, _plan, "support.supportplan.created", {"objectives", "started_on"}),
    case(
        s.support_plan_update,
        lambda t: s.support_plan_update(plan=_plan(t), actor=t.officer, objectives="Ouvrir en mars"),
        "support.supportplan.updated",
        {"objectives"},
    ),
    case(s.support_plan_stop, _stopped, "support.supportplan.stopped", {"stage", "stop_reason"}),
    case(
        s.support_plan_resume,
        lambda t: s.support_plan_resume(plan=_stopped(t), actor=t.officer, note="Nouveau porteur"),
        "support.supportplan.active",
        {"stage"},
    ),
    case(
        s.support_plan_complete,
        lambda t: s.support_plan_complete(plan=_plan(t), actor=t.officer, note="Structure créée"),
        "support.supportplan.completed",
        {"stage"},
    ),
    case(s.milestone_create, _milestone, "support.milestone.created", {"title", "due_on"}),
    case(
        s.milestone_update,
        lambda t: s.milestone_update(milestone=_milestone(t), actor=t.officer, notes="Dossier déposé"),
        "support.milestone.updated",
        {"notes"},
    ),
    case(
        s.referral_create,
        lambda t: s.referral_create(
            plan=_plan(t),
            actor=t.officer,
            organization=_network(t),
            purpose="Statuts de la SCIC",
            referred_on=TODAY(),
        ),
        "support.referral.created",
        {"organization", "purpose"},
    ),
    case(s.funding_create, _funding, "support.fundingline.created", {"source_label", "amount"}),
    case(
        s.funding_update,
        lambda t: s.funding_update(line=_funding(t), actor=t.officer, status=FundingStatus.REQUESTED),
        "support.fundingline.updated",
        {"status"},
    ),
    case(
        s.activity_create,
        lambda t: s.activity_create(
            plan=_plan(t),
            actor=t.officer,
            date=TODAY(),
            kind=ActivityKind.MEETING,
            summary="Point mensuel",
            minutes_spent=60,
        ),
        "support.supportactivity.created",
        {"kind", "summary"},
    ),
]
