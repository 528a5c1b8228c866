"""Event handlers that notify staff (in-app and e-mail), and the daily jobs (reminders, digests).

Each handler finds the recipients, builds a plain-text title and the link to the object, and calls
`notify` with a key made of the audit entry's id: a task run twice notifies once."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fabrique.audit.models import AuditEntry
from fabrique.core.events import on_action
from fabrique.core.schedule import register_daily
from fabrique.fabriques.models import Permission

from .selectors import followers_of, members_with, object_path
from .services import digests_send, notify

if TYPE_CHECKING:
    from fabrique.needs.models import RegroupingRun


def _target(entry: AuditEntry) -> Any:
    model = entry.target_type.model_class()
    if model is None:
        return None
    manager = getattr(model, "all_objects", model._default_manager)
    return manager.filter(pk=entry.target_id).first()


def _notify_of(
    entry: AuditEntry,
    target: Any,
    *,
    recipients: Any,
    kind: str,
    title: str,
    body: str = "",
    key: str = "",
    exclude_actor: bool = True,
) -> None:
    """`notify` about `target` for the audit entry: the link to the target, the entry's key (a task run
    twice notifies once) unless `key` is given, the actor left out."""
    assert entry.fabrique is not None
    notify(
        fabrique=entry.fabrique,
        recipients=recipients,
        kind=kind,
        title=title,
        body=body,
        url=object_path(target, entry.fabrique),
        key=key or f"event:{entry.pk}",
        exclude=entry.actor if exclude_actor else None,
    )


@on_action("needs.needreport.created")
def report_new(entry: AuditEntry) -> None:
    """A new report: every member who sees the fabrique's needs, per their preference."""
    report = _target(entry)
    if report is None or entry.fabrique is None:
        return
    _notify_of(
        entry,
        report,
        recipients=[m.user for m in members_with(fabrique=entry.fabrique, permission=Permission.VIEW)],
        kind="report_new",
        title=_("Nouveau signalement %(ref)s : %(title)s") % {"ref": report.reference, "title": report.title},
    )


@on_action("needs.need.*")
@on_action("studies.study.*")
@on_action("projects.project.*")
def assigned(entry: AuditEntry) -> None:
    """A need, study or project given to someone (its `officer` set or changed)."""
    if "officer" not in entry.new_values or not entry.new_values.get("officer"):
        return
    target = _target(entry)
    officer = getattr(target, "officer", None) if target is not None else None
    if officer is None or entry.fabrique is None:
        return
    _notify_of(
        entry,
        target,
        recipients=[officer],
        kind="assigned",
        title=_("Vous êtes en charge de « %(target)s »") % {"target": target},
    )


@on_action("recruitment.application.created")
def application_received(entry: AuditEntry) -> None:
    application = _target(entry)
    if application is None or entry.fabrique is None:
        return
    recipients = followers_of(target=application.project)
    if application.call_id:
        recipients += followers_of(target=application.call)
    _notify_of(
        entry,
        application,
        recipients=recipients,
        kind="application_received",
        title=_("Candidature reçue pour « %(project)s »") % {"project": application.project},
    )


@on_action("recruitment.call.evaluators_updated")
def evaluation_requested(entry: AuditEntry) -> None:
    call = _target(entry)
    if call is None or entry.fabrique is None:
        return
    _notify_of(
        entry,
        call,
        recipients=list(call.evaluators.all()),
        kind="evaluation_requested",
        title=_("Évaluation demandée : candidatures à l'appel « %(call)s »") % {"call": call},
        key=f"evaluation-request:{call.pk}",  # once per call and evaluator, whatever the edits
    )


