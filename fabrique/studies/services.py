"""Writes of the opportunity studies: opening from retained needs, the study document (workshops,
scenarios, benchmark, conclusion), submission for decision and the transitions decided by a committee.

Workshops, scenarios and benchmark entries belong to their study: their changes are written to the
audit log against the study, so the study's history tells the whole story of the document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.audit.services import audit_log, diff, snapshot
from fabrique.core.errors import DomainError
from fabrique.core.references import next_reference
from fabrique.core.services import audited_create, audited_update
from fabrique.core.workflow import transition
from fabrique.fabriques.models import Membership

from .models import BenchmarkEntry, NoGoReason, Scenario, Study, StudyStage, Workshop

STUDY_FIELDS = frozenset(
    {
        "title",
        "summary",
        "workstream",
        "officer",
        "started_on",
        "due_on",
        "conclusion",
        "steering_people",
        "steering_organizations",
    }
)
STUDY_M2M = ("steering_people", "steering_organizations")
WORKSHOP_FIELDS = frozenset(
    {"kind", "title", "date", "place", "participants", "other_participants", "notes", "decisions"}
)
SCENARIO_FIELDS = frozenset(
    {
        "title",
        "description",
        "pros",
        "cons",
        "value_proposition",
        "beneficiaries",
        "revenue_sources",
        "main_costs",
        "partners",
        "jobs_estimate",
        "is_preferred",
    }
)
BENCHMARK_FIELDS = frozenset({"name", "location", "is_local", "description", "lessons", "url"})


# --- helpers -------------------------------------------------------------------------------------------------


def _check_fields(data: Mapping, allowed: frozenset[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")


def _strip(data: Mapping) -> dict:
    return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


def _check_rows(*, fabrique, rows: Iterable, field: str) -> list:
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


def _check_study_data(*, fabrique, data: dict) -> dict:
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
    m2m = {}
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


def _child_values(instance: models.Model, m2m: Mapping[str, Iterable] | None) -> dict:
    values = snapshot(instance)
    values.pop("study", None)
    for name, rows in (m2m or {}).items():
        values[name] = sorted(str(r) for r in rows)
    return values


def _child_create(*, study: Study, instance: models.Model, actor, m2m: dict | None = None):
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


def _child_update(*, study: Study, instance: models.Model, actor, data: dict, m2m: dict | None = None):
    """Apply `data` to a row of the study document; log only what changed, on the study."""
    model = type(instance)
    locked = model.objects.select_for_update().get(pk=instance.pk)
    old = _child_values(locked, {n: getattr(locked, n).all() for n in m2m or {}})
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean()
    new = _child_values(locked, m2m)
    old_changed, new_changed = diff(old, new)
    if not new_changed:
        return locked
    scalar = [name for name in data if name in new_changed]
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


def study_open(*, fabrique, actor, needs: Iterable, data: dict) -> Study:
    """Open an opportunity study on one or more retained needs, which move to "in study"."""
    from fabrique.needs.models import NeedStage
    from fabrique.needs.services import need_mark_in_study

    _check_fields(data, STUDY_FIELDS - {"conclusion"})
    data = _strip(data)
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
                raise DomainError(
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
            need_mark_in_study(need=need, actor=actor)
    return study


def study_update(*, study: Study, actor, data: Mapping) -> Study:
    """Change the fields in `data` (any of STUDY_FIELDS); steering lists, when given, replace the old ones."""
    _check_fields(data, STUDY_FIELDS)
    data = _strip(data)
    fabrique = study.fabrique
    with transaction.atomic():
        _check_editable(_locked_study(study))
        m2m = _check_study_data(fabrique=fabrique, data=data)
        updated, _changed = audited_update(instance=study, actor=actor, fabrique=fabrique, data=data, m2m=m2m)
    return updated


def study_submit(*, study: Study, actor) -> Study:
    """The team submits the study for a go / no-go decision (in progress → awaiting decision)."""
    with transaction.atomic():
        locked = _locked_study(study)
        if locked.stage == StudyStage.IN_PROGRESS and not locked.scenarios.exists():
            raise DomainError(_("Décrivez au moins une piste avant de soumettre l'étude à décision."))
        if locked.stage == StudyStage.AWAITING_DECISION:
            raise DomainError(_("L'étude est déjà en attente de décision."))
        return transition(instance=locked, to=StudyStage.AWAITING_DECISION, actor=actor)


# --- the study document --------------------------------------------------------------------------------------


def workshop_create(*, study: Study, actor, data: Mapping) -> Workshop:
    """A workshop, creativity session, interview or field visit; `participants` are people of the directory."""
    _check_fields(data, WORKSHOP_FIELDS)
    data = _strip(data)
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


def workshop_update(*, workshop: Workshop, actor, data: Mapping) -> Workshop:
    _check_fields(data, WORKSHOP_FIELDS)
    data = _strip(data)
    with transaction.atomic():
        study = _locked_study(workshop.study)
        _check_editable(study)
        m2m = None
        if "participants" in data:
            rows = _check_rows(fabrique=study.fabrique, rows=data.pop("participants"), field="participants")
            m2m = {"participants": rows}
        return _child_update(study=study, instance=workshop, actor=actor, data=data, m2m=m2m)


def _unprefer_others(*, study: Study, keep_pk: int | None, actor) -> None:
    for other in study.scenarios.filter(is_preferred=True).exclude(pk=keep_pk):
        _child_update(study=study, instance=other, actor=actor, data={"is_preferred": False})


def scenario_create(*, study: Study, actor, data: Mapping) -> Scenario:
    """A piste with its economic sketch; marking it preferred un-marks the study's previous preferred one."""
    _check_fields(data, SCENARIO_FIELDS)
    data = _strip(data)
    with transaction.atomic():
        study = _locked_study(study)
        _check_editable(study)
        if data.get("is_preferred"):
            _unprefer_others(study=study, keep_pk=None, actor=actor)
        return _child_create(study=study, instance=Scenario(study=study, **data), actor=actor)


