"""Recruitment: calls for leaders, applications, evaluations and the staff's choices."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fabrique.projects.models import ProjectStage
from fabrique.recruitment import services as s
from fabrique.recruitment.models import ApplicationStage, CallStage
from tests.audit.harness import case
from tests.directory.factories import make_person
from tests.projects.factories import make_project
from tests.recruitment.factories import make_application, make_call

CANDIDATE = {
    "first_name": "Sam",
    "last_name": "Bernard",
    "email": "sam.bernard@example.org",
    "motivation": "J'ai tenu un garage associatif.",
    "consent_processing": True,
}
GRID = [{"label": "Profil", "weight": 2, "max_score": 5}]


def _call(t, stage=CallStage.PUBLISHED, **kw):
    return make_call(make_project(t.fabrique), stage=stage, **kw)


def _created(t):
    return s.call_create(
        project=make_project(t.fabrique),
        actor=t.officer,
        criteria=GRID,
        title="Appel à porteurs : crèche",
        description="Une crèche ouverte tôt et tard.",
        profile_sought="Une structure de la petite enfance.",
        selection_criteria="Expérience.",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )


def _grid_updated(t):
    call = _call(t, CallStage.DRAFT)
    return s.call_update(
        call=call, actor=t.officer, criteria=[*GRID, {"label": "Ancrage", "weight": 1, "max_score": 5}]
    )


def _evaluated(t):
    call = _call(t, evaluators=[t.officer], criteria=(("Profil", 2, 5),))
    application = make_application(call)
    profile = call.criteria.order_by("order").first()
    s.evaluation_save(application=application, evaluator=t.officer, scores={profile.pk: (4, "")}, submit=True)
    return application


def _direct(t):
    project = make_project(t.fabrique, stage=ProjectStage.SEEKING_LEADER)
    person = make_person(t.fabrique, t.officer, email="lea@example.org")
    return s.application_create_direct(
        project=project, actor=t.officer, person=person, motivation="Elle dirige déjà une crèche."
    )


CASES = [
    case(s.call_create, _created, "recruitment.call.created", {"title", "deadline"}),
    case(
        s.call_update,
        lambda t: s.call_update(
            call=_call(t, CallStage.DRAFT), actor=t.officer, title="Appel : crèche du soir"
        ),
        "recruitment.call.updated",
        {"title"},
    ),
    case(s.call_update, _grid_updated, "recruitment.call.grid_updated", variant="grid"),
    case(
        s.call_publish,
        lambda t: s.call_publish(call=_call(t, CallStage.DRAFT), actor=t.officer),
        "recruitment.call.published",
        {"stage"},
    ),
    case(
        s.call_close,
        lambda t: s.call_close(call=_call(t), actor=t.officer),
        "recruitment.call.closed",
        {"stage"},
    ),
    case(
        s.call_cancel,
        lambda t: s.call_cancel(call=_call(t), actor=t.officer, reason="Porteur trouvé autrement"),
        "recruitment.call.cancelled",
        {"stage"},
    ),
    case(
        s.call_evaluators_set,
        lambda t: s.call_evaluators_set(call=_call(t), actor=t.officer, users=[t.officer, t.committee]),
        "recruitment.call.evaluators_updated",
    ),
    case(
        s.application_submit,
        lambda t: s.application_submit(call=_call(t), **CANDIDATE),
        "recruitment.application.created",
        {"first_name", "last_name"},
        actor=None,
    ),
    case(s.application_create_direct, _direct, "recruitment.application.created", {"motivation"}),
    case(s.evaluation_save, _evaluated, "recruitment.evaluation.submitted"),
    case(
        s.application_select,
        lambda t: s.application_select(
            application=make_application(_call(t, CallStage.CLOSED)), actor=t.officer
        ),
        "recruitment.application.selected",
        {"stage"},
    ),
    case(
        s.application_reject,
        lambda t: s.application_reject(
            application=make_application(_call(t, CallStage.CLOSED)), actor=t.officer
        ),
        "recruitment.application.not_selected",
        {"stage"},
    ),
    case(
        s.application_withdraw,
        lambda t: s.application_withdraw(
            application=make_application(_call(t), stage=ApplicationStage.SUBMITTED),
            actor=t.officer,
            note="Retrait",
        ),
        "recruitment.application.withdrawn",
        {"stage"},
    ),
]
