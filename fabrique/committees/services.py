"""Recording decisions. A decision is a row; recording it performs the transition it decides."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fabrique.audit.services import audit_log
from fabrique.core.errors import DomainError

from . import registry
from .models import AgendaItem, Decision, Meeting


def decision_record(
    *,
    fabrique,
    actor,
    target,
    outcome: str,
    reasons: str = "",
    reason_code: str = "",
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    decided_on: datetime.date | None = None,
) -> Decision:
    """Record who decided what on `target`, then perform the transition — all or nothing."""
    if getattr(target, "fabrique_id", None) != fabrique.pk:
        raise DomainError(_("Cet élément n'appartient pas à la fabrique."))
    if meeting is not None and meeting.fabrique_id != fabrique.pk:
        raise DomainError(_("Cette séance n'appartient pas à la fabrique."))
    if agenda_item is not None:
        meeting = agenda_item.meeting
        if meeting.fabrique_id != fabrique.pk:
            raise DomainError(_("Ce point d'ordre du jour n'appartient pas à la fabrique."))
        if Decision.objects.filter(agenda_item=agenda_item).exists():
            raise DomainError(_("Ce point de l'ordre du jour a déjà fait l'objet d'une décision."))
    option = registry.outcome(target, outcome)
    if option is None or option not in registry.outcomes_for(target):
        raise DomainError(_("La décision « %(outcome)s » n'est pas possible pour « %(target)s » à ce stade.")
                          % {"outcome": option.label if option else outcome, "target": target})
    if option.reason_choices and reason_code and reason_code not in dict(option.reason_choices):
        raise DomainError(_("Motif inconnu : %(code)s.") % {"code": reason_code})
    if option.requires_reasons and not (reasons.strip() or reason_code):
        raise DomainError(_("Indiquez le motif de la décision « %(outcome)s ».") % {"outcome": option.label})
    for value in (votes_for, votes_against, votes_abstain):
        if value is not None and value < 0:
            raise DomainError(_("Le nombre de voix ne peut pas être négatif."))
    with transaction.atomic():
        decision = Decision.objects.create(
            fabrique=fabrique,
            target_type=ContentType.objects.get_for_model(type(target)),
            target_id=target.pk,
            target_repr=str(target)[:300],
            meeting=meeting,
            agenda_item=agenda_item,
            outcome=outcome,
            outcome_label=str(option.label),
            reason_code=reason_code,
            reasons=reasons,
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
            decided_by=actor,
            decided_on=decided_on or timezone.localdate(),
        )
        audit_log(
            actor=actor, fabrique=fabrique, target=decision, action="committees.decision.created",
            new={"outcome": outcome, "target": str(target), "reasons": reasons, "reason_code": reason_code,
                 "meeting": str(meeting) if meeting else None,
                 "votes": [votes_for, votes_against, votes_abstain]},
        )
        option.handler(target, decision, actor)
    return decision


def decisions_for(target) -> list[Decision]:
    return list(
        Decision.objects.filter(
            target_type=ContentType.objects.get_for_model(type(target)), target_id=target.pk
        ).select_related("meeting", "decided_by")
    )
