"""Need grouping services: features at submission, suggestions (public sees only public fields),
merge / split with provenance and audit, proposals and regrouping runs."""

import pytest
from django.core.exceptions import ValidationError

from fabrique.audit.models import AuditEntry
from fabrique.core.errors import DomainError
from fabrique.core.tasks import run_regrouping
from fabrique.core.workflow import TransitionNotAllowed
from fabrique.needs.grouping import (
    need_report_submit_grouped,
    need_suggestions,
    proposal_accept,
    proposal_reject,
    public_need_suggestions,
    regrouping_run_create,
    regrouping_run_execute,
    report_features_backfill,
    report_merge,
    report_need_suggestions,
    report_split,
)
from fabrique.needs.models import (
    GroupingProposal,
    NeedReport,
    ProposalStatus,
    RegroupingRun,
    ReportFeatures,
    ReportMerge,
    ReportStage,
    RunStatus,
)
from fabrique.needs.services import need_create_from_report, need_report_dismiss

pytestmark = pytest.mark.django_db

TRANSPORT = "Pas de transport pour les personnes âgées vers le marché"
TRANSPORT_DESC = "Les seniors isolés sans voiture ne peuvent pas se rendre au marché ni chez le médecin."


@pytest.fixture
def transport_need(make_report, officer, carquefou):
    report = make_report(title=TRANSPORT, description=TRANSPORT_DESC, commune=carquefou, public="elderly")
    return need_create_from_report(
        report=report, actor=officer, title="Mobilité seniors Carquefou — note interne"
    )


def audit_actions(target) -> list[str]:
    return list(AuditEntry.objects.filter(target_id=target.pk).values_list("action", flat=True))


def test_features_are_stored_when_a_report_is_submitted(make_report, carquefou):
    report = make_report(title=TRANSPORT, commune=carquefou)
    row = ReportFeatures.objects.get(report=report)
    assert row.fabrique_id == report.fabrique_id
    assert row.commune == "44026" and ",44026," in row.communes
    assert row.level == "commune" and row.features


def test_the_public_in_the_reporters_own_words_reaches_the_grouping(make_report, carquefou):
    from fabrique.grouping.api import Features

    # 'saisonniers' under 'autre public': the engine reads the seasonal workers, not an unknown public
    seasonal = make_report(title=TRANSPORT, commune=carquefou, public="other", public_detail="saisonniers")
    children = make_report(title=TRANSPORT, commune=carquefou, public="children")
    said = make_report(title=TRANSPORT, commune=carquefou, public="all", public_detail="mères isolées")

    def public(report):
        return Features.unpack(bytes(ReportFeatures.objects.get(report=report).features)).public

    assert (public(seasonal), public(children), public(said)) == ("salaries", "enfants", "familles")


def test_backfill_computes_missing_features(make_report, carquefou, fabrique):
    report = make_report(title=TRANSPORT, commune=carquefou)
    ReportFeatures.objects.all().delete()
    assert report_features_backfill(fabrique=fabrique) == 1
    assert ReportFeatures.objects.filter(report=report).exists()


def test_suggestions_find_the_same_need(fabrique, transport_need, carquefou):
    found = need_suggestions(
        fabrique=fabrique,
        data={"title": "Transport des seniors vers le marché", "commune": carquefou, "description": ""},
    )
    assert [s.need for s in found] == [transport_need]
    assert found[0].score > 0.2


def test_suggestions_need_a_title_and_a_place(fabrique, transport_need, carquefou):
    assert need_suggestions(fabrique=fabrique, data={"title": "Transport des seniors"}) == []
    assert need_suggestions(fabrique=fabrique, data={"title": "", "commune": carquefou}) == []


def test_suggestions_stay_within_the_fabrique(other_team, transport_need, carquefou):
    found = need_suggestions(
        fabrique=other_team.fabrique,
        data={"title": "Transport des seniors vers le marché", "commune": "44026"},
    )
    assert found == []


def test_public_suggestions_show_only_public_title_and_status(fabrique, transport_need, carquefou):
    transport_need.public_title = "Se déplacer quand on est âgé"
    transport_need.save(update_fields=["public_title"])
    (found,) = public_need_suggestions(
        fabrique=fabrique, data={"title": "Transport des seniors vers le marché", "commune": carquefou}
    )
    assert set(vars(found)) == {"need_id", "title", "status"}
    assert found.title == "Se déplacer quand on est âgé"
    assert "note interne" not in found.title


def test_submit_same_as_need_attaches_and_audits(fabrique, transport_need, carquefou):
    from tests.needs.conftest import report_data

    report = need_report_submit_grouped(
        fabrique=fabrique,
        data=report_data(title="Transport des seniors", commune=carquefou),
        same_as_need=transport_need.pk,
    )
    assert report.stage == ReportStage.ATTACHED and report.need == transport_need
    assert "needs.needreport.same_as_need" in audit_actions(report)


def test_submit_same_as_foreign_need_is_refused_and_saves_nothing(other_team, transport_need, carquefou):
    from tests.needs.conftest import report_data

    before = NeedReport.objects.count()
    with pytest.raises(ValidationError) as exc:
        need_report_submit_grouped(
            fabrique=other_team.fabrique, data=report_data(), same_as_need=transport_need.pk
        )
    assert "same_as_need" in exc.value.message_dict
    assert NeedReport.objects.count() == before


