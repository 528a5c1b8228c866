from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudiesConfig(AppConfig):
    name = "fabrique.studies"
    label = "studies"
    verbose_name = _("études d'opportunité")

    def ready(self) -> None:
        from fabrique.audit.labels import register_action_label
        from fabrique.committees.registry import (
            Outcome,
            register_involved,
            register_outcomes,
            registered_outcomes,
        )
        from fabrique.needs.models import Need, NeedStage

        from .models import NoGoReason, Study, StudyStage
        from .services import decide_continue, decide_go, decide_need_open_study, decide_no_go

        # a need's committee may retain it and open its study in one step, where the fabrique wants it
        register_outcomes(
            Need,
            [
                *[o for o in registered_outcomes(Need) if o.code != "open_study"],
                Outcome(
                    "open_study",
                    _("Retenu : ouvrir une étude d'opportunité"),
                    decide_need_open_study,
                    from_stages=frozenset({NeedStage.QUALIFYING, NeedStage.MORE_EVIDENCE}),
                    available=lambda need: need.fabrique.committee_opens_study,
                ),
            ],
        )

        # members from a structure of the study's steering group or partners, or one that reported its needs
        register_involved(
            Study,
            lambda s: (
                set(s.steering_organizations.values_list("pk", flat=True))
                | set(
                    s.partnerships.filter(deleted_at__isnull=True).values_list("organization_id", flat=True)
                )
                | set(
                    s.needs.filter(reports__reporter_organization__isnull=False).values_list(
                        "reports__reporter_organization", flat=True
                    )
                )
            ),
        )
        awaiting = frozenset({StudyStage.AWAITING_DECISION})
        register_outcomes(
            Study,
            [
                Outcome(
                    "go",
                    _("Go : un modèle pertinent a émergé, le projet est lancé"),
                    decide_go,
                    from_stages=awaiting,
                ),
                Outcome(
                    "no_go",
                    _("No-go : pas de modèle pertinent"),
                    decide_no_go,
                    reason_choices=tuple(NoGoReason.choices),
                    requires_reasons=True,
                    from_stages=awaiting,
                ),
                Outcome(
                    "continue",
                    _("Poursuivre l'étude"),
                    decide_continue,
                    from_stages=awaiting,
                ),
            ],
        )
        for action, label in {
            "studies.study.awaiting_decision": _("Soumission à décision — étude"),
            "studies.study.go": _("Go : un modèle pertinent a émergé — étude"),
            "studies.study.no_go": _("No-go : pas de modèle pertinent — étude"),
            "studies.study.in_progress": _("Reprise de l'étude"),
            "studies.study.abandoned": _("Abandon de l'étude"),
            "studies.workshop.created": _("Ajout d'un atelier"),
            "studies.workshop.updated": _("Modification d'un atelier"),
            "studies.scenario.created": _("Ajout d'une piste"),
            "studies.scenario.updated": _("Modification d'une piste"),
            "studies.benchmarkentry.created": _("Ajout d'une initiative existante au benchmark"),
        }.items():
            register_action_label(action, label)

        from .indicators import register_all as register_indicators

        register_indicators()
