"""Services of detection and qualification: every transition checks the new state, the audit row,
and that a forbidden transition is refused."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from fabrique.audit.models import AuditEntry
from fabrique.committees.models import Decision
from fabrique.core.errors import DomainError, TransitionNotAllowed
from fabrique.fabriques.services import fabrique_setup_defaults
from fabrique.needs.models import (
    Criterion,
    CriterionScore,
    Need,
    NeedReport,
    NeedStage,
    ReportSource,
    ReportStage,
)
from fabrique.needs.services import (
    criteria_setup_defaults,
    criterion_create,
    criterion_move,
    criterion_update,
    need_create_from_report,
    need_decide,
    need_mark_answered,
    need_mark_in_study,
    need_report_attach,
    need_report_detach,
    need_report_dismiss,
    need_report_submit,
    need_score_set,
    need_scores_set,
    need_update,
)
from fabrique.projects.models import Project
from fabrique.territories.models import Commune, Departement, Region

from .conftest import PDF, PNG, report_data

pytestmark = pytest.mark.django_db


def entries(target, action: str):
    return AuditEntry.objects.for_target(target).filter(action=action)


# --- reports -----------------------------------------------------------------------------------------------


def test_submit_numbers_reports_per_fabrique_and_year(fabrique, other_team):
    # when
    first = need_report_submit(fabrique=fabrique, **report_data())
    second = need_report_submit(fabrique=fabrique, **report_data())
    elsewhere = need_report_submit(fabrique=other_team.fabrique, **report_data())
    # then
    year = datetime.date.today().year
    assert (first.reference, second.reference) == (f"S-{year}-001", f"S-{year}-002")
    assert elsewhere.reference == f"S-{year}-001"
    assert first.stage == ReportStage.RECEIVED
    assert first.source == ReportSource.PUBLIC_FORM
    assert first.reported_on == datetime.date.today()


def test_submit_computes_the_grouping_features_before_it_locks_the_numbering(fabrique, monkeypatch):
    """The numbering locks the fabrique's row until the commit: under load every other report of the
    fabrique waited while this one's text features were computed inside the lock (bench/load.py saw
    public reports take seconds). The features are computed first, stored after the numbering."""
    from fabrique.core import references
    from fabrique.needs import grouping

    calls = []
    real_featurize, real_next = grouping._featurize, references.next_reference

    def featurize(*args, **kwargs):
        calls.append("features")
        return real_featurize(*args, **kwargs)

    def next_reference(**kwargs):
        calls.append("lock and number")
        return real_next(**kwargs)

    monkeypatch.setattr(grouping, "_featurize", featurize)
    monkeypatch.setattr("fabrique.needs.services.next_reference", next_reference)
    # when
    report = need_report_submit(fabrique=fabrique, **report_data())
    # then
    assert calls == ["features", "lock and number"]
    from fabrique.grouping.features import Features

    stored = grouping.ReportFeatures.objects.get(report=report).features  # stored, under the report's id
    assert Features.unpack(bytes(stored)).id == str(report.pk)


def test_submit_audits_without_the_reporters_contact_details(fabrique):
    report = need_report_submit(fabrique=fabrique, **report_data(reporter_phone="0240123456"))
    entry = entries(report, "needs.needreport.created").get()
    logged = str(entry.new_values)
    assert report.reference in logged
    assert "camille@example.org" not in logged
    assert "Camille Martin" not in logged
    assert "0240123456" not in logged


def test_submit_sends_the_confirmation_with_the_followup_link_on_commit(
    fabrique, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = need_report_submit(fabrique=fabrique, **report_data())
    (message,) = [m for m in mail.outbox if m.to == ["camille@example.org"]]  # staff get their own
    assert report.reference in message.subject
    assert f"https://fabrique.example.org/f/{fabrique.slug}/suivi/{report.followup_token}/" in message.body
    assert "Bonjour" in message.body


def test_public_submission_requires_consent_and_saves_nothing_without_it(fabrique):
    with pytest.raises(ValidationError) as exc:
        need_report_submit(fabrique=fabrique, **report_data(consent_processing=False))
    assert "consent_processing" in exc.value.message_dict
    assert not NeedReport.objects.exists()
    assert not AuditEntry.objects.filter(action="needs.needreport.created").exists()


def test_notifications_need_an_email(fabrique):
    with pytest.raises(ValidationError) as exc:
        need_report_submit(fabrique=fabrique, **report_data(reporter_email="", consent_notifications=True))
    assert "reporter_email" in exc.value.message_dict


def test_staff_entry_is_linked_to_its_author_and_copies_the_directory_contact(fabrique, officer):
    from fabrique.directory.models import Organization, Person

    organization = Organization.objects.create(fabrique=fabrique, name="Mairie de Rezé", kind="municipality")
    person = Person.objects.create(
        fabrique=fabrique,
        first_name="Léa",
        last_name="Durand",
        email="lea@reze.fr",
        organization=organization,
        purpose="need-reports",
        legal_basis="legitimate-interest",
    )
    report = need_report_submit(
        fabrique=fabrique,
        title="Tiers-lieu",
        source=ReportSource.MEETING,
        reporter_person=person,
        entered_by=officer,
    )
    assert report.entered_by == officer
    assert report.source == ReportSource.MEETING
    assert (report.reporter_name, report.reporter_email) == ("Léa Durand", "lea@reze.fr")
    assert report.reporter_organization == organization
    assert report.reporter_organization_name == "Mairie de Rezé"


def test_a_directory_contact_of_another_fabrique_is_refused(fabrique, other_team, officer):
    from fabrique.directory.models import Person

    stranger = Person.objects.create(
        fabrique=other_team.fabrique, last_name="Autre", purpose="other", legal_basis="legitimate-interest"
    )
    with pytest.raises(ValidationError) as exc:
        need_report_submit(fabrique=fabrique, title="X", reporter_person=stranger, entered_by=officer)
    assert "reporter_person" in exc.value.message_dict
    assert not NeedReport.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("preuve.pdf", PDF, True),
        ("photo.png", PNG, True),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, True),
        ("faux.pdf", b"MZ\x90\x00 not a pdf at all", False),
        ("image.pdf", PNG, False),  # a PNG named .pdf
        ("script.exe", PDF, False),
    ],
)
def test_evidence_document_is_checked_by_content(fabrique, name, content, ok):
    data = report_data(evidence_document=ContentFile(content, name=name))
    if ok:
        report = need_report_submit(fabrique=fabrique, **data)
        assert report.evidence_document
    else:
        with pytest.raises(ValidationError) as exc:
            need_report_submit(fabrique=fabrique, **data)
        assert "evidence_document" in exc.value.message_dict
        assert not NeedReport.objects.exists()


def test_office_documents_are_recognised_inside_their_zip():
    import io
    import zipfile

    from fabrique.needs.validators import document_kind

    def archive(files: dict) -> io.BytesIO:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            for name, data in files.items():
                z.writestr(name, data)
        buffer.seek(0)
        return buffer

    assert document_kind(archive({"mimetype": "application/vnd.oasis.opendocument.text"})) == "odt"
    assert document_kind(archive({"[Content_Types].xml": "<x/>", "word/document.xml": "<w/>"})) == "docx"
    assert document_kind(archive({"readme.txt": "hello"})) is None


def test_document_larger_than_10_mb_is_refused(fabrique):
    big = ContentFile(PDF + b"0" * (10 * 1024 * 1024), name="gros.pdf")
    with pytest.raises(ValidationError) as exc:
        need_report_submit(fabrique=fabrique, **report_data(evidence_document=big))
    assert "10 Mo" in str(exc.value.message_dict["evidence_document"])


# --- needs from reports, attach, detach, dismiss ----------------------------------------------------------


def test_create_need_from_report_attaches_it(make_report, officer):
    report = make_report()
    # when
    need = need_create_from_report(report=report, actor=officer, title="Garde d'enfants en horaires décalés")
    # then
    report.refresh_from_db()
    assert need.reference.startswith("B-")
    assert need.stage == NeedStage.NEW
    assert need.description == report.description  # prefilled from the report
    assert (report.stage, report.need) == (ReportStage.ATTACHED, need)
    assert entries(need, "needs.need.created").exists()
    assert entries(report, "needs.needreport.attached").exists()
    assert entries(need, "needs.need.report_attached").exists()


def test_a_report_already_attached_cannot_create_another_need(make_need, officer):
    need = make_need()
    report = need.reports.get()
    with pytest.raises(DomainError):
        need_create_from_report(report=report, actor=officer)
    assert Need.objects.count() == 1


def test_attach_and_detach(make_report, make_need, officer):
    need = make_need()
    report = make_report(title="Même besoin, autre quartier")
    # attach
    need_report_attach(report=report, need=need, actor=officer)
    assert (report.stage, report.need_id) == (ReportStage.ATTACHED, need.pk)
    assert entries(report, "needs.needreport.attached").count() == 1
    # attaching twice changes nothing
    need_report_attach(report=report, need=need, actor=officer)
    assert entries(report, "needs.needreport.attached").count() == 1
    # detach
    need_report_detach(report=report, actor=officer)
    report.refresh_from_db()
    assert (report.stage, report.need) == (ReportStage.RECEIVED, None)
    assert entries(report, "needs.needreport.received").count() == 1
    assert entries(need, "needs.need.report_detached").count() == 1
    # detaching a report that is not attached is refused
    with pytest.raises(DomainError):
        need_report_detach(report=report, actor=officer)


def test_attach_moves_a_report_from_one_need_to_another(make_need, officer):
    first, second = make_need(), make_need()
    report = first.reports.get()
    need_report_attach(report=report, need=second, actor=officer)
    assert report.need_id == second.pk
    assert entries(first, "needs.need.report_detached").exists()
    assert entries(second, "needs.need.report_attached").exists()


def test_attach_to_another_fabriques_need_is_refused(make_report, other_team, officer):
    report = make_report()
    foreign_report = need_report_submit(fabrique=other_team.fabrique, **report_data())
    foreign_need = need_create_from_report(report=foreign_report, actor=other_team.officer)
    with pytest.raises(DomainError):
        need_report_attach(report=report, need=foreign_need, actor=officer)
    report.refresh_from_db()
    assert report.stage == ReportStage.RECEIVED


def test_dismiss(make_report, make_need, officer):
    report = make_report()
    need_report_dismiss(
        report=report, actor=officer, reason="out_of_territory", details="Commune du Morbihan"
    )
    report.refresh_from_db()
    assert (report.stage, report.dismiss_reason) == (ReportStage.DISMISSED, "out_of_territory")
    entry = entries(report, "needs.needreport.dismissed").get()
    assert entry.note == "Commune du Morbihan"
    # an attached report must be detached first
    attached = make_need().reports.get()
    with pytest.raises(TransitionNotAllowed):
        need_report_dismiss(report=attached, actor=officer, reason="spam")
    with pytest.raises(ValidationError):
        need_report_dismiss(report=make_report(), actor=officer, reason="n'importe quoi")


def test_a_dismissed_report_can_still_be_attached(make_report, make_need, officer):
    report = make_report()
    need_report_dismiss(report=report, actor=officer, reason="duplicate")
    need = make_need()
    need_report_attach(report=report, need=need, actor=officer)
    assert (report.stage, report.dismiss_reason) == (ReportStage.ATTACHED, "")


def test_need_update_checks_the_officer_and_the_workstream(make_need, officer, team, other_team):
    from fabrique.workstreams.models import Workstream

    need = make_need()
    need = need_update(need=need, actor=officer, public_title="Garde d'enfants", officer=officer)
    assert need.public_title == "Garde d'enfants"
    assert entries(need, "needs.need.updated").exists()
    with pytest.raises(ValidationError) as exc:
        need_update(need=need, actor=officer, officer=team.reader)
    assert "officer" in exc.value.message_dict
    foreign = Workstream.objects.create(fabrique=other_team.fabrique, name="Alimentation", code="alim")
    with pytest.raises(ValidationError) as exc:
        need_update(need=need, actor=officer, workstream=foreign)
    assert "workstream" in exc.value.message_dict


def test_need_commune_sets_its_epci(make_need, officer):
    from fabrique.territories.models import EPCI

    region = Region.objects.create(code="9T", name="Région de test")  # fictional codes
    dep = Departement.objects.create(code="9N", name="Nord de test", region=region)
    epci = EPCI.objects.create(siren="999999999", name="Métropole de test", kind="MET")
    commune = Commune.objects.create(
        code="9N001", name="Testville", departement=dep, region=region, epci=epci
    )
    need = need_update(need=make_need(), actor=officer, commune=commune)
    assert need.epci == epci


# --- qualification -----------------------------------------------------------------------------------------


def test_criteria_defaults_are_created_once(fabrique):
    fabrique_setup_defaults(fabrique=fabrique)
    fabrique_setup_defaults(fabrique=fabrique)
    labels = list(Criterion.objects.filter(fabrique=fabrique).values_list("label", flat=True))
    assert len(labels) == 6
    assert labels[0] == "Le besoin est réel et étayé"
    assert "Une entreprise de l'ESS est adaptée" in labels


@pytest.mark.parametrize("score", [0, 3])
def test_scores_from_0_to_3_and_the_first_one_starts_qualification(make_need, criteria, officer, score):
    need = make_need()
    assert need.stage == NeedStage.NEW
    # when
    need_score_set(need=need, criterion=criteria[0], score=score, comment="Chiffres CAF", actor=officer)
    # then
    assert need.stage == NeedStage.QUALIFYING
    assert CriterionScore.objects.get(need=need).score == score
    assert entries(need, "needs.need.qualifying").count() == 1
    assert entries(need, "needs.need.scored").count() == 1


@pytest.mark.parametrize("score", [-1, 4, 10])
def test_scores_outside_0_to_3_are_refused(qualifying_need, criteria, officer, score):
    with pytest.raises(ValidationError):
        need_score_set(need=qualifying_need, criterion=criteria[0], score=score, comment="", actor=officer)
    assert not CriterionScore.objects.exists()


def test_scores_of_another_fabriques_criterion_or_after_the_decision_are_refused(
    make_need, criteria, officer, other_team
):
    criteria_setup_defaults(fabrique=other_team.fabrique)
    foreign = Criterion.objects.filter(fabrique=other_team.fabrique).first()
    need = make_need(stage=NeedStage.QUALIFYING)
    with pytest.raises(DomainError):
        need_score_set(need=need, criterion=foreign, score=2, comment="", actor=officer)
    retained = make_need(stage=NeedStage.RETAINED)
    with pytest.raises(DomainError):
        need_score_set(need=retained, criterion=criteria[0], score=2, comment="", actor=officer)


def test_a_whole_grid_is_saved_at_once_and_an_empty_score_removes_one(qualifying_need, criteria, officer):
    need_scores_set(
        need=qualifying_need,
        actor=officer,
        scores=[(criteria[0], 3, "Oui"), (criteria[1], 1, ""), (criteria[2], None, "")],
    )
    assert CriterionScore.objects.filter(need=qualifying_need).count() == 2
    need_scores_set(need=qualifying_need, actor=officer, scores=[(criteria[0], None, "")])
    assert list(CriterionScore.objects.filter(need=qualifying_need).values_list("score", flat=True)) == [1]


def test_an_invalid_score_in_a_grid_saves_nothing(qualifying_need, criteria, officer):
    with pytest.raises(ValidationError):
        need_scores_set(
            need=qualifying_need, actor=officer, scores=[(criteria[0], 2, ""), (criteria[1], 7, "")]
        )
    assert not CriterionScore.objects.exists()


def test_criteria_can_be_added_renamed_deactivated_and_reordered(fabrique, criteria, team):
    admin = team.admin
    added = criterion_create(fabrique=fabrique, actor=admin, label="Mobilisation des élus", weight=2)
    assert added.code == "mobilisation-des-elus"
    assert added.order == max(c.order for c in criteria) + 1
    criterion_update(criterion=added, actor=admin, label="Élus mobilisés", is_active=False)
    added.refresh_from_db()
    assert (added.label, added.is_active) == ("Élus mobilisés", False)
    moved = criterion_move(criterion=added, actor=admin, direction="up")
    ordered = list(Criterion.objects.filter(fabrique=fabrique).order_by("order").values_list("pk", flat=True))
    assert ordered.index(added.pk) == len(ordered) - 2
    assert entries(moved, "needs.criterion.moved").exists()


# --- decisions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "reason_code", "stage"),
    [
        ("retained", "", NeedStage.RETAINED),
        ("not_retained", "already_answered", NeedStage.NOT_RETAINED),
        ("more_evidence", "", NeedStage.MORE_EVIDENCE),
    ],
)
def test_each_decision_performs_its_transition_with_a_linked_decision_row(
    qualifying_need, officer, outcome, reason_code, stage
):
    # when
    decision = need_decide(
        need=qualifying_need, actor=officer, outcome=outcome, reason_code=reason_code, reasons="Vu en équipe"
    )
    # then
    need = Need.objects.get(pk=qualifying_need.pk)
    assert need.stage == stage
    assert need.decision_notes == "Vu en équipe"
    assert need.not_retained_reason == reason_code
    assert isinstance(decision, Decision)
    assert (decision.target, decision.outcome, decision.meeting) == (need, outcome, None)
    assert decision.decided_by == officer
    entry = entries(need, f"needs.need.{stage}").get()
    assert entry.decision_ref == decision.reference
    assert entry.old_values == {"stage": NeedStage.QUALIFYING}


def test_not_retained_requires_a_reason(qualifying_need, officer):
    with pytest.raises(ValidationError):
        need_decide(need=qualifying_need, actor=officer, outcome="not_retained")
    assert not Decision.objects.exists()
    assert Need.objects.get(pk=qualifying_need.pk).stage == NeedStage.QUALIFYING


def test_a_decision_is_never_dated_in_the_future(qualifying_need, officer):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        need_decide(need=qualifying_need, actor=officer, outcome="retained", decided_on=tomorrow)
    assert exc.value.message_dict == {
        "decided_on": ["La date de la décision ne peut pas être dans le futur."]
    }
    assert not Decision.objects.exists()


def test_a_decision_is_refused_before_qualification(make_need, officer):
    need = make_need()
    with pytest.raises(DomainError):
        need_decide(need=need, actor=officer, outcome="retained")
    assert not Decision.objects.exists()


def test_forbidden_transitions_raise(make_need, officer):
    from fabrique.core.workflow import transition

    need = make_need()
    with pytest.raises(TransitionNotAllowed):
        transition(instance=need, to=NeedStage.RETAINED, actor=officer)  # new → retained skips qualification
    with pytest.raises(TransitionNotAllowed):
        need_mark_in_study(need=need, actor=officer)  # only a retained need goes into study


def test_a_committee_decision_from_a_meeting_uses_the_same_outcomes(qualifying_need, officer, fabrique):
    from django.utils import timezone

    from fabrique.committees.models import Committee, CommitteeType, Meeting
    from fabrique.committees.services import decision_record

    kind = CommitteeType.objects.create(fabrique=fabrique, kind="engagement", label="Comité d'engagement")
    committee = Committee.objects.create(fabrique=fabrique, committee_type=kind, name="Comité")
    meeting = Meeting.objects.create(fabrique=fabrique, committee=committee, date=timezone.now())
    decision = decision_record(
        fabrique=fabrique,
        actor=officer,
        target=qualifying_need,
        outcome="retained",
        meeting=meeting,
        votes_for=5,
    )
    assert Need.objects.get(pk=qualifying_need.pk).stage == NeedStage.RETAINED
    assert decision.meeting == meeting


# --- study and project -------------------------------------------------------------------------------------


def test_mark_in_study_and_answered(make_need, officer, fabrique, django_capture_on_commit_callbacks):
    need = make_need(stage=NeedStage.RETAINED)
    need_mark_in_study(need=need, actor=officer)
    assert Need.objects.get(pk=need.pk).stage == NeedStage.IN_STUDY
    assert entries(need, "needs.need.in_study").exists()
    project = Project.objects.create(fabrique=fabrique, title="Crèche à horaires atypiques")
    with django_capture_on_commit_callbacks(execute=True):
        need_mark_answered(need=need, project=project, actor=officer)
    assert Need.objects.get(pk=need.pk).stage == NeedStage.ANSWERED
    assert "Crèche à horaires atypiques" in entries(need, "needs.need.answered").get().note


def test_mark_answered_is_refused_before_the_study(make_need, officer, fabrique):
    need = make_need(stage=NeedStage.RETAINED)
    project = Project.objects.create(fabrique=fabrique, title="Projet")
    with pytest.raises(TransitionNotAllowed):
        need_mark_answered(need=need, project=project, actor=officer)


def test_mark_answered_mails_only_the_reporters_who_consented(
    make_need, make_report, officer, fabrique, django_capture_on_commit_callbacks
):
    need = make_need(stage=NeedStage.IN_STUDY, consent_notifications=True, reporter_email="oui@example.org")
    for extra in (
        {"consent_notifications": True, "reporter_email": "oui@example.org"},  # same person, 2nd report
        {"consent_notifications": True, "reporter_email": "aussi@example.org"},
        {"consent_notifications": False, "reporter_email": "non@example.org"},
        {"consent_notifications": False, "reporter_email": ""},
    ):
        need_report_attach(report=make_report(**extra), need=need, actor=officer)
    dismissed = make_report(consent_notifications=True, reporter_email="ecarte@example.org")
    need_report_dismiss(report=dismissed, actor=officer, reason="duplicate")
    project = Project.objects.create(
        fabrique=fabrique,
        title="Crèche à horaires atypiques",
        public_summary="Une crèche ouverte de 5 h à 23 h.",
    )
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        need_mark_answered(need=need, project=project, actor=officer)
    # then
    assert sorted(m.to[0] for m in mail.outbox) == ["aussi@example.org", "oui@example.org"]
    to_oui = next(m for m in mail.outbox if m.to == ["oui@example.org"])
    assert "Crèche à horaires atypiques" in to_oui.body
    tokens = NeedReport.objects.filter(reporter_email="oui@example.org").values_list(
        "followup_token", flat=True
    )
    assert all(f"/suivi/{token}/" in to_oui.body for token in tokens)
    # marked answered again (no change): no new e-mail
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        need_mark_answered(need=need, project=project, actor=officer)
    assert mail.outbox == []


def test_no_mail_when_the_transaction_fails(make_need, officer, fabrique, django_capture_on_commit_callbacks):
    from django.db import transaction

    need = make_need(stage=NeedStage.IN_STUDY, consent_notifications=True)
    project = Project.objects.create(fabrique=fabrique, title="Projet")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        need_mark_answered(need=need, project=project, actor=officer)
        raise RuntimeError("rollback")
    assert mail.outbox == []
    assert Need.objects.get(pk=need.pk).stage == NeedStage.IN_STUDY


# --- retention -----------------------------------------------------------------------------------------------


def test_reporters_are_erased_after_three_years_without_activity(make_report, make_need, officer):
    from django.core.management import call_command

    from fabrique.needs.services import need_reports_erase_expired

    old = make_report(reporter_phone="0240123456")
    recent = make_report()
    need = make_need()  # its report is old, but the need is still active
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    NeedReport.objects.filter(pk__in=[old.pk, need.reports.get().pk]).update(updated_at=long_ago)
    # when
    assert need_reports_erase_expired(dry_run=True) == 1
    call_command("needs_erase_expired_reporters", stdout=__import__("io").StringIO())
    # then
    old.refresh_from_db()
    assert (old.reporter_name, old.reporter_email, old.reporter_phone) == ("", "", "")
    assert old.title == "Pas de garde d'enfants le soir"  # what was reported stays
    assert entries(old, "needs.needreport.reporter_erased").exists()
    recent.refresh_from_db()
    assert recent.reporter_email == "camille@example.org"
    assert need.reports.get().reporter_email == "camille@example.org"
    assert need_reports_erase_expired() == 0
