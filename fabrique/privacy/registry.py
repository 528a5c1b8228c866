"""THE declared list of where personal data can be (GDPR). Every text, file and JSON column of every
model of the project is classified here; `tests/privacy/test_registry.py` fails when a column is
missing (a new field cannot be forgotten) or when an entry names a column that no longer exists.

- SUBJECT: data about the data subject in their own record (a contact, a reporter, a candidate):
  erased by the erasure of that person (`fabrique.privacy.services.person_erase`).
- FREE: free text written by the team or the platform, which may quote a person (notes, comments,
  summaries, notifications, imported rows): the person's full name, e-mail and phone are masked
  wherever they appear, in every row of the fabrique.
- NONE: not personal data (codes, reference data, settings, the team's own vocabulary), or data of
  the platform's staff accounts (managed with the account, not by a data subject's erasure).
"""

from __future__ import annotations

SUBJECT, FREE, NONE = "subject", "free", "none"

# model label -> {field: classification}
PERSONAL_DATA: dict[str, dict[str, str]] = {
    "projects.partnership": {"note": FREE},
    # staff accounts' tokens: managed with the account
    "api.apitoken": {"name": NONE, "prefix": NONE, "digest": NONE},
    "core.deliverykey": {"key": NONE},
    "core.workerheartbeat": {"worker_id": NONE, "hostname": NONE, "current_task": NONE},
    # staff accounts: their own data, edited and deleted with the account
    "accounts.user": {"password": NONE, "email": NONE, "first_name": NONE, "last_name": NONE},
    "fabriques.fabrique": {
        "name": NONE,
        "slug": NONE,
        "short_description": NONE,
        "description": NONE,
        "operator_name": NONE,
        "contact_email": NONE,  # the fabrique's public contact address
        "contact_phone": NONE,
        "website": NONE,
        "logo": NONE,
        "stage_labels": NONE,
        "milestone_templates": NONE,  # the fabrique's own milestone titles
        "email_texts": NONE,  # the fabrique's own wording of its e-mails
        "public_team": NONE,  # published by the fabrique on its public page
        "public_how_we_work": NONE,
    },
    # the log: masked by fabrique.audit.services.audit_redact (see audit migration 0003)
    "audit.auditentry": {
        "actor_label": FREE,
        "action": NONE,
        "target_id": NONE,
        "target_repr": FREE,
        "old_values": FREE,
        "new_values": FREE,
        "decision_ref": NONE,
        "note": FREE,
    },
    "audit.auditredaction": {"reason": NONE},
    "territories.region": {"code": NONE, "name": NONE},
    "territories.departement": {"code": NONE, "name": NONE, "search_name": NONE},
    "territories.epci": {"siren": NONE, "name": NONE, "search_name": NONE},
    "territories.commune": {"code": NONE, "name": NONE, "postal_codes": NONE, "search_name": NONE},
    "territories.postalcode": {"code": NONE},
    "territories.qpv": {"code": NONE, "name": NONE, "geometry": NONE, "search_name": NONE},
    "territories.searchentry": {
        "code": NONE,
        "commune_kind": NONE,
        "name": NONE,
        "search_name": NONE,
        "search_code": NONE,
        "departement_code": NONE,
        "departement_name": NONE,
        "epci_siren": NONE,
        "epci_name": NONE,
        "parent_code": NONE,
        "parent_name": NONE,
    },
    "territories.searchterm": {"term": NONE},
    # organisations are legal persons; their contact fields hold generic addresses, but a staff
    # member may have typed a person's name in the description
    "directory.organization": {
        "name": NONE,
        "siren": NONE,
        "address": NONE,
        "postal_code": NONE,
        "website": NONE,
        "email": FREE,
        "phone": FREE,
        "description": FREE,
        "roles": NONE,
        "normalized_name": NONE,
        "logo": NONE,
    },
    "directory.person": {
        "first_name": SUBJECT,
        "last_name": SUBJECT,
        "email": SUBJECT,
        "phone": SUBJECT,
        "job_title": SUBJECT,
        "notes": SUBJECT,
        "consent_source": SUBJECT,
        "search_name": SUBJECT,  # the search index of the directory
    },
    "directory.interaction": {"summary": SUBJECT},
    "workstreams.workstream": {
        "name": NONE,
        "code": NONE,
        "description": FREE,
        "colour": NONE,
        "search_name": NONE,
    },
    "needs.needreport": {
        "reference": NONE,
        # folded copy of the searched fields (core.models.SearchText): rebuilt from them on every save
        # and by `mask_free_text`, so a masked or erased value leaves it too
        "search_text": FREE,
        "title": FREE,
        "description": FREE,
        "public_detail": FREE,
        "place": NONE,
        "evidence": FREE,
        "evidence_document": NONE,  # a document about the need (studies, figures), kept with the report
        "reporter_name": SUBJECT,
        "reporter_organization_name": SUBJECT,
        "reporter_email": SUBJECT,
        "reporter_phone": SUBJECT,
        "source_detail": FREE,
        "followup_token": NONE,
    },
    "needs.need": {
        "reference": NONE,
        # folded copy of the searched fields (core.models.SearchText): rebuilt from them on every save
        # and by `mask_free_text`, so a masked or erased value leaves it too
        "search_text": FREE,
        "title": FREE,
        "public_title": FREE,
        "description": FREE,
        "territory_label": NONE,
        "decision_notes": FREE,
    },
    "needs.criterion": {"code": NONE, "label": NONE, "help_text": NONE},
    "needs.criterionscore": {"comment": FREE},
    # grouping features: computed from the report's title and place (no reporter data); recomputed
    # from the masked text by the erasure
    "needs.reportfeatures": {
        "level": NONE,
        "commune": NONE,
        "communes": NONE,
        "epci": NONE,
        "dept": NONE,
        "concepts": NONE,
    },
    "needs.regroupingrun": {"step": NONE, "error": NONE},
    "needs.groupingproposal": {"key": NONE},
    "committees.committeetype": {"label": NONE, "description": NONE},
    "committees.committee": {"name": NONE, "description": FREE},
    "committees.meeting": {"place": NONE, "notes": FREE},
    "committees.agendaitem": {"title": FREE, "presenter": FREE, "notes": FREE},
    "committees.decision": {
        "target_repr": FREE,
        "outcome": NONE,
        "outcome_label": NONE,
        "reason_code": NONE,
        "reasons": FREE,
    },
    "studies.study": {
        "reference": NONE,
        # folded copy of the searched fields (core.models.SearchText): rebuilt from them on every save
        # and by `mask_free_text`, so a masked or erased value leaves it too
        "search_text": FREE,
        "title": FREE,
        "summary": FREE,
        "conclusion": FREE,
        "no_go_reasons": FREE,
    },
    "studies.workshop": {
        "title": FREE,
        "place": NONE,
        "other_participants": FREE,
        "notes": FREE,
        "decisions": FREE,
    },
    "studies.scenario": {
        "title": FREE,
        "description": FREE,
        "pros": FREE,
        "cons": FREE,
        "value_proposition": FREE,
        "beneficiaries": FREE,
        "revenue_sources": FREE,
        "main_costs": FREE,
        "partners": FREE,
    },
    "studies.benchmarkentry": {
        "name": NONE,
        "location": NONE,
        "description": FREE,
        "lessons": FREE,
        "url": NONE,
    },
    "projects.project": {
        "reference": NONE,
        # folded copy of the searched fields (core.models.SearchText): rebuilt from them on every save
        # and by `mask_free_text`, so a masked or erased value leaves it too
        "search_text": FREE,
        "title": FREE,
        "summary": FREE,
        "public_summary": FREE,
        "stop_details": FREE,
        "stopped_at_stage": NONE,
    },
    "projects.enterprise": {"legal_name": NONE, "siret": NONE, "website": NONE},
    "projects.followup": {"notes": FREE},
    "recruitment.call": {
        "slug": NONE,
        "title": NONE,
        "description": NONE,
        "profile_sought": NONE,
        "selection_criteria": NONE,
        "support_offered": NONE,
    },
    "recruitment.evaluationcriterion": {"label": NONE},
    "recruitment.application": {
        "first_name": SUBJECT,
        "last_name": SUBJECT,
        "email": SUBJECT,
        "phone": SUBJECT,
        "organization_name": SUBJECT,
        "motivation": SUBJECT,
        "experience": SUBJECT,
        "document": SUBJECT,  # the file is deleted from the storage
        "document_name": SUBJECT,
        "access_token": NONE,
    },
    "recruitment.evaluation": {"comment": SUBJECT},
    "recruitment.evaluationscore": {"comment": SUBJECT},
    "support.supportplan": {"objectives": FREE, "stop_reason": FREE},
    "support.milestone": {"title": FREE, "notes": FREE},
    "support.referral": {"purpose": FREE, "outcome": FREE},
    "support.fundingline": {"source_label": NONE},
    # funders' agreements and reports: the team's words about the programme (no reporter's data)
    "funding.fundingagreement": {
        "title": FREE,
        "reference": NONE,
        "required_indicators": NONE,
        "notes": FREE,
    },
    "funding.reportingdeadline": {"label": FREE},
    "funding.funderreport": {"title": FREE, "narratives": FREE},
    "funding.funderreportversion": {"step": NONE, "error": NONE, "snapshot": FREE},
    "support.supportactivity": {"summary": FREE},
    "intelligence.indicator": {
        "code": NONE,
        "name": NONE,
        "description": NONE,
        "source": NONE,
        "source_url": NONE,
        "vintage": NONE,
        "unit": NONE,
        "licence": NONE,
        "method_note": NONE,
    },
    "intelligence.indicatorvalue": {"code": NONE},
    # statistical files by territory code: no person
    "intelligence.importbatch": {
        "file": NONE,
        "original_name": NONE,
        "encoding": NONE,
        "delimiter": NONE,
        "sheet": NONE,
        "mapping": NONE,
        "summary": NONE,
        "progress": NONE,
        "background_error": NONE,
    },
    # derived context of a need (nearby needs' titles, organisations of the offer): masked like free text
    "intelligence.needinsight": {"details": FREE, "nearby_needs": FREE, "offer": FREE},
    "intelligence.diagnosiszone": {"name": NONE, "description": NONE},
    "grouping.pairmodeladaptation": {"coef": NONE},
    # the rows of an imported spreadsheet (people, reporters): masked like free text
    "imports.importbatch": {
        "filename": NONE,
        "file_format": NONE,
        "encoding": NONE,
        "sheet": NONE,
        "header": NONE,
        "rows": FREE,
        "mapping": NONE,
        "defaults": NONE,
        "created_ids": NONE,
        "skipped_lines": NONE,
    },
    "imports.importpreset": {"name": NONE, "mapping": NONE, "defaults": NONE},
    "notifications.notification": {"key": NONE, "title": FREE, "body": FREE, "url": NONE},
    "notifications.follow": {"target_id": NONE},
    "notifications.calendarfeed": {"token": NONE},
    "webhooks.webhookendpoint": {
        "url": NONE,
        "description": NONE,
        "event_types": NONE,
        "secret": NONE,
        "disabled_reason": NONE,
    },
    # the JSON sent to a partner's endpoint and its answer: may quote a person's name
    "webhooks.webhookdelivery": {
        "event_id": NONE,
        "event_type": NONE,
        "body": FREE,
        "response_excerpt": FREE,
        "error": NONE,
    },
    # hand-overs between fabriques: quoted texts masked from the sending fabrique's side
    "handover.handover": {
        "title": FREE,
        "sender_reference": NONE,
        "receiver_reference": NONE,
        "reason": FREE,
        "answer_reason": FREE,
        "trace": FREE,
    },
    # model sheets shared with the network: an organisation's project, its public contact
    "essaimage.modelsheet": {
        "title": NONE,
        "search_text": NONE,  # folded copy of the fields above (core.models.SearchText)
        "need_answered": NONE,
        "economic_model": NONE,
        "partners": FREE,
        "results": NONE,
        "contact": FREE,
    },
    "essaimage.modeldocument": {"title": NONE, "file": NONE},
    "privacy.erasurelog": {
        "category": NONE,
        "target_type": NONE,
        "target_id": NONE,
        "reason": NONE,
        "summary": NONE,
    },
}

# How to reach the fabrique from a model without a `fabrique` column (free-text masking is per fabrique).
FABRIQUE_PATHS = {
    "funding.reportingdeadline": "agreement__fabrique",
    "funding.funderreportversion": "report__fabrique",
    "recruitment.evaluation": "application__fabrique",
    "recruitment.evaluationscore": "evaluation__application__fabrique",
    "needs.criterionscore": "need__fabrique",
    "committees.agendaitem": "meeting__fabrique",
    "studies.scenario": "study__fabrique",
    "studies.benchmarkentry": "study__fabrique",
    "support.milestone": "plan__fabrique",
    "support.referral": "plan__fabrique",
    "support.fundingline": "plan__fabrique",
    "support.supportactivity": "plan__fabrique",
    "projects.followup": "enterprise__project__fabrique",
    "studies.workshop": "study__fabrique",
    "handover.handover": "from_fabrique",
}


def fields_of(classification: str) -> dict[str, list[str]]:
    return {
        model: [name for name, kind in fields.items() if kind == classification]
        for model, fields in PERSONAL_DATA.items()
        if any(kind == classification for kind in fields.values())
    }
