"""Writes of the projects: creation (from a study's go, or directly), edits, the leader, the stop.

Every function is keyword-only, atomic and audited. Stages change only through
`fabrique.core.workflow.transition` (the leader through `project_assign_leader`, the stop through
`project_stop`; the creation of the enterprise is `fabrique.projects.outcome`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.audit.services import audit_log, snapshot
from fabrique.core.errors import ConflictError, DomainError, TransitionNotAllowed
from fabrique.core.references import next_reference
from fabrique.core.services import audited_update, field_names
from fabrique.core.workflow import transition
from fabrique.fabriques.models import Membership, Permission

from .models import Project, ProjectStage, RecruitmentMode, StopReason

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.committees.models import Decision
    from fabrique.directory.models import Organization, Person
    from fabrique.fabriques.models import Fabrique
    from fabrique.needs.models import Need
    from fabrique.recruitment.models import Call
    from fabrique.studies.models import Scenario, Study
    from fabrique.support.models import SupportPlan
    from fabrique.territories.models import Commune
    from fabrique.workstreams.models import Workstream


class ProjectFields(TypedDict, total=False):
    """The editable fields of a project (keyword arguments of `project_create` / `project_update`)."""

    title: str
    summary: str
    public_summary: str
    is_public: bool
    workstream: Workstream | None
    officer: User | None
    commune: Commune | None


_TEXT_FIELDS = ("title", "summary", "public_summary")


def _clean_data(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - field_names(ProjectFields)
    if unknown:
        raise TypeError(f"Unknown project fields: {', '.join(sorted(unknown))}")
    data = dict(fields)
    for key in _TEXT_FIELDS:
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()
    return data


def _check_relations(*, fabrique: Fabrique, data: Mapping[str, Any], needs: Iterable[Need] = ()) -> None:
    """Every related row belongs to the fabrique (forms filter their choices; this is the last word)."""
    errors = {}
    workstream = data.get("workstream")
    if workstream is not None and (workstream.fabrique_id != fabrique.pk or workstream.is_deleted):
        errors["workstream"] = _("Ce chantier n'appartient pas à la fabrique.")
    officer = data.get("officer")
    if officer is not None:
        membership = Membership.objects.filter(user=officer, fabrique=fabrique, is_active=True).first()
        if membership is None or not membership.has_permission(Permission.EDIT):
            errors["officer"] = _(
                "Le ou la chargé·e de mission doit faire partie de l'équipe de la fabrique."
            )
    if any(need.fabrique_id != fabrique.pk or need.is_deleted for need in needs):
        errors["needs"] = _("Un des besoins choisis n'appartient pas à la fabrique.")
    if errors:
        raise ValidationError(errors)


def _check_public(*, is_public: bool, public_summary: str) -> None:
    """A project shown on the public portfolio has its public presentation written."""
    if is_public and not (public_summary or "").strip():
        raise ValidationError(
            {
                "public_summary": _(
                    "Rédigez la présentation publique avant de montrer le projet sur le portfolio."
                )
            }
        )


def _insert(
    *, project: Project, actor: User, needs: Iterable[Need], decision: Decision | None = None, note: str = ""
) -> Project:
    """Validate, save, link the needs and log `projects.project.created` (inside the caller's atomic)."""
    project.full_clean()
    project.save()
    linked = list(needs)
    project.needs.set(linked)
    new = snapshot(project)
    new["needs"] = sorted(str(n) for n in linked)
    audit_log(
        actor=actor,
        fabrique=project.fabrique,
        target=project,
        action="projects.project.created",
        new=new,
        decision_ref=decision.reference if decision is not None else "",
        note=note,
    )
    return project


def project_create(
    *, fabrique: Fabrique, actor: User, needs: Iterable[Need] = (), **fields: Unpack[ProjectFields]
) -> Project:
    """A project started without an opportunity study (rare: an answer already obvious)."""
    data = _clean_data(fields)
    linked = list(needs)
    _check_relations(fabrique=fabrique, data=data, needs=linked)
    _check_public(is_public=data.get("is_public", False), public_summary=data.get("public_summary", ""))
    with transaction.atomic():
        project = Project(
            fabrique=fabrique, reference=next_reference(model=Project, fabrique=fabrique, prefix="P"), **data
        )
        return _insert(project=project, actor=actor, needs=linked)


def _study_summary(study: Study, scenario: Scenario | None) -> str:
    parts = []
    if scenario is not None:
        parts += [scenario.description, scenario.value_proposition]
    parts += [study.conclusion or study.summary]
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def project_create_from_study(*, study: Study, actor: User, decision: Decision | None = None) -> Project:
    """The project born of a study's go: title and summary from the study and its preferred piste;
    needs, chantier and officer copied; every need in study becomes answered by the project."""
    from fabrique.needs.models import NeedStage
    from fabrique.studies.models import StudyStage

    if study.stage != StudyStage.GO:
        raise DomainError(
            _(
                "Un projet naît d'une étude conclue par « un modèle pertinent a émergé » (étude « %(study)s »)."
            )
            % {"study": study}
        )
    with transaction.atomic():
        if Project.objects.filter(study=study).exists():
            raise ConflictError(_("Un projet est déjà issu de l'étude « %(study)s ».") % {"study": study})
        scenario = study.scenarios.filter(is_preferred=True).order_by("id").first()
        needs = list(study.needs.all())
        communes = {n.commune_id for n in needs}
        title = (scenario.title if scenario is not None else "") or study.title
        project = Project(
            fabrique=study.fabrique,
            reference=next_reference(model=Project, fabrique=study.fabrique, prefix="P"),
            title=title[:200],
            summary=_study_summary(study, scenario),
            study=study,
            workstream=study.workstream if study.workstream and not study.workstream.is_deleted else None,
            officer=study.officer,
            commune_id=communes.pop() if len(communes) == 1 else None,
        )
        _insert(
            project=project,
            actor=actor,
            needs=needs,
            decision=decision,
            note=_("Projet issu de l'étude « %(study)s ».") % {"study": study},
        )
        in_study = [n for n in needs if n.stage == NeedStage.IN_STUDY]
        if in_study:
            from fabrique.needs.services import need_mark_answered

            for need in in_study:
                need_mark_answered(need=need, project=project, actor=actor, decision=decision)
    return project


def project_create_scale_up(
    *,
    need: Need,
    organization: Organization,
    actor: User,
    reasons: str,
    decision: Decision | None = None,
    **fields: Unpack[ProjectFields],
) -> Project:
    """The change of scale of an existing offer: an ESS structure of the directory extends its activity
    to answer a retained need (or one in study). No call and no new enterprise: the project starts with
    the structure as its leader ("changement d'échelle"), the need becomes answered by it, and its
    support plan proposes the change-of-scale milestones (`support.milestones`)."""
    from fabrique.needs.models import NeedStage

    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": _("Expliquez pourquoi ce besoin est confié à cette structure.")})
    if need.fabrique_id != organization.fabrique_id or organization.is_deleted:
        raise DomainError(_("La structure doit figurer dans l'annuaire de la fabrique."))
    if need.stage not in (NeedStage.RETAINED, NeedStage.IN_STUDY):
        raise TransitionNotAllowed(
            _(
                "Seul un besoin retenu ou en étude peut être confié à une structure existante "
                "(besoin « %(need)s » : %(stage)s)."
            )
            % {"need": need, "stage": need.get_stage_display()}
        )
    data = _clean_data(fields)
    data.setdefault("title", need.title[:200])
    workstream = need.workstream if need.workstream_id else None
    if "workstream" not in data and workstream is not None and not workstream.is_deleted:
        data["workstream"] = workstream
    if "officer" not in data and need.officer_id:
        membership = Membership.objects.filter(
            user=need.officer, fabrique=need.fabrique, is_active=True
        ).first()
        if membership is not None and membership.has_permission(Permission.EDIT):
            data["officer"] = need.officer
    data.setdefault("commune", need.commune)
    _check_relations(fabrique=need.fabrique, data=data, needs=[need])
    with transaction.atomic():
        project = Project(
            fabrique=need.fabrique,
            reference=next_reference(model=Project, fabrique=need.fabrique, prefix="P"),
            **data,
        )
        _insert(
            project=project,
            actor=actor,
            needs=[need],
            decision=decision,
            note=_(
                "Changement d'échelle : %(organization)s étend son activité pour répondre au besoin. %(reasons)s"
            )
            % {"organization": organization, "reasons": reasons},
        )
        project = project_assign_leader(
            project=project,
            actor=actor,
            organization=organization,
            decision=decision,
            mode=RecruitmentMode.SCALE_UP,
        )
        from fabrique.needs.services import need_mark_answered

        need_mark_answered(need=need, project=project, actor=actor, decision=decision, scale_up=True)
    return project


def project_update(*, project: Project, actor: User, **fields: Unpack[ProjectFields]) -> Project:
    """Edit title, summaries, public visibility, chantier, officer, commune; logs old and new values."""
    data = _clean_data(fields)
    _check_relations(fabrique=project.fabrique, data=data)
    _check_public(
        is_public=data.get("is_public", project.is_public),
        public_summary=data.get("public_summary", project.public_summary),
    )
    updated, _changed = audited_update(instance=project, actor=actor, fabrique=project.fabrique, data=data)
    return updated


def project_assign_leader(
    *,
    project: Project,
    actor: User,
    person: Person | None = None,
    organization: Organization | None = None,
    decision: Decision | None = None,
    mode: str = RecruitmentMode.DIRECT,
    keep_call: Call | None = None,
) -> Project:
    """seeking_leader → leader_selected, with the leader (a contact and/or a structure of the directory).

    The recruitment ends with it: every other open call of the project is cancelled and every
    application still open (outside `keep_call`, the call the leader was selected through, whose
    committee decides the others) becomes "non retenue", each candidate told by e-mail on commit."""
    if person is None and organization is None:
        raise DomainError(_("Choisissez le porteur : un contact ou une structure de l'annuaire."))
    if mode not in RecruitmentMode.values:
        raise DomainError(_("Mode de recherche du porteur inconnu : %(mode)s.") % {"mode": mode})
    for obj in (person, organization):
        if obj is not None and (obj.fabrique_id != project.fabrique_id or obj.is_deleted):
            raise DomainError(_("Le porteur doit figurer dans l'annuaire de la fabrique."))
    if person is not None and person.is_anonymized:
        raise DomainError(_("Ce contact a été anonymisé : il ne peut pas devenir porteur."))
    if project.stage == ProjectStage.LEADER_SELECTED:
        same = (project.leader_person_id, project.leader_organization_id) == (
            getattr(person, "pk", None),
            getattr(organization, "pk", None),
        )
        if same:
            return project
        raise TransitionNotAllowed(
            _("Le projet « %(project)s » a déjà un porteur : %(leader)s.")
            % {"project": project, "leader": project.leader_label}
        )
    with transaction.atomic():
        assigned = transition(
            instance=project,
            to=ProjectStage.LEADER_SELECTED,
            actor=actor,
            decision=decision,
            extra={
                "leader_person": person,
                "leader_organization": organization,
                "recruitment_mode": mode,
                "leader_found_on": decision.decided_on if decision is not None else timezone.localdate(),
            },
        )
        _end_recruitment(project=assigned, actor=actor, decision=decision, keep_call=keep_call)
    return assigned


def _end_recruitment(
    *, project: Project, actor: User, decision: Decision | None = None, keep_call: Call | None = None
) -> None:
    """The project has its leader: its open calls are cancelled, the open applications not retained."""
    from fabrique.recruitment.models import Application, ApplicationStage, Call, CallStage

    keep_id = getattr(keep_call, "pk", None)
    note = _("Le projet a trouvé son porteur.")
    applications = Application.objects.filter(
        project=project, stage__in=[ApplicationStage.SUBMITTED, ApplicationStage.UNDER_REVIEW]
    )
    if keep_id is not None:
        applications = applications.exclude(call_id=keep_id)
    for application in applications.order_by("pk"):
        transition(
            instance=application,
            to=ApplicationStage.NOT_SELECTED,
            actor=actor,
            decision=decision,
            note=note,
            event_data={"ended_by": "leader_found"},  # the candidate's e-mail says why (recruitment.handlers)
        )
    calls = Call.objects.filter(
        project=project, stage__in=[CallStage.DRAFT, CallStage.PUBLISHED, CallStage.CLOSED]
    )
    if keep_id is not None:
        calls = calls.exclude(pk=keep_id)
    for call in calls.order_by("pk"):
        transition(
            instance=call,
            to=CallStage.CANCELLED,
            actor=actor,
            decision=decision,
            note=note,
            event_data={"ended_by": "leader_found"},  # its candidates were told above, once
        )


def project_set_recruitment_mode(*, project: Project, actor: User, mode: str) -> Project:
    """Record how the leader is sought (call or direct approach) while the project seeks one."""
    if mode not in RecruitmentMode.values:
        raise DomainError(_("Mode de recherche du porteur inconnu : %(mode)s.") % {"mode": mode})
    if project.stage != ProjectStage.SEEKING_LEADER or project.recruitment_mode == mode:
        return project
    updated, _changed = audited_update(
        instance=project, actor=actor, fabrique=project.fabrique, data={"recruitment_mode": mode}
    )
    return updated


def project_stop(*, project: Project, actor: User, reason: str, details: str) -> Project:
    """Any non-final stage → stopped. The reason, the details and the stage reached are kept.

    The project's calls still open are cancelled and an active support plan is interrupted, in the
    same transaction (each with its own audit entry)."""
    from fabrique.recruitment.models import Call, CallStage

    if reason not in StopReason.values:
        raise ValidationError({"reason": _("Choisissez le motif de l'arrêt du projet.")})
    details = (details or "").strip()
    if reason == StopReason.OTHER and not details:
        raise ValidationError({"details": _("Précisez pourquoi le projet s'arrête (motif « autre »).")})
    with transaction.atomic():
        current = Project.all_objects.select_for_update().get(pk=project.pk).stage
        if current == ProjectStage.STOPPED:
            raise TransitionNotAllowed(_("Le projet « %(project)s » est déjà arrêté.") % {"project": project})
        stopped = transition(
            instance=project,
            to=ProjectStage.STOPPED,
            actor=actor,
            note=details,
            extra={"stop_reason": reason, "stop_details": details, "stopped_at_stage": current},
        )
        note = _("Projet arrêté.")
        open_calls = Call.objects.filter(
            project=stopped, stage__in=[CallStage.DRAFT, CallStage.PUBLISHED, CallStage.CLOSED]
        )
        for call in open_calls:
            transition(instance=call, to=CallStage.CANCELLED, actor=actor, note=note)
        plan = _active_support_plan(stopped)
        if plan is not None:
            from fabrique.support.models import SupportStage

            transition(instance=plan, to=SupportStage.STOPPED, actor=actor, note=note)
    return stopped


def _active_support_plan(project: Project) -> SupportPlan | None:
    from fabrique.support.models import SupportPlan, SupportStage

    return SupportPlan.objects.filter(project=project, stage=SupportStage.ACTIVE).first()
