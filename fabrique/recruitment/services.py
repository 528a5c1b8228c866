"""Writes of the recruitment of project leaders: calls, applications, evaluations, selection.

Every function is keyword-only, atomic and audited; stages change only through
`fabrique.core.workflow.transition`. E-mails leave on commit. The selection itself is a decision
(`fabrique.committees.services.decision_record`) whose registered handlers (see `apps.py`) call
`application_select` / `application_reject`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.audit.services import audit_log, snapshot
from fabrique.core.errors import ConflictError, DomainError
from fabrique.core.services import audited_update, field_names
from fabrique.core.workflow import transition
from fabrique.fabriques.models import Membership, Permission
from fabrique.projects.models import Project, ProjectStage, RecruitmentMode
from fabrique.projects.services import project_assign_leader, project_set_recruitment_mode

from .models import (
    Application,
    ApplicationSource,
    ApplicationStage,
    Call,
    CallStage,
    Evaluation,
    EvaluationCriterion,
    EvaluationScore,
)
from .validators import validate_application_document

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.committees.models import Decision
    from fabrique.directory.models import Organization, Person
    from fabrique.fabriques.models import Fabrique


class CallFields(TypedDict, total=False):
    title: str
    description: str
    profile_sought: str
    selection_criteria: str
    support_offered: str
    deadline: datetime.date | None


class ApplicationFields(TypedDict, total=False):
    """What a candidate gives on the public form (`application_submit`)."""

    first_name: str
    last_name: str
    email: str
    phone: str
    organization_name: str
    motivation: str
    experience: str
    consent_processing: bool


class DirectApplicationFields(TypedDict, total=False):
    """`application_create_direct`: why this leader, and contact details when the directory has none."""

    motivation: str
    email: str
    phone: str
    experience: str


Criterion = Mapping[str, Any]  # {"label", "weight", "max_score"}

OPEN_APPLICATION_STAGES = (ApplicationStage.SUBMITTED, ApplicationStage.UNDER_REVIEW)
MAX_CRITERION_SCORE = 20
MAX_WEIGHT = 10

# label, weight, max score — the grid a new call starts from
DEFAULT_CRITERIA = [
    (gettext_lazy("Adéquation du profil avec le projet"), 3, 5),
    (gettext_lazy("Motivation et engagement"), 2, 5),
    (gettext_lazy("Expérience et compétences"), 2, 5),
    (gettext_lazy("Capacité à porter le modèle économique"), 2, 5),
    (gettext_lazy("Ancrage local et réseau de partenaires"), 1, 5),
]


def default_criteria() -> list[dict[str, Any]]:
    return [{"label": str(label), "weight": w, "max_score": m} for label, w, m in DEFAULT_CRITERIA]


# --- calls -----------------------------------------------------------------------------------------------


def _call_data(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - field_names(CallFields)
    if unknown:
        raise TypeError(f"Unknown call fields: {', '.join(sorted(unknown))}")
    data = dict(fields)
    for key, value in data.items():
        if isinstance(value, str):
            data[key] = value.strip()
    return data


def _unique_slug(*, fabrique: Fabrique, title: str, exclude_pk: int | None = None) -> str:
    base = (slugify(title) or "appel")[:70].strip("-") or "appel"
    same_base = Call.all_objects.filter(fabrique=fabrique, slug__startswith=base)
    if exclude_pk is not None:
        same_base = same_base.exclude(pk=exclude_pk)
    taken = set(same_base.values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _clean_criteria(criteria: Iterable[Criterion]) -> list[dict[str, Any]]:
    """Validated grid rows ({"label", "weight", "max_score"}), in order; French errors on "criteria"."""
    rows: list[dict[str, Any]] = []
    for index, row in enumerate(criteria, start=1):
        label = str(row.get("label") or "").strip()
        if not label:
            continue
        raw_weight, raw_max = row.get("weight"), row.get("max_score")
        try:
            weight = int(raw_weight if raw_weight not in (None, "") else 1)
            max_score = int(raw_max if raw_max not in (None, "") else 5)
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                {
                    "criteria": _("Critère n° %(n)s : le poids et la note maximale sont des nombres.")
                    % {"n": index}
                }
            ) from exc
        if not 1 <= weight <= MAX_WEIGHT:
            raise ValidationError(
                {
                    "criteria": _("Critère « %(label)s » : le poids va de 1 à %(max)s.")
                    % {"label": label, "max": MAX_WEIGHT}
                }
            )
        if not 1 <= max_score <= MAX_CRITERION_SCORE:
            raise ValidationError(
                {
                    "criteria": _("Critère « %(label)s » : la note maximale va de 1 à %(max)s.")
                    % {"label": label, "max": MAX_CRITERION_SCORE}
                }
            )
        rows.append({"label": label[:200], "weight": weight, "max_score": max_score})
    if not rows:
        raise ValidationError({"criteria": _("La grille d'évaluation doit compter au moins un critère.")})
    labels = [r["label"].lower() for r in rows]
    if len(set(labels)) != len(labels):
        raise ValidationError({"criteria": _("Deux critères de la grille portent le même intitulé.")})
    return rows


def _grid(call: Call) -> list[dict[str, Any]]:
    return [
        {"label": c.label, "weight": c.weight, "max_score": c.max_score}
        for c in EvaluationCriterion.objects.filter(call=call).order_by("order", "id")
    ]


def _write_grid(call: Call, rows: list[dict[str, Any]]) -> None:
    EvaluationCriterion.objects.filter(call=call).delete()
    EvaluationCriterion.objects.bulk_create(
        [EvaluationCriterion(call=call, order=i, **row) for i, row in enumerate(rows)]
    )


def _check_deadline(deadline: datetime.date | None) -> None:
    if deadline is not None and deadline < timezone.localdate():
        raise ValidationError({"deadline": _("La date limite de candidature ne peut pas être déjà passée.")})


def call_create(
    *,
    project: Project,
    actor: User,
    criteria: Iterable[Criterion] | None = None,
    **fields: Unpack[CallFields],
) -> Call:
    """A draft call for project leaders, with its evaluation grid (the default grid when none given)."""
    if project.stage != ProjectStage.SEEKING_LEADER:
        raise DomainError(
            _("Le projet « %(project)s » ne cherche pas de porteur : impossible d'ouvrir un appel.")
            % {"project": project}
        )
    data = _call_data(fields)
    rows = _clean_criteria(default_criteria() if criteria is None else criteria)
    _check_deadline(data.get("deadline"))
    with transaction.atomic():
        call = Call(
            fabrique=project.fabrique,
            project=project,
            slug=_unique_slug(fabrique=project.fabrique, title=data.get("title") or ""),
            **data,
        )
        call.full_clean()
        call.save()
        _write_grid(call, rows)
        audit_log(
            actor=actor,
            fabrique=call.fabrique,
            target=call,
            action="recruitment.call.created",
            new={**snapshot(call), "criteria": rows},
        )
        project_set_recruitment_mode(project=project, actor=actor, mode=RecruitmentMode.CALL)
    return call


def call_update(
    *, call: Call, actor: User, criteria: Iterable[Criterion] | None = None, **fields: Unpack[CallFields]
) -> Call:
    """Edit the call and, while nobody has scored yet, its grid."""
    if call.stage in (CallStage.DECIDED, CallStage.CANCELLED):
        raise DomainError(_("Un appel clos par une sélection ou annulé ne peut plus être modifié."))
    data = _call_data(fields)
    if "deadline" in data and data["deadline"] != call.deadline and call.stage != CallStage.CLOSED:
        _check_deadline(data["deadline"])
    with transaction.atomic():
        updated, _changed = audited_update(instance=call, actor=actor, fabrique=call.fabrique, data=data)
        if criteria is not None:
            rows = _clean_criteria(criteria)
            old = _grid(updated)
            if rows != old:
                if EvaluationScore.objects.filter(criterion__call=updated).exists():
                    raise DomainError(
                        _("La grille d'évaluation ne peut plus changer : des notes ont déjà été saisies.")
                    )
                _write_grid(updated, rows)
                audit_log(
                    actor=actor,
                    fabrique=call.fabrique,
                    target=updated,
                    action="recruitment.call.grid_updated",
                    old={"criteria": old},
                    new={"criteria": rows},
                )
    return updated


def call_publish(*, call: Call, actor: User) -> Call:
    """draft (or closed, to reopen) → published: the call appears on the fabrique's public pages."""
    if call.stage == CallStage.PUBLISHED:
        return call
    if call.deadline < timezone.localdate():
        raise DomainError(_("La date limite est passée : reportez-la avant de publier l'appel."))
    if not EvaluationCriterion.objects.filter(call=call).exists():
        raise DomainError(_("Définissez la grille d'évaluation avant de publier l'appel."))
    if Project.objects.filter(pk=call.project_id, stage=ProjectStage.SEEKING_LEADER).count() == 0:
        raise DomainError(_("Le projet ne cherche plus de porteur : l'appel ne peut pas être publié."))
    return transition(
        instance=call,
        to=CallStage.PUBLISHED,
        actor=actor,
        extra={"published_on": call.published_on or timezone.localdate()},
    )


