"""Writes of the opportunity studies: opening from retained needs, the study document (workshops,
scenarios, benchmark, conclusion), submission for decision and the transitions decided by a committee.

Workshops, scenarios and benchmark entries belong to their study: their changes are written to the
audit log against the study, so the study's history tells the whole story of the document.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, Unpack

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.audit.services import audit_log, diff, snapshot
from fabrique.core.errors import DomainError, TransitionNotAllowed
from fabrique.core.references import next_reference
from fabrique.core.services import audited_create, audited_update, check_fields
from fabrique.core.workflow import transition
from fabrique.fabriques.models import Membership

from .models import BenchmarkEntry, NoGoReason, Scenario, Study, StudyStage, Workshop

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.committees.models import Decision
    from fabrique.core.models import TenantModel
    from fabrique.directory.models import Organization, Person
    from fabrique.fabriques.models import Fabrique
    from fabrique.needs.models import Need
    from fabrique.workstreams.models import Workstream

    R = TypeVar("R", bound=TenantModel)

C = TypeVar("C", Workshop, Scenario, BenchmarkEntry)


class StudyFields(TypedDict, total=False):
    """The editable fields of a study (`study_open` takes them all but the conclusion)."""

    title: str
    summary: str
    workstream: Workstream | None
    officer: User | None
    started_on: datetime.date | None
    due_on: datetime.date | None
    conclusion: str
    steering_people: Iterable[Person]
    steering_organizations: Iterable[Organization]


class WorkshopFields(TypedDict, total=False):
    kind: str
    title: str
    date: datetime.date | None
    place: str
    participants: Iterable[Person]
    other_participants: str
    participants_count: int | None
    notes: str
    decisions: str


class ScenarioFields(TypedDict, total=False):
    title: str
    description: str
    pros: str
    cons: str
    value_proposition: str
    beneficiaries: str
    revenue_sources: str
    main_costs: str
    partners: str
    jobs_estimate: Decimal | int | None
    is_preferred: bool


class BenchmarkFields(TypedDict, total=False):
    name: str
    location: str
    is_local: bool
    description: str
    lessons: str
    url: str


STUDY_M2M = ("steering_people", "steering_organizations")


# --- helpers -------------------------------------------------------------------------------------------------


def _strip(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


def _check_rows(*, fabrique: Fabrique, rows: Iterable[R], field: str) -> list[R]:
    rows = list(dict.fromkeys(rows))
    foreign = [r for r in rows if r.fabrique_id != fabrique.pk or r.is_deleted]
    if foreign:
        # never name another fabrique's rows: their existence is private
        raise ValidationError(
            {
                field: _("Ces éléments n'appartiennent pas à la fabrique : n° %(pks)s.")
                % {"pks": ", ".join(str(r.pk) for r in foreign)}
            }
        )
    return rows


def _check_study_data(*, fabrique: Fabrique, data: dict[str, Any]) -> dict[str, list[Any]]:
    """Tenancy of the related rows; returns the many-to-many values found in `data` (popped)."""
    workstream = data.get("workstream")
    if workstream is not None and (workstream.fabrique_id != fabrique.pk or workstream.is_deleted):
        raise ValidationError({"workstream": _("Ce chantier n'appartient pas à la fabrique.")})
    officer = data.get("officer")
    if (
        officer is not None
        and not Membership.objects.filter(fabrique=fabrique, user=officer, is_active=True).exists()
    ):
        raise ValidationError({"officer": _("La personne chargée de l'étude doit être membre de l'équipe.")})
    started_on, due_on = data.get("started_on"), data.get("due_on")
    if started_on and due_on and due_on < started_on:
        raise ValidationError({"due_on": _("L'échéance ne peut pas précéder le début de l'étude.")})
    m2m: dict[str, list[Any]] = {}
    for name in STUDY_M2M:
        if name in data:
            m2m[name] = _check_rows(fabrique=fabrique, rows=data.pop(name), field=name)
    return m2m


def _check_editable(study: Study) -> None:
    if not study.is_editable:
        raise DomainError(
            _("L'étude « %(study)s » est close (%(stage)s) : elle ne peut plus être modifiée.")
            % {"study": study, "stage": study.get_stage_display()}
        )


def _locked_study(study: Study) -> Study:
    return Study.all_objects.select_for_update().get(pk=study.pk)


def _child_values(instance: models.Model, m2m: Mapping[str, Iterable[Any]] | None) -> dict[str, Any]:
    values = snapshot(instance)
    values.pop("study", None)
    for name, rows in (m2m or {}).items():
        values[name] = sorted(str(r) for r in rows)
    return values


def _child_create(
    *, study: Study, instance: C, actor: User, m2m: Mapping[str, Iterable[Any]] | None = None
) -> C:
    """Validate and insert a row of the study document; log `studies.<model>.created` on the study."""
    instance.full_clean()
    instance.save()
    for name, rows in (m2m or {}).items():
        getattr(instance, name).set(rows)
    values = {k: v for k, v in _child_values(instance, m2m).items() if v not in ("", None, [])}
    audit_log(
        actor=actor,
        fabrique=study.fabrique,
        target=study,
        action=f"studies.{instance._meta.model_name}.created",
        new=values,
        note=str(instance),
    )
    return instance


def _child_update(
    *,
    study: Study,
    instance: C,
    actor: User,
    data: Mapping[str, Any],
    m2m: Mapping[str, Iterable[Any]] | None = None,
) -> C:
    """Apply `data` to a row of the study document; log only what changed, on the study."""
    model = type(instance)
    locked: C = model.objects.select_for_update().get(pk=instance.pk)
    old = _child_values(locked, {n: getattr(locked, n).all() for n in m2m or {}})
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean()
    new = _child_values(locked, m2m)
    old_changed, new_changed = diff(old, new)
    if not new_changed:
        return locked
    scalar: list[str] = [name for name in data if name in new_changed]
    if scalar:
        locked.save(update_fields=[*scalar, "updated_at"])
    for name, rows in (m2m or {}).items():
        getattr(locked, name).set(rows)
    audit_log(
        actor=actor,
        fabrique=study.fabrique,
        target=study,
        action=f"studies.{model._meta.model_name}.updated",
        old=old_changed,
        new=new_changed,
        note=str(locked),
    )
    return locked


# --- studies -------------------------------------------------------------------------------------------------


def study_open(
    *,
    fabrique: Fabrique,
    actor: User,
    needs: Iterable[Need],
    decision: Decision | None = None,
    **fields: Unpack[StudyFields],
) -> Study:
    """Open an opportunity study on one or more retained needs, which move to "in study"."""
    from fabrique.needs.models import NeedStage
    from fabrique.needs.services import need_mark_in_study

    check_fields({k: v for k, v in fields.items() if k != "conclusion"}, StudyFields)
    if "conclusion" in fields:
        raise TypeError("Unknown fields: conclusion")
    data = _strip(fields)
    needs = list(dict.fromkeys(needs))
    if not needs:
        raise ValidationError({"needs": _("Choisissez au moins un besoin retenu à étudier.")})
    with transaction.atomic():
        # lock and re-read: the caller's instances may be stale (a committee may just have decided)
        from fabrique.needs.models import Need

        locked = {n.pk: n for n in Need.all_objects.select_for_update().filter(pk__in=[n.pk for n in needs])}
        needs = [locked[n.pk] for n in needs]
        for need in needs:
            if need.fabrique_id != fabrique.pk or need.is_deleted:
                raise ValidationError({"needs": _("Ce besoin n'appartient pas à la fabrique.")})
            if need.stage != NeedStage.RETAINED:
                raise TransitionNotAllowed(
                    _(
                        "Le besoin « %(need)s » n'est pas retenu (étape : %(stage)s) : une étude "
                        "d'opportunité ne s'ouvre que sur des besoins retenus."
                    )
                    % {"need": need, "stage": need.get_stage_display()}
                )
        m2m = _check_study_data(fabrique=fabrique, data=data)
        study = Study(
            fabrique=fabrique,
            reference=next_reference(model=Study, fabrique=fabrique, prefix="E"),
            started_on=data.pop("started_on", None) or timezone.localdate(),
            **data,
        )
        study = audited_create(instance=study, actor=actor, fabrique=fabrique, m2m={"needs": needs, **m2m})
        for need in needs:
            need_mark_in_study(need=need, actor=actor, decision=decision)
    return study


def study_update(*, study: Study, actor: User, **fields: Unpack[StudyFields]) -> Study:
    """Change the fields given; steering lists, when given, replace the old ones."""
    check_fields(fields, StudyFields)
    data = _strip(fields)
    fabrique = study.fabrique
    with transaction.atomic():
        _check_editable(_locked_study(study))
        m2m = _check_study_data(fabrique=fabrique, data=data)
        updated, _changed = audited_update(instance=study, actor=actor, fabrique=fabrique, data=data, m2m=m2m)
    return updated


def study_submit(*, study: Study, actor: User) -> Study:
    """The team submits the study for a go / no-go decision (in progress → awaiting decision)."""
    with transaction.atomic():
        locked = _locked_study(study)
        if locked.stage == StudyStage.IN_PROGRESS and not locked.scenarios.exists():
            raise DomainError(_("Décrivez au moins une piste avant de soumettre l'étude à décision."))
        if locked.stage == StudyStage.IN_PROGRESS and not (locked.conclusion or "").strip():
            raise DomainError(
                _(
                    "Rédigez la conclusion de l'étude (ce que l'équipe propose au comité) avant de la "
                    "soumettre à décision."
                )
            )
        if locked.stage == StudyStage.AWAITING_DECISION:
            raise DomainError(_("L'étude est déjà en attente de décision."))
        return transition(instance=locked, to=StudyStage.AWAITING_DECISION, actor=actor)


# --- the study document --------------------------------------------------------------------------------------


def workshop_create(*, study: Study, actor: User, **fields: Unpack[WorkshopFields]) -> Workshop:
    """A workshop, creativity session, interview or field visit; `participants` are people of the directory."""
    check_fields(fields, WorkshopFields)
    data = _strip(fields)
    participants = data.pop("participants", ())
    with transaction.atomic():
        study = _locked_study(study)
        _check_editable(study)
        participants = _check_rows(fabrique=study.fabrique, rows=participants, field="participants")
        return _child_create(
            study=study,
            instance=Workshop(study=study, **data),
            actor=actor,
            m2m={"participants": participants},
        )


def workshop_update(*, workshop: Workshop, actor: User, **fields: Unpack[WorkshopFields]) -> Workshop:
    check_fields(fields, WorkshopFields)
    data = _strip(fields)
    with transaction.atomic():
        study = _locked_study(workshop.study)
        _check_editable(study)
        m2m = None
        if "participants" in data:
            rows = _check_rows(fabrique=study.fabrique, rows=data.pop("participants"), field="participants")
            m2m = {"participants": rows}
        return _child_update(study=study, instance=workshop, actor=actor, data=data, m2m=m2m)


def _unprefer_others(*, study: Study, keep_pk: int | None, actor: User) -> None:
    others = study.scenarios.filter(is_preferred=True)
    if keep_pk is not None:
        others = others.exclude(pk=keep_pk)
    for other in others:
        _child_update(study=study, instance=other, actor=actor, data={"is_preferred": False})


def _check_scenario(data: dict[str, Any]) -> None:
    jobs = data.get("jobs_estimate")
    if jobs is not None and jobs < 0:
        raise ValidationError({"jobs_estimate": _("Le nombre d'emplois ne peut pas être négatif.")})


def scenario_create(*, study: Study, actor: User, **fields: Unpack[ScenarioFields]) -> Scenario:
    """A piste with its economic sketch; marking it preferred un-marks the study's previous preferred one."""
    check_fields(fields, ScenarioFields)
    data = _strip(fields)
    _check_scenario(data)
    with transaction.atomic():
        study = _locked_study(study)
        _check_editable(study)
        if data.get("is_preferred"):
            _unprefer_others(study=study, keep_pk=None, actor=actor)
        return _child_create(study=study, instance=Scenario(study=study, **data), actor=actor)