def test_merge_then_split_restores_the_former_need(make_report, officer, transport_need, carquefou):
    other = make_report(title="Navette pour les aînés", commune=carquefou)
    other_need = need_create_from_report(report=other, actor=officer)
    merge = report_merge(report=other, need=transport_need, actor=officer)
    other.refresh_from_db()
    assert other.need == transport_need and other.stage == ReportStage.ATTACHED
    assert merge.from_need == other_need and merge.merged_by == officer
    assert "needs.needreport.merged" in audit_actions(other)

    report_split(report=other, actor=officer, mode="restore")
    other.refresh_from_db()
    assert other.need == other_need
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undone_by == officer
    assert "needs.needreport.split" in audit_actions(other)


def test_merge_of_an_unattached_report_splits_back_to_unattached(make_report, officer, transport_need):
    report = make_report(title="Transport des seniors")
    report_merge(report=report, need=transport_need, actor=officer)
    report_split(report=report, actor=officer, mode="restore")
    report.refresh_from_db()
    assert report.stage == ReportStage.RECEIVED and report.need is None


def test_split_into_a_new_need(officer, transport_need):
    report = transport_need.reports.get()
    report_split(report=report, actor=officer, mode="new_need")
    report.refresh_from_db()
    assert report.stage == ReportStage.ATTACHED and report.need != transport_need


def test_split_restore_without_merge_is_refused(officer, transport_need):
    with pytest.raises(DomainError):
        report_split(report=transport_need.reports.get(), actor=officer, mode="restore")


def test_merge_refusals(make_report, officer, transport_need, other_team):
    report = transport_need.reports.get()
    with pytest.raises(DomainError):
        report_merge(report=report, need=transport_need, actor=officer)
    foreign = make_report(fabrique=other_team.fabrique)
    with pytest.raises(DomainError):
        report_merge(report=foreign, need=transport_need, actor=officer)
    dismissed = make_report()
    need_report_dismiss(report=dismissed, actor=officer, reason="spam")
    with pytest.raises(DomainError):
        report_merge(report=dismissed, need=transport_need, actor=officer)


def test_forbidden_report_transition_still_raises(make_report, officer):
    report = make_report()
    need_report_dismiss(report=report, actor=officer, reason="spam")
    from fabrique.core.workflow import transition

    with pytest.raises(TransitionNotAllowed):
        transition(instance=report, to=ReportStage.ATTACHED, actor=officer)


def test_report_need_suggestions(make_report, transport_need, carquefou):
    report = make_report(title="Transport des seniors vers le marché", commune=carquefou)
    assert [s.need for s in report_need_suggestions(report=report)] == [transport_need]


def _proposal(fabrique, need, reports, score=0.8):
    proposal = GroupingProposal.objects.create(fabrique=fabrique, need=need, score=score, key="k")
    proposal.reports.set(reports)
    return proposal


def test_proposal_accept_merges_and_audits(fabrique, make_report, officer, transport_need):
    report = make_report(title="Transport des seniors")
    proposal = _proposal(fabrique, transport_need, [report, *transport_need.reports.all()])
    assert proposal_accept(proposal=proposal, actor=officer) == transport_need
    report.refresh_from_db()
    proposal.refresh_from_db()
    assert report.need == transport_need
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.decided_by == officer
    assert ReportMerge.objects.get(report=report).proposal == proposal
    assert "needs.groupingproposal.accepted" in audit_actions(proposal)
    with pytest.raises(DomainError):
        proposal_accept(proposal=proposal, actor=officer)


def test_proposal_without_need_creates_one(fabrique, make_report, officer):
    a, b = make_report(title="Transport seniors"), make_report(title="Navette seniors")
    need = proposal_accept(proposal=_proposal(fabrique, None, [a, b]), actor=officer)
    a.refresh_from_db(), b.refresh_from_db()
    assert a.need == need == b.need


def test_proposal_reject_moves_nothing(fabrique, make_report, officer, transport_need):
    report = make_report(title="Transport des seniors")
    proposal = _proposal(fabrique, transport_need, [report])
    proposal_reject(proposal=proposal, actor=officer)
    report.refresh_from_db()
    assert report.need is None and proposal.status == ProposalStatus.REJECTED
    assert "needs.groupingproposal.rejected" in audit_actions(proposal)
    with pytest.raises(DomainError):
        proposal_reject(proposal=proposal, actor=officer)


def test_regrouping_run_proposes_and_never_applies(fabrique, make_report, officer, transport_need, carquefou):
    extra = [
        make_report(
            title="Transport des seniors vers le marché", description=TRANSPORT_DESC, commune=carquefou
        )
        for _ in range(2)
    ]
    run = regrouping_run_create(fabrique=fabrique, actor=officer)
    assert run.status == RunStatus.PENDING
    with pytest.raises(DomainError):
        regrouping_run_create(fabrique=fabrique, actor=officer)
    run_regrouping.call(run_id=run.pk)  # what the worker does with the task enqueued on commit
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.total == run.processed == 3
    proposal = GroupingProposal.objects.get(fabrique=fabrique)
    assert proposal.need == transport_need and proposal.run == run
    assert set(proposal.reports.values_list("pk", flat=True)) >= {r.pk for r in extra}
    for report in extra:
        report.refresh_from_db()
        assert report.need is None  # never applied silently
    # a second run does not propose the same again
    regrouping_run_execute(run_id=regrouping_run_create(fabrique=fabrique, actor=officer).pk)
    assert GroupingProposal.objects.filter(fabrique=fabrique).count() == 1


def test_network_run_keeps_proposals_per_fabrique(fabrique, other_team, make_report, carquefou):
    for fab in (fabrique, other_team.fabrique):
        make_report(fabrique=fab, title=TRANSPORT, description=TRANSPORT_DESC, commune=carquefou)
    run = regrouping_run_create(fabrique=None)
    regrouping_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert not GroupingProposal.objects.exists()  # one report per fabrique: nothing mixed
    assert RegroupingRun.objects.count() == 1
