"""Permission-matrix part of reporting: the indicators page and its drill-down, funders' agreements
and funder reports (staff with VIEW read; EDIT writes; partners see nothing)."""

import datetime
from decimal import Decimal

from fabrique.funding.models import (
    FunderReport,
    FunderReportVersion,
    FundingAgreement,
    ReportingDeadline,
    ReportStatus,
)

from .rules import E, Rule, V, foreign_pk, pk


def populate(side, label: str) -> None:
    team = side.team
    agreement = FundingAgreement.objects.create(
        fabrique=team.fabrique,
        funder=side.organization,
        title=f"Convention {label}",
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        amount_granted=Decimal("1000"),
    )
    deadline = ReportingDeadline.objects.create(
        agreement=agreement, label=f"Bilan {label}", due_on=datetime.date(2026, 3, 31)
    )
    report = FunderReport.objects.create(
        fabrique=team.fabrique,
        funder=side.organization,
        agreement=agreement,
        title=f"Rapport {label}",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    FunderReportVersion.objects.create(
        report=report,
        number=1,
        status=ReportStatus.DONE,
        pdf=b"%PDF-1.7",
        xlsx=b"PK",
        snapshot={"title": label},
    )
    side.objects.update(agreement=agreement, agreement_deadline=deadline, funder_report=report)


AG = (pk("agreement"), foreign_pk("agreement"))
REP = (pk("funder_report"), foreign_pk("funder_report"))


def _deadline(side):
    return {"pk": side.agreement.pk, "deadline_pk": side.agreement_deadline.pk}


def _download(side):
    return {"pk": side.funder_report.pk, "number": 1, "fmt": "pdf"}


MATRIX = {
    # every reporting indicator (one query each, grouped), its yearly trend (one grouped query each),
    # the funnel, the durations, the breakdowns and the filters' choices: fixed, never per row
    "backoffice:reporting_dashboard": Rule(V, queries=110),
    "backoffice:reporting_drill": Rule(V, lambda w: {"key": "needs.reports_received"}, queries=25),
    "backoffice:agreement_list": Rule(V, queries=25),
    "backoffice:agreement_create": Rule(E, post=True, queries=25),
    # the agreement's figures: one query per indicator of the reporting table
    "backoffice:agreement_detail": Rule(V, *AG, queries=50),
    "backoffice:agreement_update": Rule(E, *AG, post=True, queries=25),
    "backoffice:agreement_deadline_add": Rule(E, *AG, post=True),
    "backoffice:agreement_deadline_done": Rule(
        E, lambda w: _deadline(w.a), lambda w: _deadline(w.b), post=True
    ),
    "backoffice:funder_report_list": Rule(V),
    "backoffice:funder_report_create": Rule(E, post=True),
    "backoffice:funder_report_detail": Rule(V, *REP),
    "backoffice:funder_report_update": Rule(E, *REP, post=True),
    "backoffice:funder_report_generate": Rule(E, *REP, post=True),
    "backoffice:funder_report_download": Rule(V, lambda w: _download(w.a), lambda w: _download(w.b)),
}