def scenario_update(*, scenario: Scenario, actor: User, **fields: Unpack[ScenarioFields]) -> Scenario:
    check_fields(fields, ScenarioFields)
    data = _strip(fields)
    _check_scenario(data)
    with transaction.atomic():
        study = _locked_study(scenario.study)
        _check_editable(study)
        if data.get("is_preferred"):
            _unprefer_others(study=study, keep_pk=scenario.pk, actor=actor)
        return _child_update(study=study, instance=scenario, actor=actor, data=data)


def benchmark_create(*, study: Study, actor: User, **fields: Unpack[BenchmarkFields]) -> BenchmarkEntry:
    """An existing answer to the need, here or in another territory, and what the study learns from it."""
    check_fields(fields, BenchmarkFields)
    data = _strip(fields)
    with transaction.atomic():
        study = _locked_study(study)
        _check_editable(study)
        return _child_create(study=study, instance=BenchmarkEntry(study=study, **data), actor=actor)


# --- decision handlers (registered in StudiesConfig.ready) ---------------------------------------------------


def _decision_note(decision: Decision) -> str:
    return str(decision.reasons or decision.outcome_label)


def decide_need_open_study(need: Need, decision: Decision, actor: User) -> None:
    """Outcome "open_study" on a need (where the fabrique allows it): the need is retained and its
    opportunity study opened in the same step, both linked to the decision."""
    from fabrique.needs.models import NeedStage

    transition(
        instance=need,
        to=NeedStage.RETAINED,
        actor=actor,
        decision=decision,
        note=decision.reasons,
        extra={"decision_notes": decision.reasons, "not_retained_reason": ""},
    )
    fields: StudyFields = {"title": need.title[:200]}
    if need.workstream is not None and not need.workstream.is_deleted:
        fields["workstream"] = need.workstream
    if need.officer is not None:
        fields["officer"] = need.officer
    study_open(fabrique=need.fabrique, actor=actor, needs=[need], decision=decision, **fields)


