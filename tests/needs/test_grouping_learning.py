"""Learning from the team: every merge, split, accepted or rejected proposal stores labelled pairs; the
per-fabrique adapted pair model is used only when it measured better; regrouping runs propose splits."""

import numpy as np
import pytest

from fabrique.grouping.engine import model
from fabrique.grouping.models import PairDecision, PairModelAdaptation
from fabrique.needs.grouping import (
    _model_fingerprint,
    fabrique_pair_model,
    need_suggestions,
    pair_model_adaptation_refresh,
    proposal_accept,
    proposal_reject,
    regrouping_run_create,
    regrouping_run_execute,
    report_merge,
    report_need_suggestions,
    report_split,
    reports_need_suggestions,
)
from fabrique.needs.models import GroupingProposal, ProposalKind, ProposalStatus, ReportStage
from fabrique.needs.services import need_create_from_report, need_report_attach, need_report_detach

pytestmark = pytest.mark.django_db

TRANSPORT = "Pas de transport pour les personnes âgées vers le marché"
TRANSPORT_DESC = "Les seniors isolés sans voiture ne peuvent pas se rendre au marché ni chez le médecin."
HOMEWORK = "Aide aux devoirs pour les collégiens"
HOMEWORK_DESC = "Les collégiens du quartier n'ont personne pour les aider à faire leurs devoirs le soir."


@pytest.fixture
def transport_need(make_report, officer, carquefou):
    report = make_report(title=TRANSPORT, description=TRANSPORT_DESC, commune=carquefou, public="elderly")
    return need_create_from_report(report=report, actor=officer)


def pairs(fabrique, **filters) -> set[tuple[int, int, bool, str]]:
    return set(
        PairDecision.objects.filter(fabrique=fabrique, **filters).values_list(
            "report_a_id", "report_b_id", "same_need", "source"
        )
    )


def key(a, b) -> tuple[int, int]:
    return (min(a.pk, b.pk), max(a.pk, b.pk))


def test_merge_and_split_store_labelled_pairs(fabrique, make_report, officer, transport_need, carquefou):
    first = transport_need.reports.get()
    report = make_report(title="Transport des aînés au marché", commune=carquefou)
    report_merge(report=report, need=transport_need, actor=officer)
    assert pairs(fabrique) == {(*key(first, report), True, "merge")}
    report.refresh_from_db()
    report_split(report=report, actor=officer, mode="unattached")
    assert (*key(first, report), False, "split") in pairs(fabrique)


def test_proposal_decisions_store_labelled_pairs(fabrique, make_report, officer, transport_need, carquefou):
    first = transport_need.reports.get()
    a = make_report(title=TRANSPORT, commune=carquefou)
    b = make_report(title=HOMEWORK, commune=carquefou)
    accepted = GroupingProposal.objects.create(fabrique=fabrique, need=transport_need, score=0.9, key="x")
    accepted.reports.set([a])
    proposal_accept(proposal=accepted, actor=officer)
    assert (*key(first, a), True, "accepted") in pairs(fabrique)
    rejected = GroupingProposal.objects.create(fabrique=fabrique, need=transport_need, score=0.6, key="y")
    rejected.reports.set([b, first])
    proposal_reject(proposal=rejected, actor=officer)
    assert (*key(first, b), False, "rejected") in pairs(fabrique)


def test_adaptation_is_measured_and_not_used_on_few_decisions(
    fabrique, make_report, officer, transport_need, carquefou
):
    report = make_report(title="Transport des aînés au marché", commune=carquefou)
    report_merge(report=report, need=transport_need, actor=officer)
    row = pair_model_adaptation_refresh(fabrique=fabrique)
    assert row.decisions == 1 and row.same == 1 and row.reports == 2
    assert row.shipped_agreement is None and row.adapted_agreement is None
    assert not row.used and fabrique_pair_model(fabrique=fabrique) is None