def call_close(*, call: Call, actor: User, decision: Decision | None = None) -> Call:
    """published → closed: no more applications; those received go under review."""
    with transaction.atomic():
        closed = transition(instance=call, to=CallStage.CLOSED, actor=actor, decision=decision)
        note = _("Appel clos : candidature en évaluation.")
        for application in Application.objects.filter(call=closed, stage=ApplicationStage.SUBMITTED):
            transition(instance=application, to=ApplicationStage.UNDER_REVIEW, actor=actor, note=note)
    return closed


def call_cancel(*, call: Call, actor: User, reason: str = "") -> Call:
    return transition(instance=call, to=CallStage.CANCELLED, actor=actor, note=(reason or "").strip())


def call_evaluators_set(*, call: Call, actor: User, users: Iterable[User]) -> Call:
    """The members who score the applications: each must hold the DECIDE permission in the fabrique."""
    if call.stage in (CallStage.DECIDED, CallStage.CANCELLED):
        raise DomainError(_("Les évaluateur·rices d'un appel terminé ne changent plus."))
    evaluators = list(dict.fromkeys(users))
    for user in evaluators:
        membership = Membership.objects.filter(
            user=user, fabrique_id=call.fabrique_id, is_active=True
        ).first()
        if membership is None or not membership.has_permission(Permission.DECIDE):
            raise ValidationError(
                {
                    "evaluators": _(
                        "%(user)s ne peut pas évaluer : seuls les membres qui participent aux décisions le peuvent."
                    )
                    % {"user": user}
                }
            )
    with transaction.atomic():
        locked = Call.all_objects.select_for_update().get(pk=call.pk)
        old = sorted(str(u) for u in locked.evaluators.all())
        new = sorted(str(u) for u in evaluators)
        if old == new:
            return locked
        locked.evaluators.set(evaluators)
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="recruitment.call.evaluators_updated",
            old={"evaluators": old},
            new={"evaluators": new},
        )
    return locked


