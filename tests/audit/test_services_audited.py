"""Every action leaves its trace: each case calls one service for real and checks the audit entry
it wrote (action and target). A new service gets its case here (or in its app's tests).

Covered so far: the directory, workstreams, needs, committees, projects, recruitment and fabriques
services listed in CASES; the others are audited through the same helpers (`audited_create`,
`audited_update`, `soft_delete`, `audit_log`) and checked in their own apps' tests.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.utils import timezone

from fabrique.audit.models import AuditEntry
from fabrique.committees.models import CommitteeKind
from fabrique.committees.services import committee_type_create, meeting_create
from fabrique.directory.services import (
    organization_delete,
    organization_update,
    person_anonymize,
    person_delete,
)
from fabrique.fabriques.models import Role
from fabrique.fabriques.services import member_invite, membership_change
from fabrique.needs.services import (
    criterion_create,
    need_create_from_report,
    need_report_dismiss,
    need_report_submit,
)
from fabrique.projects.models import ProjectStage
from fabrique.projects.services import project_create, project_stop
from fabrique.recruitment.models import CallStage
from fabrique.recruitment.services import call_close, call_publish
from fabrique.workstreams.services import workstream_delete
from tests.committees.factories import make_committee
from tests.directory.factories import make_organization, make_person
from tests.projects.factories import make_project
from tests.recruitment.factories import make_call
from tests.workstreams.factories import make_workstream

pytestmark = pytest.mark.django_db

REPORT = {
    "title": "Pas de garde d'enfants le soir",
    "description": "Les parents qui travaillent en horaires décalés n'ont aucune solution.",
    "reporter_name": "Camille Martin",
    "reporter_email": "camille@example.org",
    "reporter_type": "inhabitant",
    "consent_processing": True,
}


def _report(team):
    return need_report_submit(fabrique=team.fabrique, **REPORT)


def _organization_updated(team):
    organization = make_organization(team.fabrique, team.officer)
    return organization_update(organization=organization, actor=team.officer, name="La Ruche")


def _member_invited(team):
    membership, _created = member_invite(
        fabrique=team.fabrique, actor=team.admin, email="nouvelle@ex.test", role=Role.READER
    )
    return membership


def _stopped_project(team):
    project = make_project(team.fabrique, stage=ProjectStage.SEEKING_LEADER)
    return project_stop(project=project, actor=team.officer, reason="other", details="Plus de besoin.")


def _published_call(team):
    call = make_call(make_project(team.fabrique), stage=CallStage.DRAFT)
    return call_publish(call=call, actor=team.officer)


def _closed_call(team):
    call = make_call(make_project(team.fabrique), stage=CallStage.PUBLISHED)
    return call_close(call=call, actor=team.officer)


# (case id, service call returning its target, expected action)
CASES: list[tuple[str, Callable, str]] = [
    (
        "organization_create",
        lambda t: make_organization(t.fabrique, t.officer),
        "directory.organization.created",
    ),
    ("organization_update", _organization_updated, "directory.organization.updated"),
    (
        "organization_delete",
        lambda t: organization_delete(organization=make_organization(t.fabrique, t.officer), actor=t.officer),
        "directory.organization.deleted",
    ),
    ("person_create", lambda t: make_person(t.fabrique, t.officer), "directory.person.created"),
    (
        "person_delete",
        lambda t: person_delete(person=make_person(t.fabrique, t.officer), actor=t.officer),
        "directory.person.deleted",
    ),
    (
        "person_anonymize",
        lambda t: person_anonymize(person=make_person(t.fabrique, t.officer), actor=t.officer),
        "directory.person.anonymized",
    ),
    ("workstream_create", lambda t: make_workstream(t.fabrique, t.officer), "workstreams.workstream.created"),
    (
        "workstream_delete",
        lambda t: workstream_delete(workstream=make_workstream(t.fabrique, t.officer), actor=t.officer),
        "workstreams.workstream.deleted",
    ),
    ("need_report_submit", _report, "needs.needreport.created"),
    (
        "need_create_from_report",
        lambda t: need_create_from_report(report=_report(t), actor=t.officer),
        "needs.need.created",
    ),
    (
        "need_report_dismiss",
        lambda t: need_report_dismiss(report=_report(t), actor=t.officer, reason="spam"),
        "needs.needreport.dismissed",
    ),
    (
        "criterion_create",
        lambda t: criterion_create(
            fabrique=t.fabrique, actor=t.admin, label="Urgence", help_text="", weight=2
        ),
        "needs.criterion.created",
    ),
    (
        "committee_type_create",
        lambda t: committee_type_create(
            fabrique=t.fabrique, actor=t.admin, kind=CommitteeKind.STEERING, label="Comité local"
        ),
        "committees.committeetype.created",
    ),
    ("committee_create", lambda t: make_committee(t.fabrique, t.officer), "committees.committee.created"),
    (
        "meeting_create",
        lambda t: meeting_create(
            committee=make_committee(t.fabrique, t.officer),
            actor=t.officer,
            date=timezone.now() + datetime.timedelta(days=7),
            place="Mairie",
            attendees=[],
        ),
        "committees.meeting.created",
    ),
    (
        "project_create",
        lambda t: project_create(fabrique=t.fabrique, actor=t.officer, title="Laverie solidaire"),
        "projects.project.created",
    ),
    ("project_stop", _stopped_project, "projects.project.stopped"),
    ("call_publish", _published_call, "recruitment.call.published"),
    ("call_close", _closed_call, "recruitment.call.closed"),
    ("member_invite", _member_invited, "fabriques.membership.created"),
    (
        "membership_change",
        lambda t: membership_change(
            membership=t.fabrique.memberships.get(user=t.reader),
            actor=t.admin,
            role=Role.OFFICER,
            is_active=True,
        ),
        "fabriques.membership.updated",
    ),
]


@pytest.mark.parametrize(("call", "action"), [pytest.param(c, a, id=i) for i, c, a in CASES])
def test_the_service_writes_its_audit_entry(team, call, action):
    target = call(team)
    entries = AuditEntry.objects.for_target(target)
    assert entries.filter(action=action).exists(), sorted(entries.values_list("action", flat=True))
    entry = entries.filter(action=action).latest("pk")
    assert entry.fabrique_id == team.fabrique.pk