def test_a_used_adaptation_drives_the_suggestions(fabrique, transport_need, carquefou):
    data = {"title": "Transport des seniors vers le marché", "commune": carquefou, "description": ""}
    assert need_suggestions(fabrique=fabrique, data=data)
    pm = model()
    row = PairModelAdaptation.objects.create(
        fabrique=fabrique,
        decisions=50,
        same=20,
        shipped_agreement=0.5,
        adapted_agreement=0.8,
        used=True,
        offset=-40.0,  # a team that never merges anything
        threshold=0.6,
        coef={"model": _model_fingerprint(pm)},
    )
    adapted = fabrique_pair_model(fabrique=fabrique)
    assert adapted is not None and np.allclose(adapted.coef, pm.coef)
    assert adapted.intercept == pm.intercept - 40.0 and adapted.threshold == 0.6
    assert need_suggestions(fabrique=fabrique, data=data) == []
    # measured on another shipped model: ignored
    row.coef = {"model": "0" * 12}
    row.save()
    assert fabrique_pair_model(fabrique=fabrique) is None
    # a row of the former adaptation (refitted coefficients, no calibration): ignored
    PairModelAdaptation.objects.filter(pk=row.pk).update(
        coef={"model": _model_fingerprint(pm), "coef": [0.0] * len(pm.coef)}, offset=None, threshold=None
    )
    assert fabrique_pair_model(fabrique=fabrique) is None


def _mixed_need(fabrique, make_report, officer, carquefou):
    """A need holding a report of another need, attached without a merge (no decision recorded)."""
    need = need_create_from_report(
        report=make_report(title=TRANSPORT, description=TRANSPORT_DESC, commune=carquefou), actor=officer
    )
    need_report_attach(
        report=make_report(title=TRANSPORT, description=TRANSPORT_DESC, commune=carquefou),
        need=need,
        actor=officer,
    )
    stray = make_report(title=HOMEWORK, description=HOMEWORK_DESC, commune=carquefou)
    need_report_attach(report=stray, need=need, actor=officer)
    return need, stray


def test_regrouping_proposes_a_split_and_accepting_it_makes_a_new_need(
    fabrique, make_report, officer, carquefou
):
    need, stray = _mixed_need(fabrique, make_report, officer, carquefou)
    regrouping_run_execute(run_id=regrouping_run_create(fabrique=fabrique, actor=officer).pk)
    split = GroupingProposal.objects.get(fabrique=fabrique, kind=ProposalKind.SPLIT)
    assert split.need == need and list(split.reports.all()) == [stray]
    stray.refresh_from_db()
    assert stray.need == need  # never applied silently
    new_need = proposal_accept(proposal=split, actor=officer)
    stray.refresh_from_db()
    assert stray.need == new_need != need and stray.stage == ReportStage.ATTACHED
    assert need.reports.filter(stage=ReportStage.ATTACHED).count() == 2
    split.refresh_from_db()
    assert split.status == ProposalStatus.ACCEPTED


def test_a_rejected_split_keeps_the_reports_together_and_is_not_proposed_again(
    fabrique, make_report, officer, carquefou
):
    need, stray = _mixed_need(fabrique, make_report, officer, carquefou)
    regrouping_run_execute(run_id=regrouping_run_create(fabrique=fabrique, actor=officer).pk)
    split = GroupingProposal.objects.get(fabrique=fabrique, kind=ProposalKind.SPLIT)
    proposal_reject(proposal=split, actor=officer)
    stray.refresh_from_db()
    assert stray.need == need
    kept = pairs(fabrique, same_need=True, source="rejected")
    assert {(a, b) for a, b, _s, _o in kept} == {key(stray, r) for r in need.reports.exclude(pk=stray.pk)}
    regrouping_run_execute(run_id=regrouping_run_create(fabrique=fabrique, actor=officer).pk)
    assert GroupingProposal.objects.filter(fabrique=fabrique, kind=ProposalKind.SPLIT).count() == 1


def _merge_proposals(fabrique) -> list[set[int]]:
    return [
        set(p.reports.values_list("pk", flat=True))
        for p in GroupingProposal.objects.filter(fabrique=fabrique, kind=ProposalKind.MERGE)
    ]


