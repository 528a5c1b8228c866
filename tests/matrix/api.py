"""Permission matrix of the API resources of the method (fabrique/api/pipeline.py): GET of every list
and detail here; every method of every endpoint × role in tests/api/test_api_methods.py.

Reads need VIEW, except one's own evaluations (DECIDE, owner only) and the audit log (MANAGE).
"""

from __future__ import annotations

from django.utils import timezone

from fabrique.audit.models import AuditEntry
from fabrique.committees.models import Decision
from fabrique.recruitment.models import Evaluation, EvaluationCriterion

from .rules import D, M, Rule, V, foreign_pk, pk


def populate(side, label: str) -> None:
    from django.contrib.contenttypes.models import ContentType as CT

    team, objects = side.team, side.objects
    study = objects["study"]
    objects["decision"] = Decision.objects.filter(fabrique=team.fabrique).first() or Decision.objects.create(
        fabrique=team.fabrique,
        target_type=CT.objects.get_for_model(type(study)),
        target_id=study.pk,
        target_repr=str(study),
        outcome="continue",
        outcome_label="Poursuivre",
        decided_by=team.admin,
        decided_on=timezone.localdate(),
    )
    call = objects["call"]
    # "criterion" is the needs' qualification criterion (tests/matrix/needs.py): another name here
    objects["evaluation_criterion"] = EvaluationCriterion.objects.filter(
        call=call
    ).first() or EvaluationCriterion.objects.create(
        call=call, label=f"Critère {label}", weight=1, max_score=5, order=1
    )
    objects["evaluation"] = Evaluation.objects.create(
        application=objects["application"], evaluator=team.admin
    )
    objects["audit_entry"] = AuditEntry.objects.filter(fabrique=team.fabrique).order_by("pk").first()


RESOURCES = {
    # basename: (world object, read permission)
    "study": ("study", V),
    "workshop": ("workshop", V),
    "scenario": ("scenario", V),
    "project": ("project", V),
    "enterprise": ("enterprise", V),
    "follow-up": ("followup", V),
    "committee": ("committee", V),
    "meeting": ("meeting", V),
    "agenda-item": ("agenda_item", V),
    "decision": ("decision", V),
    "call": ("call", V),
    "criterion": ("evaluation_criterion", V),
    "application": ("application", V),
    "evaluation": ("evaluation", D),
    "support-plan": ("support_plan", V),
    "milestone": ("plan_milestone", V),
    "referral": ("plan_referral", V),
    "funding-line": ("plan_funding", V),
    "indicator": ("indicator", V),
    "audit-entry": ("audit_entry", M),
}

MATRIX: dict[str, Rule] = {}
for basename, (name, permission) in RESOURCES.items():
    owner = "admin" if basename == "evaluation" else None
    MATRIX[f"api:{basename}-list"] = Rule(permission, queries=12)
    MATRIX[f"api:{basename}-detail"] = Rule(permission, pk(name), foreign_pk(name), queries=12, owner=owner)
    if basename in ("study", "project", "meeting", "call", "application", "support-plan"):
        # POST only: a GET answers 405 to the roles that may read (every method: tests/api/)
        MATRIX[f"api:{basename}-transitions"] = Rule(permission, pk(name), ok=405)