@on_action("recruitment.evaluation.submitted")
def evaluations_complete(entry: AuditEntry) -> None:
    """Every evaluator of the call has submitted for this application."""
    from fabrique.recruitment.models import Evaluation

    evaluation = _target(entry)
    application = getattr(evaluation, "application", None) if evaluation else None
    if application is None or application.call is None or entry.fabrique is None:
        return
    expected = set(application.call.evaluators.values_list("pk", flat=True))
    done = set(
        Evaluation.objects.filter(application=application, submitted_at__isnull=False).values_list(
            "evaluator_id", flat=True
        )
    )
    if not expected or not expected <= done:
        return
    _notify_of(
        entry,
        application,
        recipients=followers_of(target=application.project) + followers_of(target=application.call),
        kind="evaluations_complete",
        title=_("Toutes les évaluations sont rendues : %(application)s") % {"application": application},
        key=f"evaluations-complete:{application.pk}",
        exclude_actor=False,
    )


@on_action("committees.meeting.created")
@on_action("committees.meeting.item_added")
def agenda_published(entry: AuditEntry) -> None:
    """A meeting planned or its agenda completed: at most one notification per meeting and day."""
    meeting = _target(entry)
    if meeting is None or entry.fabrique is None:
        return
    _notify_of(
        entry,
        meeting,
        recipients=[m.user for m in members_with(fabrique=entry.fabrique, permission=Permission.DECIDE)],
        kind="agenda_published",
        title=_("Ordre du jour publié : %(meeting)s") % {"meeting": meeting},
        key=f"agenda:{meeting.pk}:{entry.created_at.date()}",
    )


@on_action("committees.decision.created")
def decision_recorded(entry: AuditEntry) -> None:
    decision = _target(entry)
    target = decision.target if decision is not None else None
    if target is None or entry.fabrique is None:
        return
    _notify_of(
        entry,
        target,
        recipients=followers_of(target=target),
        kind="decision_recorded",
        title=_("Décision « %(outcome)s » sur « %(target)s »")
        % {"outcome": decision.outcome_label or decision.outcome, "target": target},
        body=decision.reasons,
    )


FOLLOWED = (
    "needs.need.*",
    "studies.study.*",
    "projects.project.*",
    "recruitment.call.*",
    "workstreams.workstream.*",
)


def followed_activity(entry: AuditEntry) -> None:
    """Anything else that happens to what one follows (in the daily digest by default)."""
    if entry.fabrique is None or entry.action.endswith(".scored"):
        return
    target = _target(entry)
    if target is None:
        return
    _notify_of(
        entry,
        target,
        recipients=followers_of(target=target),
        kind="followed_activity",
        title=_("%(action)s : %(target)s") % {"action": entry.action_label, "target": target},
    )


for _pattern in FOLLOWED:
    on_action(_pattern)(followed_activity)


@on_action("intelligence.importbatch.imported")
@on_action("intelligence.importbatch.cancelled")
@on_action("intelligence.importbatch.failed")
def import_done(entry: AuditEntry) -> None:
    batch = _target(entry)
    if batch is None or entry.fabrique is None or entry.actor is None:
        return
    verb = entry.action.rsplit(".", 1)[-1]
    titles = {
        "imported": _("Import terminé : %(batch)s"),
        "cancelled": _("Import abandonné : %(batch)s"),
        "failed": _("Import en échec : %(batch)s"),
    }
    url = ""
    indicator_id = getattr(batch, "indicator_id", None)
    if verb == "imported" and indicator_id:
        url = reverse(
            "backoffice:indicator_detail", kwargs={"fabrique_slug": entry.fabrique.slug, "pk": indicator_id}
        )
    elif verb == "failed":
        url = reverse(
            "backoffice:indicator_import_confirm",
            kwargs={"fabrique_slug": entry.fabrique.slug, "pk": batch.pk},
        )
    notify(
        fabrique=entry.fabrique,
        recipients=[entry.actor],
        kind="import_done",
        title=titles[verb] % {"batch": batch},
        body=getattr(batch, "background_error", "") if verb == "failed" else "",
        url=url,
        key=f"event:{entry.pk}",
    )


