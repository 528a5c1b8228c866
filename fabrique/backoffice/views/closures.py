"""The ends a state machine allows that need only a reason: close a need, abandon a study, cancel a
meeting. One page each (the reason, then the service); the reason is the note of the audit entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import Model
from django.urls import path
from django.utils.translation import gettext_lazy as _

from fabrique.committees.models import Meeting, MeetingStatus
from fabrique.committees.services import meeting_cancel
from fabrique.core.limits import LONG_TEXT
from fabrique.fabriques.models import Permission
from fabrique.needs.models import Need
from fabrique.needs.services import CLOSABLE_STAGES, need_close
from fabrique.studies.models import Study, StudyStage
from fabrique.studies.services import study_abandon

from .base import ServiceFormView, object_url


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 4}), max_length=LONG_TEXT)


class ReasonActionView(ServiceFormView):
    """GET: what will happen and the reason field; POST: the service, then back to the object."""

    template_name = "backoffice/reason_action.html"
    form_class = ReasonForm
    form_fabrique = False
    model: type[Model]
    service: Callable[..., Any]
    object_kwarg = ""
    title = _("Action")
    explanation: Any = ""
    button = _("Confirmer")
    done = _("C'est fait.")
    possible: Callable[[Any], bool] = staticmethod(lambda obj: True)

    def get_target(self) -> Any:
        if not hasattr(self, "target"):
            self.target = self.scoped_get(self.model, self.kwargs["pk"])
        return self.target

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        target = self.get_target()
        return super().get_context_data(
            target=target,
            target_url=self.target_url(target),
            title=self.title,
            explanation=self.explanation,
            button=self.button,
            possible=type(self).possible(target),
            **kwargs,
        )

    def target_url(self, target: Any) -> str:
        return object_url(target, self.fabrique)

    def perform(self, form: ReasonForm) -> Any:
        return type(self).service(
            **{self.object_kwarg: self.get_target()},
            actor=self.request.user,
            reason=form.cleaned_data["reason"],
        )

    def get_success_message(self, obj: Any) -> str:
        return str(self.done)

    def success_url_for(self, obj: Any) -> str:
        return self.target_url(self.get_target())


class NeedCloseView(ReasonActionView):
    permission = Permission.DECIDE
    lookups = {"pk": Need}
    model = Need
    service = staticmethod(need_close)
    object_kwarg = "need"
    title = _("Clore le besoin")
    explanation = _(
        "Le besoin ne demande plus de travail de la fabrique : couvert par un autre acteur, disparu, "
        "fondu dans un besoin plus large… Il pourra être rouvert."
    )
    button = _("Clore le besoin")
    done = _("Le besoin est clos.")
    possible = staticmethod(lambda need: need.stage in CLOSABLE_STAGES)


class StudyAbandonView(ReasonActionView):
    permission = Permission.EDIT
    lookups = {"pk": Study}
    model = Study
    service = staticmethod(study_abandon)
    object_kwarg = "study"
    title = _("Abandonner l'étude")
    explanation = _(
        "L'étude s'arrête avant toute décision. Ses besoins encore « en étude » redeviennent « retenus » "
        "(sauf s'ils sont dans une autre étude ouverte)."
    )
    button = _("Abandonner l'étude")
    done = _("L'étude est abandonnée.")
    possible = staticmethod(
        lambda study: study.stage in (StudyStage.IN_PROGRESS, StudyStage.AWAITING_DECISION)
    )


class MeetingCancelView(ReasonActionView):
    permission = Permission.EDIT
    lookups = {"pk": Meeting}
    model = Meeting
    service = staticmethod(meeting_cancel)
    object_kwarg = "meeting"
    title = _("Annuler la séance")
    explanation = _(
        "Les membres convoqués reçoivent l'annulation de l'invitation dans leur agenda. Une séance qui a "
        "déjà des décisions ne peut pas être annulée."
    )
    button = _("Annuler la séance")
    done = _("La séance est annulée.")
    possible = staticmethod(lambda meeting: meeting.status == MeetingStatus.PLANNED)


urlpatterns = [
    path("besoins/<int:pk>/clore/", NeedCloseView.as_view(), name="need_close"),
    path("etudes/<int:pk>/abandonner/", StudyAbandonView.as_view(), name="study_abandon"),
    path("comites/seances/<int:pk>/annuler/", MeetingCancelView.as_view(), name="meeting_cancel"),
]