def test_a_not_the_same_decision_is_a_cannot_link_of_the_regrouping_runs(
    fabrique, officer, make_report, carquefou
):
    # given: two unattached reports the engine groups, which the team said are not the same need
    a = make_report(title=TRANSPORT, description=TRANSPORT_DESC, commune=carquefou, public="elderly")
    b = make_report(title=TRANSPORT, description=TRANSPORT_DESC, commune=carquefou, public="elderly")
    PairDecision.objects.create(fabrique=fabrique, report_a=a, report_b=b, same_need=True, source="merge")
    PairDecision.objects.create(fabrique=fabrique, report_a=a, report_b=b, same_need=False, source="split")
    # when
    regrouping_run_execute(run_id=regrouping_run_create(fabrique=fabrique, actor=officer).pk)
    # then: the latest decision wins, they are never proposed together
    assert not any({a.pk, b.pk} <= found for found in _merge_proposals(fabrique))


def test_a_same_need_decision_is_a_must_link_of_the_regrouping_runs(
    fabrique, officer, make_report, carquefou
):
    # given: two reports the engine keeps apart, which the team said are the same need
    a = make_report(title=TRANSPORT, description=TRANSPORT_DESC, commune=carquefou, public="elderly")
    b = make_report(title=HOMEWORK, description=HOMEWORK_DESC, commune=carquefou, public="youth")
    regrouping_run_execute(run_id=regrouping_run_create(fabrique=fabrique, actor=officer).pk)
    assert not any({a.pk, b.pk} <= found for found in _merge_proposals(fabrique))
    PairDecision.objects.create(fabrique=fabrique, report_a=a, report_b=b, same_need=True, source="merge")
    # when
    regrouping_run_execute(run_id=regrouping_run_create(fabrique=fabrique, actor=officer).pk)
    # then
    assert any({a.pk, b.pk} <= found for found in _merge_proposals(fabrique))


def test_a_decision_refreshes_the_calibration_in_a_task_once(
    fabrique, make_report, officer, transport_need, carquefou, django_capture_on_commit_callbacks
):
    from fabrique.core.tasks import refresh_pair_model_adaptation

    report = make_report(title="Transport des aînés au marché", commune=carquefou)
    # when: a decision is committed (the immediate task backend runs the task on enqueue)
    with django_capture_on_commit_callbacks(execute=True):
        report_merge(report=report, need=transport_need, actor=officer)
    # then
    row = PairModelAdaptation.objects.get(fabrique=fabrique)
    assert row.decisions == 1
    # nothing decided since: a second run measures nothing again
    assert refresh_pair_model_adaptation.call(fabrique_id=fabrique.pk) == "up to date"
    # a decision recorded whenever (even one committed while a measure ran, so older than it) is measured
    first = transport_need.reports.exclude(pk=report.pk).first()
    PairDecision.objects.create(
        fabrique=fabrique, report_a=first, report_b=report, same_need=False, source="split"
    )
    assert refresh_pair_model_adaptation.call(fabrique_id=fabrique.pk) == "shipped"
    assert (
        PairModelAdaptation.objects.get(fabrique=fabrique).decisions == 1
    )  # the latest decision on the pair


def test_the_guard_measures_both_models_on_the_fabriques_groupings(fabrique, make_report, carquefou):
    # given: 8 reports of two needs and the team's 28 decisions on their pairs (both kinds)
    transport = [
        make_report(title=f"{TRANSPORT} ({k})", description=TRANSPORT_DESC, commune=carquefou)
        for k in range(4)
    ]
    homework = [
        make_report(title=f"{HOMEWORK} ({k})", description=HOMEWORK_DESC, commune=carquefou) for k in range(4)
    ]
    reports = transport + homework
    for i, a in enumerate(reports):
        for b in reports[i + 1 :]:
            PairDecision.objects.create(
                fabrique=fabrique,
                report_a=a,
                report_b=b,
                same_need=(a in transport) == (b in transport),
                source="merge",
            )
    # when
    row = pair_model_adaptation_refresh(fabrique=fabrique)
    # then: the groupings of both models are read on the held-out decisions
    assert row.decisions == 28 and row.same == 12 and row.reports == 8
    assert row.shipped_agreement is not None and row.adapted_agreement is not None
    assert row.shipped_accuracy == pytest.approx(1.0)  # the engine groups these as the team does
    assert not row.used and fabrique_pair_model(fabrique=fabrique) is None