def regrouping_finished(*, run: RegroupingRun) -> None:
    """Called by the regrouping task when a run ends (done or failed)."""
    from fabrique.needs.models import RunStatus

    if run.fabrique is None:
        return
    url = reverse("backoffice:regrouping_runs", kwargs={"fabrique_slug": run.fabrique.slug})
    if run.requested_by is not None:
        notify(
            fabrique=run.fabrique,
            recipients=[run.requested_by],
            kind="regrouping_done",
            title=(
                ngettext(
                    "Regroupement terminé : %(count)s proposition",
                    "Regroupement terminé : %(count)s propositions",
                    run.proposals_created,
                )
                % {"count": run.proposals_created}
                if run.status == RunStatus.DONE
                else _("Le regroupement a échoué")
            ),
            body=run.error,
            url=url,
            key=f"regrouping:{run.pk}",
        )
    if run.status == RunStatus.DONE and run.proposals_created:
        notify(
            fabrique=run.fabrique,
            recipients=[m.user for m in members_with(fabrique=run.fabrique, permission=Permission.EDIT)],
            kind="duplicate_found",
            title=ngettext(
                "%(count)s groupe de doublons probables à examiner",
                "%(count)s groupes de doublons probables à examiner",
                run.proposals_created,
            )
            % {"count": run.proposals_created},
            url=reverse("backoffice:duplicate_queue", kwargs={"fabrique_slug": run.fabrique.slug}),
            key=f"duplicates:{run.pk}",
        )


# --- daily jobs ---------------------------------------------------------------------------------------------


def milestone_reminders(*, day: datetime.date) -> int:
    """Milestones due in 7 days, and overdue ones (once per milestone and kind; overdue: once a week)."""
    from fabrique.support.models import Milestone, MilestoneStatus

    count = 0
    rows = Milestone.objects.filter(due_on__isnull=False, plan__officer__isnull=False).exclude(
        status=MilestoneStatus.DONE
    )
    for milestone in rows.filter(due_on=day + datetime.timedelta(days=7)).select_related(
        "plan__fabrique", "plan__officer"
    ):
        plan = milestone.plan
        count += len(
            notify(
                fabrique=plan.fabrique,
                recipients=[plan.officer],
                kind="milestone_due",
                title=_("Jalon dans 7 jours : %(title)s (%(plan)s)")
                % {"title": milestone.title, "plan": plan},
                url=object_path(plan, plan.fabrique),
                key=f"milestone-due:{milestone.pk}:{milestone.due_on}",
            )
        )
    for milestone in rows.filter(due_on__lt=day).select_related("plan__fabrique", "plan__officer"):
        if milestone.due_on is None or (day - milestone.due_on).days % 7 != 1:
            continue  # the day after the due date, then once a week
        plan = milestone.plan
        count += len(
            notify(
                fabrique=plan.fabrique,
                recipients=[plan.officer],
                kind="milestone_overdue",
                title=_("Jalon en retard : %(title)s (%(plan)s)") % {"title": milestone.title, "plan": plan},
                url=object_path(plan, plan.fabrique),
                key=f"milestone-overdue:{milestone.pk}:{day}",
            )
        )
    return count


def followup_reminders(*, day: datetime.date) -> int:
    """The +1 year / +3 years follow-up of an enterprise is due (once per enterprise and horizon)."""
    from fabrique.projects.models import Enterprise
    from fabrique.projects.outcome import followups_to_do

    count = 0
    for enterprise in Enterprise.objects.filter(project__officer__isnull=False).select_related(
        "project__fabrique", "project__officer"
    ):
        for horizon, years, due in followups_to_do(enterprise=enterprise):
            if due > day:
                continue
            project = enterprise.project
            count += len(
                notify(
                    fabrique=project.fabrique,
                    recipients=[project.officer],
                    kind="followup_due",
                    title=ngettext(
                        "Point de suivi à +%(years)s an à faire : %(enterprise)s",
                        "Point de suivi à +%(years)s ans à faire : %(enterprise)s",
                        years,
                    )
                    % {"years": years, "enterprise": enterprise},
                    url=object_path(enterprise, project.fabrique),
                    key=f"followup-due:{enterprise.pk}:{horizon}",
                )
            )
    return count


def digests(*, day: datetime.date) -> int:
    return digests_send(day=day)


register_daily("notifications.milestone_reminders", milestone_reminders)
register_daily("notifications.followup_reminders", followup_reminders)
register_daily("notifications.digests", digests)  # last: includes what the reminders just queued
