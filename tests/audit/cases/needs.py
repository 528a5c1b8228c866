"""Needs: reports, needs, qualification, decisions and criteria."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fabrique.needs import services as s
from fabrique.needs.models import Criterion, Need, NeedReport, NeedStage
from fabrique.projects.models import Project
from tests.audit.harness import case

REPORT = {
    "title": "Pas de garde d'enfants le soir",
    "description": "Les parents qui travaillent en horaires décalés n'ont aucune solution.",
    "reporter_name": "Camille Martin",
    "reporter_email": "camille@example.org",
    "reporter_type": "inhabitant",
    "consent_processing": True,
}


def _report(t):
    return s.need_report_submit(fabrique=t.fabrique, **REPORT)


def _need(t, stage: str | None = None) -> Need:
    need = s.need_create(fabrique=t.fabrique, actor=t.officer, title="Garde d'enfants en horaires décalés")
    if stage is not None:
        Need.objects.filter(pk=need.pk).update(stage=stage)
        need.refresh_from_db()
    return need


def _criterion(t) -> Criterion:
    return s.criterion_create(fabrique=t.fabrique, actor=t.admin, label="Urgence", help_text="", weight=2)


def _attached(t):
    report, need = _report(t), _need(t)
    return s.need_report_attach(report=report, need=need, actor=t.officer)


def _detached(t):
    report = _attached(t)
    need = report.need
    s.need_report_detach(report=report, actor=t.officer)
    return need


def _scored(t):
    need, criterion = _need(t), _criterion(t)
    s.need_score_set(need=need, criterion=criterion, score=2, comment="Attendu", actor=t.officer)
    return need


def _score_cleared(t):
    need, criterion = _need(t), _criterion(t)
    s.need_score_set(need=need, criterion=criterion, score=2, comment="", actor=t.officer)
    s.need_score_clear(need=need, criterion=criterion, actor=t.officer)
    return need


def _scores_set(t):
    need, criterion = _need(t), _criterion(t)
    return s.need_scores_set(need=need, actor=t.officer, scores=[(criterion, 3, "Très attendu")])


def _answered(t):
    need = _need(t, NeedStage.IN_STUDY)
    project = Project.objects.create(fabrique=t.fabrique, title="Crèche à horaires atypiques")
    return s.need_mark_answered(need=need, project=project, actor=t.officer)


def _moved(t):
    _criterion(t)
    second = s.criterion_create(fabrique=t.fabrique, actor=t.admin, label="Ampleur", help_text="", weight=1)
    return s.criterion_move(criterion=second, actor=t.admin, direction="up")


def _erased_expired(t):
    report = _report(t)
    old = timezone.now() - datetime.timedelta(days=365 * 4)
    NeedReport.all_objects.filter(pk=report.pk).update(updated_at=old)
    s.need_reports_erase_expired()
    return report


def _default_criterion(t):
    s.criteria_setup_defaults(fabrique=t.fabrique)
    return Criterion.objects.filter(fabrique=t.fabrique).order_by("order").first()


CASES = [
    case(s.need_reports_erase_expired, _erased_expired, "needs.needreport.reporter_erased", actor=None),
    case(s.criteria_setup_defaults, _default_criterion, "needs.criterion.created", {"label"}, actor=None),
    case(s.need_report_submit, _report, "needs.needreport.created", {"title", "reporter_type"}, actor=None),
    case(
        s.need_report_correct,
        lambda t: s.need_report_correct(
            report=_report(t), actor=t.officer, data={"title": "Pas de garde le soir"}, reason="Faute"
        ),
        "needs.needreport.corrected",
        {"title"},
    ),
    case(s.need_report_attach, lambda t: _attached(t).need, "needs.need.report_attached"),
    case(s.need_report_detach, _detached, "needs.need.report_detached"),
    case(
        s.need_report_dismiss,
        lambda t: s.need_report_dismiss(report=_report(t), actor=t.officer, reason="spam"),
        "needs.needreport.dismissed",
        {"stage"},
    ),
    case(
        s.need_report_erase_reporter,
        lambda t: s.need_report_erase_reporter(report=_report(t), actor=t.officer),
        "needs.needreport.reporter_erased",
    ),
    case(s.need_create, _need, "needs.need.created", {"title", "reference"}),
    case(
        s.need_create_from_report,
        lambda t: s.need_create_from_report(report=_report(t), actor=t.officer),
        "needs.need.created",
        {"title", "description"},
    ),
    case(
        s.need_update,
        lambda t: s.need_update(need=_need(t), actor=t.officer, description="Des horaires de 5 h à 23 h."),
        "needs.need.updated",
        {"description"},
    ),
    case(
        s.need_mark_in_study,
        lambda t: s.need_mark_in_study(need=_need(t, NeedStage.RETAINED), actor=t.officer),
        "needs.need.in_study",
        {"stage"},
    ),
    case(s.need_mark_answered, _answered, "needs.need.answered", {"stage", "project_id"}),
    case(
        s.need_reopen,
        lambda t: s.need_reopen(
            need=_need(t, NeedStage.RETAINED), actor=t.officer, reason="Nouveaux signalements"
        ),
        "needs.need.qualifying",
        {"stage"},
    ),
    case(
        s.need_qualification_start,
        lambda t: s.need_qualification_start(need=_need(t), actor=t.officer),
        "needs.need.qualifying",
        {"stage"},
    ),
    case(s.need_score_set, _scored, "needs.need.scored", {"Urgence"}),
    case(s.need_score_clear, _score_cleared, "needs.need.scored", {"Urgence"}),
    case(s.need_scores_set, _scores_set, "needs.need.scored", {"Urgence"}),
    case(
        s.need_decide,
        lambda t: (
            s.need_decide(
                need=_need(t, NeedStage.QUALIFYING), actor=t.committee, outcome="retained", reasons="Avéré"
            ).target
        ),
        "needs.need.retained",
        {"stage"},
        actor="committee",
    ),
    case(s.criterion_create, _criterion, "needs.criterion.created", {"label", "weight"}, actor="admin"),
    case(
        s.criterion_update,
        lambda t: s.criterion_update(criterion=_criterion(t), actor=t.admin, weight=3),
        "needs.criterion.updated",
        {"weight"},
        actor="admin",
    ),
    case(s.criterion_move, _moved, "needs.criterion.moved", {"order"}, actor="admin"),
    case(
        s.need_close,
        lambda t: s.need_close(need=_need(t), actor=t.officer, reason="Couvert par la CAF"),
        "needs.need.closed",
        {"stage"},
    ),
]
