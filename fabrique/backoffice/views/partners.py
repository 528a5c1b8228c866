"""Partners of a study or a project: add one (organisation of the directory + role), remove one."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _

from fabrique.projects.models import Partnership, Project
from fabrique.projects.partners import PartnerAddForm, partner_add, partner_remove
from fabrique.studies.models import Study

from .base import ConfirmView, ServiceFormView

_TARGETS: dict[str, tuple[type[Study] | type[Project], str]] = {
    "study": (Study, "study_detail"),
    "project": (Project, "project_detail"),
}


def target_url_name(target: Study | Project) -> str:
    return "project_detail" if isinstance(target, Project) else "study_detail"


class PartnerAddView(ServiceFormView):
    """Add a partner: inline form on the study / project page, alone here (errors, no JS)."""

    template_name = "backoffice/partners/partner_add.html"
    form_class = PartnerAddForm
    kind = "project"

    def get_target(self) -> Study | Project:
        if not hasattr(self, "target"):
            model, _name = _TARGETS[self.kind]
            self.target: Study | Project = self.scoped_get(model, self.kwargs["pk"])
        return self.target

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        target = self.get_target()
        return super().get_context_data(
            target=target, target_url=self.url(target_url_name(target), pk=target.pk), **kwargs
        )

    def perform(self, form: PartnerAddForm) -> Partnership:
        return partner_add(
            target=self.get_target(),
            organization=form.cleaned_data["organization"],
            role=form.cleaned_data["role"],
            note=form.cleaned_data.get("note") or "",
            actor=self.user,
        )

    def get_success_message(self, obj: Partnership) -> str:
        return _("« %(name)s » est partenaire (%(role)s).") % {
            "name": obj.organization,
            "role": obj.get_role_display(),
        }

    def success_url_for(self, obj: Partnership) -> str:
        target = self.get_target()
        return self.url(target_url_name(target), pk=target.pk)


class PartnerRemoveView(ConfirmView):
    """Confirmation page; POST removes the partner."""

    template_name = "backoffice/partners/partner_remove.html"

    def get_partnership(self) -> Partnership:
        partnership: Partnership = self.scoped_get(
            Partnership.objects.select_related("organization", "study", "project"), self.kwargs["pk"]
        )
        return partnership

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        partnership = self.get_partnership()
        target = partnership.target
        return super().get_context_data(
            partnership=partnership,
            target=target,
            target_url=self.url(target_url_name(target), pk=target.pk),  # type: ignore[arg-type]
            **kwargs,
        )

    def perform(self) -> str:
        partnership = self.get_partnership()
        self.target = partnership.target
        partner_remove(partnership=partnership, actor=self.user)
        return _("« %(name)s » n'est plus partenaire.") % {"name": partnership.organization}

    def done_url(self) -> str:
        return self.url(target_url_name(self.target), pk=self.target.pk)  # type: ignore[arg-type]


urlpatterns = [
    path("etudes/<int:pk>/partenaires/", PartnerAddView.as_view(kind="study"), name="study_partner_add"),
    path("projets/<int:pk>/partenaires/", PartnerAddView.as_view(kind="project"), name="project_partner_add"),
    path("partenaires/<int:pk>/retirer/", PartnerRemoveView.as_view(), name="partner_remove"),
]
