"""Projects: creation (three paths), leader, stop, partners, the enterprise created and its follow-ups."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from fabrique.needs.models import NeedStage
from fabrique.projects import outcome, partners
from fabrique.projects import services as s
from fabrique.projects.models import PartnerRole, ProjectStage, RecruitmentMode
from fabrique.support.services import support_plan_start
from tests.audit.harness import case
from tests.projects.factories import make_need, make_organization, make_person, make_project, make_study

ENTERPRISE = {
    "legal_name": "SCIC L'Épicerie du quartier",
    "legal_form": "scic",
    "siret": "732 829 320 00074",
    "created_on": datetime.date(2025, 3, 10),
    "jobs_fte": Decimal("2.5"),
}


def _enterprise(t):
    project = make_project(t.fabrique, stage=ProjectStage.LEADER_SELECTED, officer=t.officer)
    support_plan_start(
        project=project,
        actor=t.officer,
        started_on=timezone.localdate() - datetime.timedelta(days=30),
        objectives="Boucler le plan de financement",
    )
    return outcome.project_record_creation(project=project, actor=t.officer, **ENTERPRISE)


def _followup(t):
    return outcome.followup_create(
        enterprise=_enterprise(t),
        actor=t.officer,
        horizon="1y",
        observed_on=datetime.date(2026, 3, 12),
        jobs_fte=Decimal("3"),
    )


def _partnership(t):
    return partners.partner_add(
        target=make_project(t.fabrique),
        organization=make_organization(t.fabrique),
        role=PartnerRole.FUNDER,
        actor=t.officer,
    )


def _partner_removed(t):
    partnership = _partnership(t)
    partners.partner_remove(partnership=partnership, actor=t.officer)
    return partnership.project


def _scale_up(t):
    need = make_need(t.fabrique, stage=NeedStage.RETAINED)
    return s.project_create_scale_up(
        need=need,
        organization=make_organization(t.fabrique),
        actor=t.officer,
        reasons="Elle le fait déjà ailleurs",
    )


CASES = [
    case(
        s.project_create,
        lambda t: s.project_create(fabrique=t.fabrique, actor=t.officer, title="Laverie solidaire"),
        "projects.project.created",
        {"title", "reference"},
    ),
    case(
        s.project_create_from_study,
        lambda t: s.project_create_from_study(study=make_study(t.fabrique), actor=t.officer),
        "projects.project.created",
        {"title", "study"},
    ),
    case(s.project_create_scale_up, _scale_up, "projects.project.created", {"title", "needs"}),
    case(
        s.project_update,
        lambda t: s.project_update(project=make_project(t.fabrique), actor=t.officer, summary="Une laverie"),
        "projects.project.updated",
        {"summary"},
    ),
    case(
        s.project_assign_leader,
        lambda t: s.project_assign_leader(
            project=make_project(t.fabrique), actor=t.officer, person=make_person(t.fabrique)
        ),
        "projects.project.leader_selected",
        {"stage"},
    ),
    case(
        s.project_set_recruitment_mode,
        lambda t: s.project_set_recruitment_mode(
            project=make_project(t.fabrique, recruitment_mode=RecruitmentMode.CALL),
            actor=t.officer,
            mode=RecruitmentMode.DIRECT,
        ),
        "projects.project.updated",
        {"recruitment_mode"},
    ),
    case(
        s.project_stop,
        lambda t: s.project_stop(
            project=make_project(t.fabrique), actor=t.officer, reason="other", details="Plus de besoin."
        ),
        "projects.project.stopped",
        {"stage"},
    ),
    case(
        partners.partner_add,
        lambda t: _partnership(t).project,
        "projects.project.partner_added",
    ),
    case(partners.partner_remove, _partner_removed, "projects.project.partner_removed"),
    case(
        outcome.project_record_creation,
        lambda t: _enterprise(t).project,
        "projects.project.enterprise_created",
        {"stage"},
    ),
    case(
        outcome.enterprise_update,
        lambda t: outcome.enterprise_update(
            enterprise=_enterprise(t), actor=t.officer, jobs_fte=Decimal("3")
        ),
        "projects.enterprise.updated",
        {"jobs_fte"},
    ),
    case(outcome.followup_create, _followup, "projects.followup.created", {"horizon", "observed_on"}),
    case(
        outcome.followup_update,
        lambda t: outcome.followup_update(followup=_followup(t), actor=t.officer, notes="Toujours active"),
        "projects.followup.updated",
        {"notes"},
    ),
]
