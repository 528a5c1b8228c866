"""Funding: funders' agreements, their reporting deadlines and the funder reports."""

from __future__ import annotations

import datetime
from decimal import Decimal

from fabrique.directory.models import Organization
from fabrique.funding import services as s
from tests.audit.harness import case


def _funder(t):
    return Organization.objects.create(fabrique=t.fabrique, name="Fondation Malakoff", kind="foundation")


def _agreement(t):
    return s.agreement_create(
        fabrique=t.fabrique,
        actor=t.admin,
        funder=_funder(t),
        title="Programme 2025",
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        amount_granted=Decimal("40000"),
        amount_paid=Decimal("10000"),
    )


def _deadline(t):
    return s.deadline_add(
        agreement=_agreement(t), actor=t.admin, label="Bilan intermédiaire", due_on=datetime.date(2025, 6, 30)
    )


def _deadline_done(t):
    deadline = _deadline(t)
    s.deadline_mark_done(deadline=deadline, actor=t.admin, done_on=datetime.date(2025, 6, 28))
    return deadline.agreement


def _report(t):
    return s.funder_report_create(
        fabrique=t.fabrique,
        actor=t.admin,
        funder=_funder(t),
        title="Compte rendu 2025",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        narratives={"highlights": "Deux signalements."},
    )


def _generated(t):
    report = _report(t)
    s.funder_report_generate(report=report, actor=t.admin, enqueue=False)
    return report


CASES = [
    case(
        s.agreement_create, _agreement, "funding.fundingagreement.created", {"title", "funder"}, actor="admin"
    ),
    case(
        s.agreement_update,
        lambda t: s.agreement_update(agreement=_agreement(t), actor=t.admin, amount_paid=Decimal("20000")),
        "funding.fundingagreement.updated",
        {"amount_paid"},
        actor="admin",
    ),
    case(
        s.deadline_add,
        lambda t: _deadline(t).agreement,
        "funding.fundingagreement.deadline_added",
        actor="admin",
    ),
    case(s.deadline_mark_done, _deadline_done, "funding.fundingagreement.deadline_done", actor="admin"),
    case(s.funder_report_create, _report, "funding.funderreport.created", {"title", "funder"}, actor="admin"),
    case(
        s.funder_report_update,
        lambda t: s.funder_report_update(report=_report(t), actor=t.admin, title="Compte rendu annuel 2025"),
        "funding.funderreport.updated",
        {"title"},
        actor="admin",
    ),
    case(s.funder_report_generate, _generated, "funding.funderreport.generated", {"version"}, actor="admin"),
]
