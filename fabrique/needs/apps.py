from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "fabrique.needs"
    label = "needs"
    verbose_name = _("besoins")

    def ready(self) -> None:
        from fabrique.audit.labels import register_action_label
        from fabrique.committees.registry import Outcome, register_involved, register_outcomes
        from fabrique.fabriques.services import SETUP_HOOKS, register_setup_hook

        from .models import Need, NeedStage, NotRetainedReason
        from .services import _decision_handler, criteria_setup_defaults

        # a committee member from a structure that reported the need has a conflict of interest
        register_involved(
            Need,
            lambda n: set(
                n.reports.filter(reporter_organization__isnull=False).values_list(
                    "reporter_organization", flat=True
                )
            ),
        )
        deciding = frozenset({NeedStage.QUALIFYING, NeedStage.MORE_EVIDENCE})
        register_outcomes(
            Need,
            [
                Outcome(
                    code="retained",
                    label=_("Retenu"),
                    handler=_decision_handler(NeedStage.RETAINED),
                    from_stages=deciding,
                ),
                Outcome(
                    code="not_retained",
                    label=_("Non retenu"),
                    handler=_decision_handler(NeedStage.NOT_RETAINED),
                    reason_choices=tuple(NotRetainedReason.choices),
                    requires_reasons=True,
                    from_stages=deciding,
                ),
                Outcome(
                    code="more_evidence",
                    label=_("Éléments complémentaires à rassembler"),
                    handler=_decision_handler(NeedStage.MORE_EVIDENCE),
                    from_stages=frozenset({NeedStage.QUALIFYING}),
                ),
            ],
        )
        if criteria_setup_defaults not in SETUP_HOOKS:
            register_setup_hook(criteria_setup_defaults)

        labels = {
            "needs.needreport.created": _("Signalement reçu"),
            "needs.needreport.attached": _("Signalement rattaché à un besoin"),
            "needs.needreport.received": _("Signalement remis à traiter"),
            "needs.needreport.dismissed": _("Signalement écarté"),
            "needs.needreport.reporter_erased": _("Coordonnées de la personne effacées"),
            "needs.need.created": _("Besoin créé"),
            "needs.need.updated": _("Besoin modifié"),
            "needs.need.qualifying": _("Qualification commencée"),
            "needs.need.scored": _("Note de qualification"),
            "needs.need.retained": _("Besoin retenu"),
            "needs.need.not_retained": _("Besoin non retenu"),
            "needs.need.more_evidence": _("Éléments complémentaires demandés"),
            "needs.need.in_study": _("Besoin mis à l'étude"),
            "needs.need.answered": _("Un projet répond au besoin"),
            "needs.need.closed": _("Besoin clos"),
            "needs.need.report_attached": _("Signalement rattaché"),
            "needs.need.report_detached": _("Signalement détaché"),
            "needs.criterion.created": _("Critère ajouté"),
            "needs.criterion.updated": _("Critère modifié"),
            "needs.criterion.moved": _("Critère déplacé"),
        }
        for action, label in labels.items():
            register_action_label(action, label)

        from .indicators import register_all as register_indicators

        register_indicators()

        from . import handlers  # noqa: F401 - registers the event handlers
