from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "fabrique.recruitment"
    label = "recruitment"
    verbose_name = _("recherche de porteurs")

    def ready(self) -> None:
        from fabrique.audit.labels import register_action_label
        from fabrique.committees.registry import Outcome, register_involved, register_outcomes

        from .models import Application, ApplicationStage

        # a committee member from the candidate's structure has a conflict of interest
        register_involved(Application, lambda a: {a.organization_id} - {None})
        from .services import application_reject, application_select

        open_stages = frozenset({ApplicationStage.SUBMITTED, ApplicationStage.UNDER_REVIEW})
        register_outcomes(
            Application,
            [
                Outcome(
                    code="selected",
                    label=_("candidature retenue : porteur du projet"),
                    handler=lambda target, decision, actor: application_select(
                        application=target, actor=actor, decision=decision
                    ),
                    from_stages=open_stages,
                ),
                Outcome(
                    code="not_selected",
                    label=_("candidature non retenue"),
                    handler=lambda target, decision, actor: application_reject(
                        application=target, actor=actor, decision=decision
                    ),
                    from_stages=open_stages,
                ),
            ],
        )
        for action, label in {
            "recruitment.call.published": _("Publication — appel à porteurs"),
            "recruitment.call.closed": _("Clôture des candidatures — appel à porteurs"),
            "recruitment.call.decided": _("Sélection faite — appel à porteurs"),
            "recruitment.call.cancelled": _("Annulation — appel à porteurs"),
            "recruitment.call.draft": _("Retour en brouillon — appel à porteurs"),
            "recruitment.call.grid_updated": _("Modification de la grille d'évaluation"),
            "recruitment.call.evaluators_updated": _("Choix des évaluateur·rices"),
            "recruitment.application.created": _("Dépôt — candidature"),
            "recruitment.application.under_review": _("Mise en évaluation — candidature"),
            "recruitment.application.selected": _("Candidature retenue"),
            "recruitment.application.not_selected": _("Candidature non retenue"),
            "recruitment.application.withdrawn": _("Retrait — candidature"),
            "recruitment.evaluation.saved": _("Évaluation enregistrée (brouillon)"),
            "recruitment.evaluation.submitted": _("Évaluation soumise"),
        }.items():
            register_action_label(action, label)

        from .indicators import register_all as register_indicators

        register_indicators()

        from . import handlers  # noqa: F401 - registers the event handlers