def _maybe_decide_call(*, call: Call | None, actor: User, decision: Decision | None = None) -> None:
    """A closed call whose applications are all decided becomes decided."""
    if call is None:
        return
    call = Call.all_objects.get(pk=call.pk)
    if call.stage != CallStage.CLOSED:
        return
    if Application.objects.filter(call=call, stage__in=OPEN_APPLICATION_STAGES).exists():
        return
    transition(instance=call, to=CallStage.DECIDED, actor=actor, decision=decision)


# --- applications ----------------------------------------------------------------------------------------


def _application_data(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - field_names(ApplicationFields)
    if unknown:
        raise TypeError(f"Unknown application fields: {', '.join(sorted(unknown))}")
    data = dict(fields)
    for key, value in data.items():
        if isinstance(value, str):
            data[key] = value.strip()
    if "email" in data:
        data["email"] = (data["email"] or "").lower()
    return data


def _attach_document(application: Application, document: File[bytes]) -> None:
    kind = validate_application_document(document)
    original = Path(getattr(document, "name", "") or "").name
    document.name = f"dossier.{kind}"  # the stored name follows the content, never the sender's name
    application.document = document
    application.document_name = original[:255]


def application_submit(
    *, call: Call, document: File[bytes] | None = None, **fields: Unpack[ApplicationFields]
) -> Application:
    """A candidate answers a published call before its deadline (public form; no actor)."""
    data = _application_data(fields)
    with transaction.atomic():
        call = Call.objects.select_for_update().select_related("project").get(pk=call.pk)
        if call.stage != CallStage.PUBLISHED or call.project.stage != ProjectStage.SEEKING_LEADER:
            raise DomainError(_("Cet appel n'est pas ouvert aux candidatures."), code="call_not_open")
        if timezone.localdate() > call.deadline:
            raise DomainError(
                _("La date limite de cet appel (%(deadline)s) est passée : les candidatures sont closes.")
                % {"deadline": call.deadline.strftime("%d/%m/%Y")},
                code="deadline_passed",
            )
        errors = {}
        if not data.get("consent_processing"):
            errors["consent_processing"] = _(
                "Nous ne pouvons étudier votre candidature sans votre accord pour le traitement de vos données."
            )
        for field, message in (
            ("first_name", _("Indiquez votre prénom.")),
            ("last_name", _("Indiquez votre nom.")),
        ):
            if not data.get(field):
                errors[field] = message
        if errors:
            raise ValidationError(errors)
        application = Application(
            fabrique=call.fabrique, project=call.project, call=call, source=ApplicationSource.CALL, **data
        )
        if document is not None:
            _attach_document(application, document)
        application.full_clean()
        application.save()
        audit_log(
            actor=None,
            fabrique=call.fabrique,
            target=application,
            action="recruitment.application.created",
            new=snapshot(application),
            note=_("Candidature déposée en ligne."),
        )
    return application


def application_create_direct(
    *,
    project: Project,
    actor: User,
    person: Person | None = None,
    organization: Organization | None = None,
    **data: Unpack[DirectApplicationFields],
) -> Application:
    """Direct approach: the team proposes a contact and/or a structure of the directory as leader.

    `motivation` says why this leader; `email` and `phone` default to the directory's."""
    if project.stage != ProjectStage.SEEKING_LEADER:
        raise DomainError(_("Le projet « %(project)s » ne cherche pas de porteur.") % {"project": project})
    if person is None and organization is None:
        raise ValidationError({"person": _("Choisissez un contact ou une structure de l'annuaire.")})
    for field, obj in (("person", person), ("organization", organization)):
        if obj is not None and (obj.fabrique_id != project.fabrique_id or obj.is_deleted):
            raise ValidationError({field: _("Cet élément n'appartient pas à l'annuaire de la fabrique.")})
    if person is not None and person.is_anonymized:
        raise ValidationError({"person": _("Ce contact a été anonymisé.")})
    if organization is None and person is not None and person.organization_id:
        organization = person.organization
    email = (data.get("email") or "").strip().lower()
    email = email or (person.email if person else "") or (organization.email if organization else "")
    if not email:
        raise ValidationError(
            {
                "email": _(
                    "Indiquez une adresse e-mail : ni le contact ni la structure n'en ont dans l'annuaire."
                )
            }
        )
    motivation = (data.get("motivation") or "").strip()
    if not motivation:
        raise ValidationError({"motivation": _("Expliquez en quelques mots pourquoi ce porteur.")})
    with transaction.atomic():
        application = Application(
            fabrique=project.fabrique,
            project=project,
            call=None,
            source=ApplicationSource.DIRECT,
            first_name=person.first_name if person else "",
            last_name=person.last_name if person else "",
            email=email,
            phone=(data.get("phone") or "").strip() or (person.phone if person else "") or "",
            organization_name=organization.name if organization else "",
            person=person,
            organization=organization,
            motivation=motivation,
            experience=(data.get("experience") or "").strip(),
        )
        application.full_clean()
        application.save()
        audit_log(
            actor=actor,
            fabrique=project.fabrique,
            target=application,
            action="recruitment.application.created",
            new=snapshot(application),
            note=_("Approche directe."),
        )
        if not project.recruitment_mode:
            project_set_recruitment_mode(project=project, actor=actor, mode=RecruitmentMode.DIRECT)
    return application


# --- evaluation ------------------------------------------------------------------------------------------


def evaluation_save(
    *,
    application: Application,
    evaluator: User,
    scores: Mapping[int, tuple[int | str | None, str]],
    comment: str = "",
    submit: bool = False,
) -> Evaluation:
    """Save the evaluator's grid (`scores`: criterion id → (score or None, comment)) as a draft, or
    submit it (every criterion scored). A submitted evaluation no longer changes.

    The audit entries never hold the scores: the timeline must not reveal them to other evaluators."""
    call = application.call
    if call is None:
        raise DomainError(_("Une candidature en approche directe ne se note pas sur une grille."))
    if not call.evaluators.filter(pk=evaluator.pk).exists():
        raise DomainError(_("Vous n'êtes pas évaluateur·rice de cet appel."), code="not_evaluator")
    if application.stage not in OPEN_APPLICATION_STAGES:
        raise ConflictError(_("Cette candidature a déjà fait l'objet d'une décision."))
    if call.stage == CallStage.CANCELLED:
        raise ConflictError(_("Cet appel a été annulé."))
    criteria = list(EvaluationCriterion.objects.filter(call=call).order_by("order", "id"))
    errors: dict[str, Any] = {}
    clean: dict[int, tuple[int | None, str]] = {}
    for criterion in criteria:
        raw, note = scores.get(criterion.pk, (None, ""))
        value: int | None = None
        if raw not in ("", None):
            try:
                value = int(raw)
            except (TypeError, ValueError):
                value = -1
            if not 0 <= value <= criterion.max_score:
                errors[f"score_{criterion.pk}"] = _("La note va de 0 à %(max)s.") % {
                    "max": criterion.max_score
                }
        if value is None and submit:
            errors[f"score_{criterion.pk}"] = _("Notez ce critère avant de soumettre votre évaluation.")
        clean[criterion.pk] = (value, (note or "").strip())
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        evaluation, _created = Evaluation.objects.select_for_update().get_or_create(
            application=application, evaluator=evaluator
        )
        if evaluation.is_submitted:
            raise ConflictError(_("Votre évaluation est déjà soumise : elle ne peut plus être modifiée."))
        existing = {s.criterion_id: s for s in EvaluationScore.objects.filter(evaluation=evaluation)}
        for criterion in criteria:
            value, note = clean[criterion.pk]
            row = existing.get(criterion.pk)
            if value is None:
                if row is not None:
                    row.delete()
                continue
            if row is None:
                EvaluationScore.objects.create(
                    evaluation=evaluation, criterion=criterion, score=value, comment=note
                )
            elif (row.score, row.comment) != (value, note):
                row.score, row.comment = value, note
                row.save(update_fields=["score", "comment", "updated_at"])
        evaluation.comment = (comment or "").strip()
        fields = ["comment", "updated_at"]
        if submit:
            evaluation.submitted_at = timezone.now()
            fields.append("submitted_at")
        evaluation.save(update_fields=fields)
        audit_log(
            actor=evaluator,
            fabrique=application.fabrique,
            target=application if submit else evaluation,
            action="recruitment.evaluation.submitted" if submit else "recruitment.evaluation.saved",
            new={"evaluator": str(evaluator)},
        )
    return evaluation


# --- selection -------------------------------------------------------------------------------------------


def _leader_in_directory(
    *, application: Application, actor: User
) -> tuple[Person | None, Organization | None]:
    """The contact and structure of the directory for the applicant: reused when known (contact by
    e-mail, structure by name), created otherwise."""
    from fabrique.core.text import normalize_organization_name
    from fabrique.directory.models import (
        EcosystemRole,
        LegalBasis,
        Organization,
        OrganizationKind,
        Person,
        Purpose,
    )
    from fabrique.directory.services import organization_create, person_create
    from fabrique.directory.validators import validate_phone

    fabrique = application.fabrique
    organization = application.organization
    if organization is not None and organization.is_deleted:
        organization = None
    if organization is None and application.organization_name:
        organization = Organization.objects.filter(
            fabrique=fabrique, normalized_name=normalize_organization_name(application.organization_name)
        ).first()
        if organization is None:
            organization = organization_create(
                fabrique=fabrique,
                actor=actor,
                name=application.organization_name,
                kind=OrganizationKind.OTHER,
                roles=[EcosystemRole.CANDIDATE],
                allow_duplicate=True,
            )
    person = application.person
    if person is not None and (person.is_deleted or person.is_anonymized):
        person = None
    if person is None and application.email and application.last_name:
        person = Person.objects.filter(
            fabrique=fabrique, email=application.email.lower(), anonymized_at__isnull=True
        ).first()
        if person is None:
            phone = application.phone
            if phone:
                try:
                    validate_phone(phone)
                except ValidationError:
                    phone = ""  # the contact is created without it rather than blocking the decision
            consent = application.consent_processing
            person = person_create(
                fabrique=fabrique,
                actor=actor,
                first_name=application.first_name,
                last_name=application.last_name,
                email=application.email,
                phone=phone,
                organization=organization,
                purpose=Purpose.PROJECT_SUPPORT,
                legal_basis=LegalBasis.CONSENT if consent else LegalBasis.LEGITIMATE_INTEREST,
                consent_given=consent,
                consent_date=timezone.localtime(application.created_at).date() if consent else None,
                consent_source=(
                    _("Candidature à l'appel « %(call)s »") % {"call": application.call}
                    if application.call
                    else _("Approche directe pour le projet « %(project)s »")
                    % {"project": application.project}
                ),
                allow_duplicate=True,
            )
    return person, organization


def application_select(
    *, application: Application, actor: User, decision: Decision | None = None
) -> Application:
    """The applicant becomes the project's leader (contact and structure found or created in the
    directory). A published call is closed; a closed call whose applications are all decided
    becomes decided. The candidate is told by e-mail (event handler)."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.stage == ApplicationStage.SELECTED:
            return application
        if application.stage not in OPEN_APPLICATION_STAGES:  # refused by the workflow table
            transition(instance=application, to=ApplicationStage.SELECTED, actor=actor, decision=decision)
        call = application.call
        if call is not None and call.stage == CallStage.PUBLISHED:
            call_close(call=call, actor=actor, decision=decision)
            application.refresh_from_db()
        person, organization = _leader_in_directory(application=application, actor=actor)
        selected = transition(
            instance=application,
            to=ApplicationStage.SELECTED,
            actor=actor,
            decision=decision,
            extra={"person": person, "organization": organization},
        )
        project_assign_leader(
            project=Project.objects.get(pk=application.project_id),
            actor=actor,
            person=person,
            organization=organization,
            decision=decision,
            mode=RecruitmentMode.CALL
            if application.source == ApplicationSource.CALL
            else RecruitmentMode.DIRECT,
            keep_call=call,
        )
        _maybe_decide_call(call=call, actor=actor, decision=decision)
    return selected


def application_reject(
    *, application: Application, actor: User, decision: Decision | None = None
) -> Application:
    """The application is not selected; the candidate is told by e-mail (event handler)."""
    with transaction.atomic():
        rejected = transition(
            instance=application, to=ApplicationStage.NOT_SELECTED, actor=actor, decision=decision
        )
        _maybe_decide_call(call=rejected.call, actor=actor, decision=decision)
    return rejected


def application_withdraw(*, application: Application, actor: User, note: str = "") -> Application:
    """The candidate withdraws (before or after being selected; a selected leader who withdraws sends
    the project back to seeking a leader)."""
    with transaction.atomic():
        was_selected = application.stage == ApplicationStage.SELECTED
        withdrawn = transition(
            instance=application, to=ApplicationStage.WITHDRAWN, actor=actor, note=(note or "").strip()
        )
        if was_selected:
            project = Project.objects.get(pk=withdrawn.project_id)
            if project.stage == ProjectStage.LEADER_SELECTED:
                transition(
                    instance=project,
                    to=ProjectStage.SEEKING_LEADER,
                    actor=actor,
                    note=_("Le porteur retenu s'est retiré."),
                    extra={"leader_person": None, "leader_organization": None},
                )
        _maybe_decide_call(call=withdrawn.call, actor=actor)
    return withdrawn
