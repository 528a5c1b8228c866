"""Personal-data rights (GDPR): erasure everywhere, subject-access export, retention per category.

The fields are those declared in `fabrique.privacy.registry` (checked against the models by a test):
SUBJECT fields of the person's own records are erased; FREE texts of the whole fabrique are searched
for the person's full name, e-mail and phone and those are masked; audit entries are masked through
`fabrique.audit.services.audit_redact` (the only UPDATE the append-only triggers allow). The API and
the exports read the same rows, so they show the erased values from then on.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from fabrique.audit.models import AuditEntry
from fabrique.audit.services import ERASED_MARK, audit_log, audit_redact
from fabrique.directory.models import Interaction, Person
from fabrique.directory.services import PERSON_PERSONAL_FIELDS, person_anonymize
from fabrique.needs.models import NeedReport
from fabrique.needs.services import REPORTER_CONTACT_FIELDS, need_report_erase_reporter
from fabrique.recruitment.models import Application, ApplicationStage, Evaluation, EvaluationScore

from .models import ErasureCategory, ErasureLog, ErasureReason
from .registry import FABRIQUE_PATHS, FREE, SUBJECT, fields_of

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.fabriques.models import Fabrique

# Retention per category (docs/rgpd.md). Reporters: 3 years after the last activity (needs app).
CONTACT_RETENTION = "retention_until"  # each contact's own date (3 years after entry by default)
CANDIDATE_RETENTION_DAYS = 2 * 365  # candidates not retained: 2 years after the decision (CNIL)
APPLICATION_ERASED_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "organization_name",
    "motivation",
    "experience",
    "document_name",
)


def _needles(*values: str) -> list[str]:
    """The texts that identify the person in free text: full name, e-mail, phone (4 characters at
    least, so that a short surname alone never masks ordinary words)."""
    out = []
    for value in values:
        value = (value or "").strip()
        if len(value) >= 4:
            out.append(value)
    return list(dict.fromkeys(out))


def _json_forms(needle: str) -> list[str]:
    """How a text appears inside a JSON column stored as text (SQLite escapes non-ASCII)."""
    return list(dict.fromkeys([needle, json.dumps(needle)[1:-1]]))


def _mask(value: Any, needles: list[str]) -> Any:
    if isinstance(value, str):
        for needle in needles:
            value = re.sub(re.escape(needle), ERASED_MARK, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [_mask(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _mask(v, needles) for k, v in value.items()}
    return value


def mask_free_text(*, fabrique: Fabrique, needles: list[str]) -> dict[str, int]:
    """Mask `needles` in every FREE field of the fabrique (registry), except the audit log (masked
    by `audit_redact`). Returns the number of rows changed per model."""
    changed: dict[str, int] = {}
    if not needles:
        return changed
    for label, names in fields_of(FREE).items():
        if label == "audit.auditentry":
            continue
        model = apps.get_model(label)
        path = FABRIQUE_PATHS.get(label, "fabrique")
        rows = model._base_manager.filter(**{path: fabrique})
        condition = Q()
        annotations = {}
        for name in names:
            field = model._meta.get_field(name)
            if isinstance(field, models.JSONField):
                annotations[f"_text_{name}"] = Cast(name, TextField())
                for needle in needles:
                    for form in _json_forms(needle):
                        condition |= Q(**{f"_text_{name}__icontains": form})
            else:
                for needle in needles:
                    condition |= Q(**{f"{name}__icontains": needle})
        if annotations:
            rows = rows.annotate(**annotations)
        count = 0
        # a model with a stored search column (core.models.SearchText) has it rebuilt from the masked text
        searched = tuple(getattr(model, "search_fields", ()))
        for row in rows.filter(condition).only("pk", *names, *searched):
            updates = {name: _mask(getattr(row, name), needles) for name in names}
            updates = {k: v for k, v in updates.items() if v != getattr(row, k)}
            if updates:
                if searched:
                    for name, value in updates.items():
                        setattr(row, name, value)
                    updates["search_text"] = row.build_search_text()
                model._base_manager.filter(pk=row.pk).update(**updates)
                count += 1
        if count:
            changed[label] = count
    return changed


def _redact_audit(
    *, fabrique: Fabrique, actor: User | None, needles: list[str], targets: list[models.Model], reason: str
) -> int:
    """Audit entries about the erased records (their SUBJECT values masked, their label replaced)
    and every entry of the fabrique quoting the person."""
    entries: dict[int, tuple[AuditEntry, str | None, frozenset[str]]] = {}
    for target in targets:
        label = target._meta.label_lower
        keys = frozenset(fields_of(SUBJECT).get(label, []))
        neutral = f"{target._meta.verbose_name} n° {target.pk}"
        for entry in AuditEntry.objects.for_target(target):
            entries[entry.pk] = (entry, neutral, keys)
    if needles:
        quoting = Q()
        for needle in needles:
            quoting |= (
                Q(target_repr__icontains=needle)
                | Q(note__icontains=needle)
                | Q(actor_label__icontains=needle)
            )
            for form in _json_forms(needle):
                quoting |= Q(_old__icontains=form) | Q(_new__icontains=form)
        for entry in (
            AuditEntry.objects.filter(fabrique=fabrique)
            .annotate(_old=Cast("old_values", TextField()), _new=Cast("new_values", TextField()))
            .filter(quoting)
        ):
            entries.setdefault(entry.pk, (entry, None, frozenset()))
    count = 0
    for entry, target_label, keys in entries.values():
        count += audit_redact(
            entries=[entry], actor=actor, reason=reason, needles=needles, keys=keys, target_label=target_label
        )
    return count


def _delete_file(field_file: Any) -> None:
    if field_file:
        storage, name = field_file.storage, field_file.name
        if name and storage.exists(name):
            storage.delete(name)


def application_erase(
    *, application: Application, actor: User | None, extra_needles: Iterable[str] = ()
) -> int:
    """Erase a candidate's data on one application: identity, contact, motivation, experience, the
    file (deleted from the storage), and the evaluators' comments on it. Returns the rows changed."""
    with transaction.atomic():
        locked = Application.all_objects.select_for_update().get(pk=application.pk)
        _delete_file(locked.document)
        for name in APPLICATION_ERASED_FIELDS:
            setattr(locked, name, "")
        locked.document = None
        locked.person = None
        locked.save(update_fields=[*APPLICATION_ERASED_FIELDS, "document", "person", "updated_at"])
        evaluations = Evaluation.objects.filter(application=locked)
        changed = 1 + evaluations.exclude(comment="").update(comment="")
        changed += (
            EvaluationScore.objects.filter(evaluation__application=locked)
            .exclude(comment="")
            .update(comment="")
        )
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action="recruitment.application.erased",
            new={"erased_fields": [*APPLICATION_ERASED_FIELDS, "document", "evaluation comments"]},
        )
    return changed


