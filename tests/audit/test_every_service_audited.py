"""Every service has its audit case (tests/audit/cases/): a new service cannot skip it.

The services are the public functions of every `fabrique/<app>/services.py` and of every other module
that writes the audit log itself. A function of those modules that is not an action (a read, a helper,
the audit machinery) is listed in NOT_ACTIONS with its reason. AWAITING_CASE is the baseline of
services written before this test: it may only shrink (a case added for one of them must remove it).
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import fabrique
from tests.audit.cases import all_cases

ROOT = Path(fabrique.__file__).parent
WRITES_AUDIT = re.compile(r"\b(audit_log|audited_create|audited_update|soft_delete)\(")

_READ = "a read or a helper: it changes nothing"
_MACHINERY = "the audit machinery itself, checked by every case and by tests/audit/test_audit_log.py"
_UNAUDITED = "writes derived or personal state only (no business action): not audited by design"

NOT_ACTIONS: dict[str, str] = {
    "fabrique.api.tokens.api_token_touch": "stamps a token's last use on each request: " + _UNAUDITED,
    "fabrique.audit.services.audit_log": _MACHINERY,
    "fabrique.audit.services.audit_redact": _MACHINERY + " (tests/privacy)",
    "fabrique.audit.services.diff": _READ,
    "fabrique.audit.services.snapshot": _READ,
    "fabrique.committees.services.decisions_for": _READ,
    "fabrique.core.events.event_dispatch": _MACHINERY,
    "fabrique.core.events.handler_path": _READ,
    "fabrique.core.events.handlers_for": _READ,
    "fabrique.core.events.on_action": "registers an event handler at start-up",
    "fabrique.core.events.resolve": _READ,
    "fabrique.core.events.router_db_for_tasks": _READ,
    "fabrique.core.services.audited_create": _MACHINERY,
    "fabrique.core.services.audited_update": _MACHINERY,
    "fabrique.core.services.check_fields": _READ,
    "fabrique.core.services.field_names": _READ,
    "fabrique.core.services.soft_delete": _MACHINERY,
    "fabrique.core.taskadmin.failed_tasks": _READ,
    "fabrique.core.taskadmin.task_error": _READ,
    "fabrique.core.workflow.allowed": _READ,
    "fabrique.core.workflow.transition": _MACHINERY + " (every transition case goes through it)",
    "fabrique.essaimage.services.model_sheet_prefill": _READ,
    "fabrique.funding.services.funder_report_version_execute": "the background half of funder_report_generate "
    "(audited there): it computes the frozen files",
    "fabrique.webhooks.services.deliveries_create": "the system delivering an audited event: "
    "its trace is the delivery log (WebhookDelivery)",
    "fabrique.webhooks.services.delivery_attempt": "the system delivering an audited event: "
    "its trace is the delivery log (WebhookDelivery)",
    "fabrique.fabriques.services.register_setup_hook": "registers a setup hook at start-up",
    "fabrique.handover.services.need_offer_refusal": _READ,
    "fabrique.handover.services.project_offer_refusal": _READ,
    "fabrique.imports.services.import_check": "the dry run of an import: " + _READ,
    "fabrique.intelligence.services.background_threshold": _READ,
    "fabrique.intelligence.services.import_batch_table": _READ,
    "fabrique.intelligence.services.import_batch_is_large": _READ,
    "fabrique.intelligence.services.indicator_references_compute": "recomputes derived values "
    "(inside the audited import or at start-up): " + _UNAUDITED,
    "fabrique.needs.grouping.duplicate_queue": _READ,
    "fabrique.needs.grouping.duplicate_queue_live": _READ,
    "fabrique.needs.grouping.duplicate_queue_reports": _READ,
    "fabrique.needs.grouping.duplicate_queue_warm": "computes and caches the queue's rankings: " + _UNAUDITED,
    "fabrique.needs.grouping.duplicate_queue_warm_request": "queues the warming of the queue's rankings: "
    + _UNAUDITED,
    "fabrique.needs.grouping.ranking_model": _READ,
    "fabrique.needs.grouping.fabrique_pair_model": _READ,
    "fabrique.needs.grouping.need_suggestions": _READ,
    "fabrique.needs.grouping.pair_model_adaptation": _READ,
    "fabrique.needs.grouping.public_need_suggestions": _READ,
    "fabrique.needs.grouping.regrouping_runs": _READ,
    "fabrique.needs.grouping.report_last_merge": _READ,
    "fabrique.needs.grouping.report_mapping": _READ,
    "fabrique.needs.grouping.report_need_suggestions": _READ,
    "fabrique.needs.grouping.report_needs_set_aside": _READ,
    "fabrique.needs.grouping.report_pair_score": _READ,
    "fabrique.needs.grouping.reports_need_suggestions": _READ,
    "fabrique.needs.grouping.suggestable_need": _READ,
    "fabrique.needs.grouping.report_features_backfill": "computes the reports' text features: " + _UNAUDITED,
    "fabrique.needs.grouping.report_features_ensure": "computes the reports' text features: " + _UNAUDITED,
    "fabrique.needs.grouping.report_features_refresh": "computes the reports' text features: " + _UNAUDITED,
    "fabrique.needs.grouping.report_features_compute": "computes the reports' text features: " + _UNAUDITED,
    "fabrique.needs.grouping.report_features_store": "stores the reports' text features: " + _UNAUDITED,
    "fabrique.needs.grouping.regrouping_run_execute": "the background half of regrouping_run_create (audited "
    "there): it only proposes, accepting or rejecting a proposal is audited",
    "fabrique.needs.grouping.pair_model_adaptation_refresh": "calibrates the pair model: " + _UNAUDITED,
    "fabrique.needs.grouping.pair_model_adaptation_refresh_due": _READ,
    "fabrique.needs.grouping.team_decisions": _READ,
    "fabrique.needs.grouping.learning_guard": _READ,
    "fabrique.needs.services.default_criteria": _READ,
    "fabrique.needs.services.officer_candidates": _READ,
    "fabrique.notifications.services.calendar_feed_get": _READ,
    "fabrique.notifications.services.calendar_feed_regenerate": "a person's own feed address: " + _UNAUDITED,
    "fabrique.notifications.services.notification_email": _READ,
    "fabrique.notifications.services.notifications_mark_read": "a person's inbox: " + _UNAUDITED,
    "fabrique.notifications.services.notifications_mark_read_at": "a person's inbox: " + _UNAUDITED,
    "fabrique.notifications.services.notify": "the consequence of an audited action (its event): "
    + _UNAUDITED,
    "fabrique.notifications.services.digests_send": "sends the notifications already written: " + _UNAUDITED,
    "fabrique.notifications.services.unsubscribe_token": _READ,
    "fabrique.notifications.services.unsubscribe_url": _READ,
    "fabrique.privacy.services.content_type_label": _READ,
    "fabrique.privacy.services.mask_free_text": _READ,
    "fabrique.projects.outcome.add_years": _READ,
    "fabrique.projects.outcome.enterprise_clean": _READ,
    "fabrique.projects.outcome.followup_due_on": _READ,
    "fabrique.projects.outcome.followup_window": _READ,
    "fabrique.projects.outcome.followups_to_do": _READ,
    "fabrique.projects.outcome.siret_compact": _READ,
    "fabrique.projects.outcome.siret_error": _READ,
    "fabrique.projects.partners.partners_of": _READ,
    "fabrique.recruitment.services.default_criteria": _READ,
    "fabrique.support.services.add_months": _READ,
    "fabrique.support.services.default_milestone_plan": _READ,
    "fabrique.support.services.funder_organizations_q": _READ,
    "fabrique.support.services.referral_organizations_q": _READ,
    "fabrique.support.services.staff_users_q": _READ,
    "fabrique.webhooks.services.disable_after": _READ,
    "fabrique.webhooks.services.generate_secret": _READ,
    "fabrique.webhooks.services.sign": _READ,
}

# Services written before this test and still without a case. May only shrink.
AWAITING_CASE: frozenset[str] = frozenset()


def service_modules() -> list[str]:
    names = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        if path.name == "services.py" or WRITES_AUDIT.search(path.read_text(encoding="utf-8")):
            names.append(".".join(path.relative_to(ROOT.parent).with_suffix("").parts))
    return names


def services() -> set[str]:
    found = set()
    for name in service_modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__ == name and not attr.startswith("_"):
                found.add(f"{name}.{attr}")
    return found


def test_every_service_has_its_audit_case():
    covered = {c.name for c in all_cases()}
    missing = services() - covered - set(NOT_ACTIONS) - AWAITING_CASE
    assert not missing, (
        "Services without an audit case: add one in tests/audit/cases/<app>.py "
        f"(or list a non-action in NOT_ACTIONS with its reason): {sorted(missing)}"
    )


def test_the_baselines_only_shrink():
    covered = {c.name for c in all_cases()}
    existing = services()
    assert not (AWAITING_CASE & covered), (
        f"Covered now, remove from AWAITING_CASE: {sorted(AWAITING_CASE & covered)}"
    )
    stale = (AWAITING_CASE | set(NOT_ACTIONS)) - existing
    assert not stale, f"No such service any more, remove it: {sorted(stale)}"
    assert not (set(NOT_ACTIONS) & covered), "A function with a case is an action: remove it from NOT_ACTIONS"