def decide_go(study: Study, decision: Decision, actor: User) -> None:
    """Go: a relevant model emerged. The study closes and the project is born from it."""
    from fabrique.projects.services import project_create_from_study

    locked = transition(
        instance=study, to=StudyStage.GO, actor=actor, decision=decision, note=_decision_note(decision)
    )
    project_create_from_study(study=locked, actor=actor, decision=decision)


def decide_no_go(study: Study, decision: Decision, actor: User) -> None:
    """No-go: no relevant model emerged; the reasons stay on the study."""
    label = dict(NoGoReason.choices).get(decision.reason_code, "")
    reasons = "\n".join(part for part in (str(label).capitalize() if label else "", decision.reasons) if part)
    if not reasons.strip():
        raise DomainError(_("Indiquez pourquoi aucun modèle pertinent n'a émergé."))
    transition(
        instance=study,
        to=StudyStage.NO_GO,
        actor=actor,
        decision=decision,
        note=_decision_note(decision),
        extra={"no_go_reasons": reasons},
    )


def decide_continue(study: Study, decision: Decision, actor: User) -> None:
    """Continue: the study goes back to work (more workshops, another piste...)."""
    transition(
        instance=study,
        to=StudyStage.IN_PROGRESS,
        actor=actor,
        decision=decision,
        note=_decision_note(decision),
    )