def person_erase(*, person: Person, actor: User | None, reason: str = ErasureReason.REQUEST) -> ErasureLog:
    """The right to erasure (art. 17) for a contact of the directory, everywhere: the contact
    (names, e-mail, phone, function, notes, consent source, search index), the summaries of the
    exchanges, the reports they made (reporter's details), their applications (identity, texts,
    file, evaluators' comments), every free text and audit entry of the fabrique quoting their full
    name, e-mail or phone. One transaction; logged in `ErasureLog` (what, not the values)."""
    with transaction.atomic():
        locked = Person._base_manager.select_for_update().get(pk=person.pk)
        fabrique = locked.fabrique
        full_name = f"{locked.first_name} {locked.last_name}".strip()
        reversed_name = f"{locked.last_name} {locked.first_name}".strip()
        email = locked.email
        needles = _needles(full_name, reversed_name, email, locked.phone)
        reports = list(
            NeedReport.all_objects.filter(fabrique=fabrique).filter(
                Q(reporter_person=locked) | (Q(reporter_email__iexact=email) if email else Q(pk__in=[]))
            )
        )
        applications = list(
            Application.all_objects.filter(fabrique=fabrique).filter(
                Q(person=locked) | (Q(email__iexact=email) if email else Q(pk__in=[]))
            )
        )
        interactions = list(Interaction.all_objects.filter(person=locked))
        locked = person_anonymize(person=locked, actor=actor)  # type: ignore[arg-type]
        for report in reports:
            need_report_erase_reporter(report=report, actor=actor)
        for application in applications:
            application_erase(application=application, actor=actor)
        masked = mask_free_text(fabrique=fabrique, needles=needles)
        redacted = _redact_audit(
            fabrique=fabrique,
            actor=actor,
            needles=needles,
            targets=[locked, *reports, *applications, *interactions],
            reason="RGPD : effacement d'un contact",
        )
        summary = {
            "contact_fields": list(PERSON_PERSONAL_FIELDS),
            "reports": [r.reference for r in reports],
            "applications": [a.pk for a in applications],
            "interactions": len(interactions),
            "free_text_rows": masked,
            "audit_entries_masked": redacted,
        }
        audit_log(
            actor=actor,
            fabrique=fabrique,
            target=locked,
            action="directory.person.erased",
            new={k: v for k, v in summary.items() if k != "contact_fields"},
        )
        return ErasureLog.objects.create(
            fabrique=fabrique,
            category=ErasureCategory.CONTACT,
            target_type="directory.person",
            target_id=str(locked.pk),
            reason=reason,
            summary=summary,
            actor=actor if actor is not None and actor.is_authenticated else None,
        )


# --- subject access ---------------------------------------------------------------------------------