def scenario_update(*, scenario: Scenario, actor, data: Mapping) -> Scenario:
    _check_fields(data, SCENARIO_FIELDS)
    data = _strip(data)
    with transaction.atomic():
        study = _locked_study(scenario.study)
        _check_editable(study)
        if data.get("is_preferred"):
            _unprefer_others(study=study, keep_pk=scenario.pk, actor=actor)
        return _child_update(study=study, instance=scenario, actor=actor, data=data)


def benchmark_create(*, study: Study, actor, data: Mapping) -> BenchmarkEntry:
    """An existing answer to the need, here or in another territory, and what the study learns from it."""
    _check_fields(data, BENCHMARK_FIELDS)
    data = _strip(data)
    with transaction.atomic():
        study = _locked_study(study)
        _check_editable(study)
        return _child_create(study=study, instance=BenchmarkEntry(study=study, **data), actor=actor)


# --- decision handlers (registered in StudiesConfig.ready) ---------------------------------------------------


def _decision_note(decision) -> str:
    return decision.reasons or decision.outcome_label


def decide_go(study: Study, decision, actor) -> None:
    """Go: a relevant model emerged. The study closes and the project is born from it."""
    from fabrique.projects.services import project_create_from_study

    locked = transition(
        instance=study, to=StudyStage.GO, actor=actor, decision=decision, note=_decision_note(decision)
    )
    project_create_from_study(study=locked, actor=actor, decision=decision)


def decide_no_go(study: Study, decision, actor) -> None:
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


def decide_continue(study: Study, decision, actor) -> None:
    """Continue: the study goes back to work (more workshops, another piste...)."""
    transition(
        instance=study,
        to=StudyStage.IN_PROGRESS,
        actor=actor,
        decision=decision,
        note=_decision_note(decision),
    )
