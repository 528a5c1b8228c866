"""Grouping of reports into needs: a report said to be the same as a need, merges, splits, proposals."""

from __future__ import annotations

from fabrique.needs import grouping as g
from fabrique.needs.models import GroupingProposal
from fabrique.needs.services import need_create_from_report
from tests.audit.cases.needs import REPORT, _report
from tests.audit.harness import case


def _need(t):
    return need_create_from_report(report=_report(t), actor=t.officer)


def _merged(t):
    need, other = _need(t), _need(t)
    report = other.reports.get()
    g.report_merge(report=report, need=need, actor=t.officer)
    return report


def _split(t):
    report = _merged(t)
    g.report_split(report=report, actor=t.officer, mode="restore")
    return report


def _proposal(t):
    proposal = GroupingProposal.objects.create(fabrique=t.fabrique, need=_need(t), score=0.8, key="k")
    proposal.reports.set([_report(t)])
    return proposal


def _accepted(t):
    proposal = _proposal(t)
    g.proposal_accept(proposal=proposal, actor=t.officer)
    return proposal


def _rejected(t):
    proposal = _proposal(t)
    g.proposal_reject(proposal=proposal, actor=t.officer)
    return proposal


CASES = [
    case(
        g.need_report_submit_grouped,
        lambda t: g.need_report_submit_grouped(
            fabrique=t.fabrique, data=dict(REPORT), same_as_need=_need(t).pk
        ),
        "needs.needreport.same_as_need",
        actor=None,
    ),
    case(g.report_merge, _merged, "needs.needreport.merged"),
    case(g.report_split, _split, "needs.needreport.split"),
    case(g.proposal_accept, _accepted, "needs.groupingproposal.accepted"),
    case(g.proposal_reject, _rejected, "needs.groupingproposal.rejected"),
    case(
        g.regrouping_run_create,
        lambda t: g.regrouping_run_create(fabrique=t.fabrique, actor=t.officer, enqueue=False),
        "needs.regroupingrun.created",
    ),
]