# --- abandon -------------------------------------------------------------------------------------------


def study_abandon(*, study: Study, actor: User, reason: str) -> Study:
    """The team stops a study before any go / no-go (partners gone, the need covered meanwhile...). Its
    needs still "in study" and in no other open study go back to "retained", so they can be studied
    again or entrusted elsewhere. The reason is kept in the history."""
    from fabrique.needs.models import Need, NeedStage

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Expliquez pourquoi l'étude est abandonnée.")})
    with transaction.atomic():
        locked = _locked_study(study)
        if locked.stage not in (StudyStage.IN_PROGRESS, StudyStage.AWAITING_DECISION):
            raise DomainError(_("Seule une étude en cours ou en attente de décision peut être abandonnée."))
        abandoned = transition(instance=locked, to=StudyStage.ABANDONED, actor=actor, note=reason)
        open_stages = (StudyStage.IN_PROGRESS, StudyStage.AWAITING_DECISION)
        for need in Need.objects.filter(studies=locked, stage=NeedStage.IN_STUDY).order_by("pk"):
            if need.studies.filter(stage__in=open_stages).exclude(pk=locked.pk).exists():
                continue
            transition(
                instance=need,
                to=NeedStage.RETAINED,
                actor=actor,
                note=_("Étude « %(study)s » abandonnée : %(reason)s") % {"study": locked, "reason": reason},
            )
    return abandoned
