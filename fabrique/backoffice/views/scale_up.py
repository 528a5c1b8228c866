"""The change-of-scale path: a retained need entrusted to an existing structure of the directory."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _

from fabrique.fabriques.models import Permission
from fabrique.needs.models import Need, NeedStage
from fabrique.projects.models import Project
from fabrique.projects.scale_up import ScaleUpForm
from fabrique.projects.services import project_create_scale_up

from .base import ServiceFormView

SCALE_UP_STAGES = (NeedStage.RETAINED, NeedStage.IN_STUDY)


class NeedScaleUpView(ServiceFormView):
    """GET: the form (organisation, title, reasons); POST: the project, led by the structure, answers
    the need. A staff action (EDIT: administrators and officers), its reasons kept in the history."""

    permission = Permission.EDIT
    lookups = {"pk": Need}
    template_name = "backoffice/projects/scale_up.html"
    form_class = ScaleUpForm

    def get_need(self) -> Need:
        if not hasattr(self, "need"):
            self.need: Need = self.scoped_get(Need, self.kwargs["pk"])
        return self.need

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "title": self.get_need().title[:200]}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        need = self.get_need()
        return super().get_context_data(need=need, possible=need.stage in SCALE_UP_STAGES, **kwargs)

    def perform(self, form: ScaleUpForm) -> Project:
        data = form.cleaned_data
        project = project_create_scale_up(
            need=self.get_need(),
            organization=data["organization"],
            actor=self.user,
            title=data["title"],
            summary=data.get("summary") or "",
            reasons=data["reasons"],
        )
        return project

    def get_success_message(self, obj: Project) -> str:
        return _("« %(organization)s » porte le projet « %(project)s » (changement d'échelle).") % {
            "organization": obj.leader_organization,
            "project": obj.title,
        }

    def success_url_for(self, obj: Project) -> str:
        return self.url("project_detail", pk=obj.pk)


urlpatterns = [
    path("besoins/<int:pk>/changement-d-echelle/", NeedScaleUpView.as_view(), name="need_scale_up"),
]
