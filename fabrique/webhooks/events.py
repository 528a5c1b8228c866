"""The event types a webhook can subscribe to, and their payloads (version 1, docs/webhooks.md).

An audited action (`fabrique.core.events`) becomes at most one webhook event. Payloads carry ids,
references, stages and the titles staff wrote — never what a reporter or a candidate typed or who
they are (no names, e-mails, phones, descriptions, motivations, decision reasons)."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from fabrique.core.delivery import absolute

if TYPE_CHECKING:
    from fabrique.audit.models import AuditEntry
    from fabrique.fabriques.models import Fabrique

PAYLOAD_VERSION = "1"
EVENT_NAMESPACE = uuid.UUID("6f1c5d2e-2a4b-4a8e-9a57-0c1f8e3b7d10")
PING = "webhook.ping"

# public name of an object type -> (model label, fields copied into the payload: never personal data)
OBJECT_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "report": ("needs.needreport", ("reference", "stage", "theme", "public", "need_id", "reported_on")),
    "need": (
        "needs.need",
        ("reference", "title", "public_title", "stage", "theme", "public", "workstream_id"),
    ),
    "study": ("studies.study", ("reference", "title", "stage", "started_on", "due_on", "workstream_id")),
    "project": (
        "projects.project",
        ("reference", "title", "stage", "study_id", "workstream_id", "is_public"),
    ),
    "call": ("recruitment.call", ("title", "stage", "project_id", "deadline", "published_on")),
    "application": ("recruitment.application", ("stage", "project_id", "call_id", "source")),
    "decision": ("committees.decision", ("outcome", "outcome_label", "meeting_id", "decided_on")),
    "meeting": ("committees.meeting", ("committee_id", "date", "status")),
}
_TYPE_OF_MODEL = {label: name for name, (label, _fields) in OBJECT_TYPES.items()}

EVENT_TYPES: dict[str, Any] = {
    "report.created": _("Nouveau signalement"),
    "report.stage_changed": _("Signalement : changement d'étape"),
    "need.created": _("Besoin créé"),
    "need.stage_changed": _("Besoin : changement d'étape (retenu, non retenu, en étude…)"),
    "study.created": _("Étude d'opportunité ouverte"),
    "study.stage_changed": _("Étude : changement d'étape (go, no-go…)"),
    "project.created": _("Projet créé"),
    "project.stage_changed": _("Projet : changement d'étape"),
    "project.enterprise_created": _("Entreprise créée"),
    "call.created": _("Appel à porteurs créé"),
    "call.stage_changed": _("Appel à porteurs : changement d'étape (publié, clos, annulé)"),
    "application.received": _("Candidature reçue"),
    "application.stage_changed": _("Candidature : changement d'étape"),
    "decision.recorded": _("Décision enregistrée"),
    "meeting.created": _("Séance de comité planifiée"),
    "meeting.status_changed": _("Séance : changement d'état (tenue, annulée…)"),
}
EVENT_TYPE_CHOICES = list(EVENT_TYPES.items())

# actions the seam hands to `webhooks.handlers.webhook_event` (the handler maps them to a type)
WATCHED_ACTIONS = (
    "needs.needreport.*",
    "needs.need.*",
    "studies.study.*",
    "projects.project.*",
    "recruitment.call.*",
    "recruitment.application.*",
    "committees.decision.created",
    "committees.meeting.*",
)


def _stages(model: type[Model]) -> set[str]:
    workflow = getattr(model, "workflow", None)
    return set(workflow.stages.values) if workflow is not None else set()


def event_type_of(entry: AuditEntry) -> str | None:
    """The webhook event type of an audited action, or None when webhooks do not carry it."""
    model = entry.target_type.model_class()
    if model is None:
        return None
    name = _TYPE_OF_MODEL.get(model._meta.label_lower)
    if name is None:
        return None
    verb = entry.action.rsplit(".", 1)[-1]
    if name == "application" and verb == "created":
        return "application.received"
    if name == "decision":
        return "decision.recorded" if verb == "created" else None
    if name == "project" and verb == "enterprise_created":
        return "project.enterprise_created"
    if verb == "created" and f"{name}.created" in EVENT_TYPES:
        return f"{name}.created"
    if verb in _stages(model):
        event = f"{name}.status_changed" if name == "meeting" else f"{name}.stage_changed"
        return event if event in EVENT_TYPES else None
    return None


def _value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def object_payload(obj: Model, fabrique: Fabrique) -> dict[str, Any]:
    """The object as webhooks describe it: its type, id, safe fields and back-office address."""
    from fabrique.notifications.selectors import object_path

    name = _TYPE_OF_MODEL.get(obj._meta.label_lower, obj._meta.model_name or "")
    fields = OBJECT_TYPES[name][1] if name in OBJECT_TYPES else ()
    data: dict[str, Any] = {"type": name, "id": obj.pk}
    for field in fields:
        data[field] = _value(getattr(obj, field, None))
    if name == "decision":
        target = getattr(obj, "target", None)
        data["target"] = (
            {"type": _TYPE_OF_MODEL.get(target._meta.label_lower, ""), "id": target.pk} if target else None
        )
    try:
        path = object_path(obj, fabrique)
    except Exception:  # an object without a back-office page
        path = ""
    data["url"] = absolute(path) if path else ""
    return data


def event_id_of(entry_pk: int) -> str:
    """Stable across endpoints, retries and replays: receivers de-duplicate on it."""
    return str(uuid.uuid5(EVENT_NAMESPACE, f"audit:{entry_pk}"))


def envelope(
    *, event_id: str, event_type: str, occurred_at: Any, fabrique: Fabrique, data: dict[str, Any]
) -> str:
    """The JSON body (compact, UTF-8, keys sorted: what is signed is what is stored and replayed)."""
    body = {
        "version": PAYLOAD_VERSION,
        "id": event_id,
        "type": event_type,
        "occurred_at": _value(occurred_at),
        "fabrique": {"slug": fabrique.slug, "name": fabrique.name},
        "data": data,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_body(entry: AuditEntry, event_type: str, target: Model) -> str:
    assert entry.fabrique is not None
    data: dict[str, Any] = {"object": object_payload(target, entry.fabrique)}
    if event_type.endswith("_changed"):
        field = "status" if event_type.startswith("meeting.") else "stage"
        data["previous_" + field] = _value(entry.old_values.get(field)) if entry.old_values else None
        data[field] = _value(entry.new_values.get(field) or entry.action.rsplit(".", 1)[-1])
    return envelope(
        event_id=event_id_of(entry.pk),
        event_type=event_type,
        occurred_at=entry.created_at,
        fabrique=entry.fabrique,
        data=data,
    )