def _row(instance: models.Model, names: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(instance, name)
        if isinstance(value, datetime.date | datetime.datetime):
            value = value.isoformat()
        elif isinstance(value, models.Model):
            value = str(value)
        elif hasattr(value, "name") and hasattr(value, "storage"):
            value = value.name or ""
        out[name] = value
    return out


def person_access_export(*, person: Person, actor: User) -> bytes:
    """The right of access (art. 15): a ZIP with `donnees.json` (the contact, exchanges, reports,
    applications with the evaluators' comments, the history of the contact) and the person's files."""
    fabrique = person.fabrique
    email = person.email
    reports = list(
        NeedReport.objects.filter(fabrique=fabrique)
        .filter(Q(reporter_person=person) | (Q(reporter_email__iexact=email) if email else Q(pk__in=[])))
        .select_related("commune")
    )
    applications = list(
        Application.objects.filter(fabrique=fabrique)
        .filter(Q(person=person) | (Q(email__iexact=email) if email else Q(pk__in=[])))
        .select_related("call", "project")
        .prefetch_related("evaluations__scores")
    )
    files: dict[str, bytes] = {}
    data: dict[str, Any] = {
        "fabrique": fabrique.name,
        "responsable_du_traitement": fabrique.operator_name or fabrique.name,
        "exporte_le": timezone.now().isoformat(),
        "contact": _row(
            person,
            [
                "first_name",
                "last_name",
                "email",
                "phone",
                "organization",
                "job_title",
                "notes",
                "consent_given",
                "consent_date",
                "consent_source",
                "purpose",
                "legal_basis",
                "retention_until",
                "created_at",
                "updated_at",
            ],
        ),
        "echanges": [
            _row(i, ["date", "kind", "summary", "organization"])
            for i in Interaction.objects.filter(person=person).select_related("organization")
        ],
        "signalements": [],
        "candidatures": [],
        "historique": [
            {"date": e.created_at.isoformat(), "action": e.action_label, "modifications": e.changes}
            for e in AuditEntry.objects.for_target(person)
        ],
    }
    for report in reports:
        row = _row(
            report,
            [
                "reference",
                "reported_on",
                "title",
                "description",
                "commune",
                "place",
                *REPORTER_CONTACT_FIELDS,
            ],
        )
        if report.evidence_document:
            name = f"signalements/{report.reference}-{(report.evidence_document.name or 'document').rsplit('/', 1)[-1]}"
            with report.evidence_document.open("rb") as handle:
                files[name] = handle.read()
            row["fichier"] = name
        data["signalements"].append(row)
    for application in applications:
        row = _row(
            application,
            [
                "call",
                "project",
                "first_name",
                "last_name",
                "email",
                "phone",
                "organization_name",
                "motivation",
                "experience",
                "stage",
                "created_at",
            ],
        )
        row["appreciations"] = [
            {"commentaire": e.comment, "notes": [s.comment for s in e.scores.all() if s.comment]}
            for e in application.evaluations.all()
            if e.comment or any(s.comment for s in e.scores.all())
        ]
        if application.document:
            name = f"candidatures/{application.pk}-{application.document_name or 'dossier'}"
            with application.document.open("rb") as handle:
                files[name] = handle.read()
            row["fichier"] = name
        data["candidatures"].append(row)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("donnees.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        for name, content in files.items():
            archive.writestr(name, content)
    with transaction.atomic():
        audit_log(
            actor=actor,
            fabrique=fabrique,
            target=person,
            action="directory.person.access_exported",
            new={"reports": len(reports), "applications": len(applications), "files": len(files)},
        )
    return buffer.getvalue()


# --- retention ---------------------------------------------------------------------------------------


def retention_run(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily retention job: contacts past their retention date, candidates not retained two
    years after the decision (reporters are erased by the needs app's own job). Each erasure is
    logged in `ErasureLog` with the reason "retention"."""
    today = today or timezone.localdate()
    counts = {"contacts": 0, "candidates": 0}
    for person in Person.objects.filter(anonymized_at__isnull=True, retention_until__lt=today).iterator():
        person_erase(person=person, actor=None, reason=ErasureReason.RETENTION)
        counts["contacts"] += 1
    cutoff = timezone.now() - datetime.timedelta(days=CANDIDATE_RETENTION_DAYS)
    expired = Application.all_objects.filter(
        stage__in=[ApplicationStage.NOT_SELECTED, ApplicationStage.WITHDRAWN],
        stage_changed_at__lt=cutoff,
    ).exclude(email="", first_name="", last_name="")
    for application in expired.iterator():
        with transaction.atomic():
            application_erase(application=application, actor=None)
            needles = _needles(
                f"{application.first_name} {application.last_name}".strip(),
                application.email,
                application.phone,
            )
            mask_free_text(fabrique=application.fabrique, needles=needles)
            _redact_audit(
                fabrique=application.fabrique,
                actor=None,
                needles=needles,
                targets=[application],
                reason="RGPD : durée de conservation des candidatures",
            )
            ErasureLog.objects.create(
                fabrique=application.fabrique,
                category=ErasureCategory.CANDIDATE,
                target_type="recruitment.application",
                target_id=str(application.pk),
                reason=ErasureReason.RETENTION,
                summary={"fields": list(APPLICATION_ERASED_FIELDS), "document": True},
            )
        counts["candidates"] += 1
    return counts


def content_type_label(instance: models.Model) -> str:
    return ContentType.objects.get_for_model(type(instance)).model
