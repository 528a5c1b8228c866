"""Essaimage services: publish a model sheet, change it, withdraw it, attach documents, replicate it.

Atomic and audited. A replication is logged in the replicating fabrique's journal and, as
`essaimage.modelsheet.replicated`, in the source fabrique's journal (so its team is notified)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fabrique.audit.services import audit_log
from fabrique.core.errors import DomainError
from fabrique.core.services import audited_create, audited_update, check_fields
from fabrique.needs.models import Need, NeedStage
from fabrique.needs.validators import validate_evidence_document
from fabrique.projects.models import Project

from .models import ModelDocument, ModelSheet, Replication, ReplicationKind

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.fabriques.models import Fabrique
    from fabrique.studies.models import Study


class ModelSheetFields(TypedDict, total=False):
    title: str
    need_answered: str
    public: str
    theme: str
    territory_kind: str
    economic_model: str
    partners: str
    results: str
    contact: str
    is_published: bool


def _stripped(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def model_sheet_prefill(project: Project) -> dict[str, Any]:
    """What the project already says, to start the sheet from."""
    needs = list(project.needs.all()[:5])
    enterprise = getattr(project, "enterprise", None)
    study = project.study
    results = []
    if enterprise is not None:
        results.append(
            _("Entreprise créée le %(date)s (%(form)s), %(jobs)s ETP à la création.")
            % {
                "date": enterprise.created_on.strftime("%d/%m/%Y"),
                "form": enterprise.get_legal_form_display(),
                "jobs": enterprise.jobs_fte,
            }
        )
    return {
        "title": project.title,
        "need_answered": "\n".join(
            n.display_public_title + (f" — {n.description}" if n.description else "") for n in needs
        ),
        "public": next((n.public for n in needs if n.public), ""),
        "theme": next((n.theme for n in needs if n.theme), ""),
        "economic_model": project.public_summary or project.summary,
        "results": "\n".join(results) or (study.conclusion if study is not None else ""),
        "contact": project.fabrique.contact_email,
    }


def model_sheet_publish(
    *, fabrique: Fabrique, actor: User, project: Project, **fields: Unpack[ModelSheetFields]
) -> ModelSheet:
    """Publish `project` (or the enterprise it created) as a model sheet of the library."""
    check_fields(fields, ModelSheetFields)
    if project.fabrique_id != fabrique.pk:
        raise DomainError(_("Ce projet n'appartient pas à la fabrique."))
    data = _stripped(dict(fields))
    if not data.get("title"):
        raise ValidationError({"title": _("Donnez un nom au modèle.")})
    if not data.get("need_answered"):
        raise ValidationError({"need_answered": _("Décrivez le besoin auquel le modèle répond.")})
    with transaction.atomic():
        return audited_create(
            instance=ModelSheet(fabrique=fabrique, project=project, published_by=actor, **data),
            actor=actor,
            fabrique=fabrique,
        )


def model_sheet_update(*, sheet: ModelSheet, actor: User, **fields: Unpack[ModelSheetFields]) -> ModelSheet:
    """Change the sheet (`is_published=False` withdraws it from the library; replications stay)."""
    check_fields(fields, ModelSheetFields)
    data = _stripped(dict(fields))
    if "title" in data and not data["title"]:
        raise ValidationError({"title": _("Donnez un nom au modèle.")})
    if "need_answered" in data and not data["need_answered"]:
        raise ValidationError({"need_answered": _("Décrivez le besoin auquel le modèle répond.")})
    sheet, _changed = audited_update(instance=sheet, actor=actor, fabrique=sheet.fabrique, data=data)
    return sheet


def model_document_add(*, sheet: ModelSheet, actor: User, title: str, file: Any) -> ModelDocument:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Donnez un titre au document.")})
    if not file:
        raise ValidationError({"file": _("Choisissez un fichier.")})
    try:
        validate_evidence_document(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    with transaction.atomic():
        document = ModelDocument.objects.create(sheet=sheet, title=title, file=file)
        audit_log(
            actor=actor,
            fabrique=sheet.fabrique,
            target=sheet,
            action="essaimage.modelsheet.document_added",
            new={"document": title},
        )
    return document


def model_replicate(
    *,
    sheet: ModelSheet,
    fabrique: Fabrique,
    actor: User,
    kind: str,
    need: Need | None = None,
    title: str = "",
) -> Replication:
    """ "Reproduire ici": a new need of `fabrique` describing the model (kind "need"), or an opportunity
    study opened on one of its retained needs (kind "study"), linked to the model."""
    if not sheet.is_published or sheet.is_deleted:
        raise DomainError(_("Ce modèle n'est plus dans la bibliothèque."))
    if sheet.fabrique_id == fabrique.pk:
        raise DomainError(_("Ce modèle vient de votre fabrique : il y est déjà."))
    if kind not in ReplicationKind.values:
        raise ValidationError({"kind": _("Choisissez un besoin ou une étude.")})
    title = (title or "").strip() or sheet.title
    intro = _("D'après le modèle « %(model)s » de la fabrique %(source)s (bibliothèque d'essaimage).") % {
        "model": sheet.title,
        "source": sheet.fabrique.name,
    }
    from fabrique.needs.services import need_create
    from fabrique.studies.services import study_open

    with transaction.atomic():
        created_need: Need | None = None
        created_study: Study | None = None
        if kind == ReplicationKind.NEED:
            created_need = need_create(
                fabrique=fabrique,
                actor=actor,
                title=title[:200],
                description=f"{intro}\n\n{sheet.need_answered}",
                public=sheet.public,
                theme=sheet.theme,
            )
        else:
            if need is None:
                raise ValidationError({"need": _("Choisissez le besoin retenu sur lequel ouvrir l'étude.")})
            if need.fabrique_id != fabrique.pk or need.stage != NeedStage.RETAINED:
                raise ValidationError({"need": _("Choisissez un besoin retenu de votre fabrique.")})
            created_study = study_open(
                fabrique=fabrique,
                actor=actor,
                needs=[need],
                title=title[:200],
                summary=f"{intro}\n\n{sheet.economic_model}".strip(),
            )
        replication = audited_create(
            instance=Replication(
                fabrique=fabrique,
                sheet=sheet,
                kind=kind,
                need=created_need,
                study=created_study,
                created_by=actor,
            ),
            actor=actor,
            fabrique=fabrique,
        )
        audit_log(
            actor=actor,
            fabrique=sheet.fabrique,
            target=sheet,
            action="essaimage.modelsheet.replicated",
            new={"fabrique": fabrique.name, "sous la forme": str(ReplicationKind(kind).label)},
        )
    return replication