# --- suggestions for an existing report respect the team's "not the same need" ----------------------------


def suggested(report) -> list:
    return [s.need for s in report_need_suggestions(report=report)]


def test_a_rejected_proposal_is_no_longer_suggested_until_a_later_same_need(
    fabrique, make_report, officer, transport_need, carquefou
):
    # given: a report suggested two transport needs
    first = transport_need.reports.get()
    other_need = need_create_from_report(
        report=make_report(title=f"{TRANSPORT} (bis)", description=TRANSPORT_DESC, commune=carquefou),
        actor=officer,
    )
    report = make_report(title="Transport des seniors vers le marché", commune=carquefou)
    assert set(suggested(report)) == {transport_need, other_need}
    # when: the team rejects gathering it with the first need's report
    proposal = GroupingProposal.objects.create(fabrique=fabrique, need=transport_need, score=0.8, key="r")
    proposal.reports.set([report, first])
    proposal_reject(proposal=proposal, actor=officer)
    # then: that need is no longer offered for this report (in both suggestion services), the other one is
    assert suggested(report) == [other_need]
    assert [
        s.need for s in reports_need_suggestions(fabrique=fabrique, reports=[report], k=5)[report.pk]
    ] == [other_need]
    # suggestions while typing have no decisions: unchanged
    data = {"title": "Transport des seniors vers le marché", "commune": carquefou, "description": ""}
    assert transport_need in [s.need for s in need_suggestions(fabrique=fabrique, data=data)]
    # when: a later decision says the same need (the latest decision on a pair wins)
    PairDecision.objects.create(
        fabrique=fabrique, report_a=first, report_b=report, same_need=True, source="merge", decided_by=officer
    )
    # then
    assert set(suggested(report)) == {transport_need, other_need}


def test_a_split_or_a_merge_out_of_a_need_stops_suggesting_that_need(
    fabrique, make_report, officer, transport_need, carquefou
):
    # given: a report merged into the transport need, then split out of it
    report = make_report(title="Transport des aînés au marché", commune=carquefou)
    report_merge(report=report, need=transport_need, actor=officer)
    report.refresh_from_db()
    report_split(report=report, actor=officer, mode="unattached")
    report.refresh_from_db()
    # then
    assert transport_need not in suggested(report)
    # given: a need holding a report attached without a decision, merged by the team into another need
    need = need_create_from_report(
        report=make_report(title=f"{TRANSPORT} (bis)", description=TRANSPORT_DESC, commune=carquefou),
        actor=officer,
    )
    moved = make_report(title=TRANSPORT, description=TRANSPORT_DESC, commune=carquefou)
    need_report_attach(report=moved, need=need, actor=officer)
    moved.refresh_from_db()
    assert suggested(moved) == [transport_need]
    report_merge(report=moved, need=transport_need, actor=officer)
    moved.refresh_from_db()
    # then: the need it was taken out of is not offered back
    assert need not in suggested(moved)


def test_a_not_the_same_decision_with_a_report_no_longer_in_the_need_does_not_hide_it(
    fabrique, make_report, officer, transport_need, carquefou
):
    # given: the team said the report is not the same need as another report, which then left the need
    report = make_report(title="Transport des seniors vers le marché", commune=carquefou)
    gone = make_report(title=TRANSPORT, description=TRANSPORT_DESC, commune=carquefou)
    need_report_attach(report=gone, need=transport_need, actor=officer)
    PairDecision.objects.create(
        fabrique=fabrique, report_a=report, report_b=gone, same_need=False, source="rejected"
    )
    assert suggested(report) == []
    # when
    gone.refresh_from_db()
    need_report_detach(report=gone, actor=officer)
    # then: the decision is about that report, not about the need it was in
    assert suggested(report) == [transport_need]
