"""Back-office pages of the workstreams (chantiers), on the back-office base (`base.py`)."""

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.core.exports import Column
from fabrique.directory.models import Organization
from fabrique.reporting.workstream import workstream_overview
from fabrique.workstreams.filters import WorkstreamFilter
from fabrique.workstreams.forms import MemberAddForm, WorkstreamForm
from fabrique.workstreams.models import Workstream
from fabrique.workstreams.selectors import workstream_list, workstream_members
from fabrique.workstreams.services import (
    workstream_create,
    workstream_delete,
    workstream_member_add,
    workstream_member_remove,
    workstream_update,
)

from .base import ConfirmView, FilteredListView, ObjectDetailView, ServiceFormView


class WorkstreamListView(FilteredListView):
    template_name = "backoffice/workstreams/workstream_list.html"
    export_name = "chantiers"
    export_columns = (
        Column(gettext_lazy("Nom"), lambda w: w.name, "name"),
        Column(gettext_lazy("Code"), lambda w: w.code, "code"),
        Column(gettext_lazy("Statut"), lambda w: w.get_status_display(), "status"),
        Column(gettext_lazy("Pilote"), lambda w: str(w.lead or ""), "lead"),
        Column(gettext_lazy("Créé le"), lambda w: w.created_at, "created_at"),
    )
    context_object_name = "workstreams"
    filterset_class = WorkstreamFilter

    def get_queryset(self) -> QuerySet[Workstream]:
        return workstream_list(fabrique=self.fabrique, filters=self.request.GET)


class WorkstreamDetailView(ObjectDetailView):
    template_name = "backoffice/workstreams/workstream_detail.html"
    context_object_name = "workstream"

    def get_queryset(self) -> QuerySet[Workstream]:
        return Workstream.objects.select_related("lead")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["members"] = workstream_members(workstream=self.object)
        context["overview"] = workstream_overview(workstream=self.object)
        if context["can_edit"]:
            context["member_form"] = MemberAddForm(workstream=self.object)
        return context


class WorkstreamCreateView(ServiceFormView):
    template_name = "backoffice/workstreams/workstream_form.html"
    form_class = WorkstreamForm
    success_message = gettext_lazy("Le chantier « %(name)s » a été créé.")

    def perform(self, form: WorkstreamForm) -> Workstream:
        return workstream_create(fabrique=self.fabrique, actor=self.user, **form.service_data())

    def success_url_for(self, obj: Workstream) -> str:
        return self.url("workstream_detail", pk=obj.pk)


class WorkstreamUpdateView(WorkstreamCreateView):
    success_message = gettext_lazy("Le chantier « %(name)s » a été modifié.")

    def get_object(self) -> Workstream:
        if not hasattr(self, "object"):
            self.object: Workstream = self.scoped_get(Workstream, self.kwargs["pk"])
        return self.object

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.get_object()}

    def perform(self, form: WorkstreamForm) -> Workstream:
        workstream = self.scoped_get(Workstream, self.kwargs["pk"])
        return workstream_update(workstream=workstream, actor=self.user, **form.service_data())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(workstream=self.get_object(), **kwargs)


class WorkstreamDeleteView(ConfirmView):
    template_name = "backoffice/workstreams/workstream_confirm_delete.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(workstream=self.scoped_get(Workstream, self.kwargs["pk"]), **kwargs)

    def perform(self) -> str:
        workstream = self.scoped_get(Workstream, self.kwargs["pk"])
        workstream_delete(workstream=workstream, actor=self.user)
        return _("Le chantier « %(name)s » a été supprimé.") % {"name": workstream}

    def done_url(self) -> str:
        return self.url("workstream_list")


class WorkstreamMemberAddView(ServiceFormView):
    """Add one organisation: inline form on the workstream page, alone here (errors, no JS)."""

    template_name = "backoffice/workstreams/member_add.html"
    form_class = MemberAddForm
    form_fabrique = False

    def get_workstream(self) -> Workstream:
        if not hasattr(self, "workstream"):
            self.workstream: Workstream = self.scoped_get(Workstream, self.kwargs["pk"])
        return self.workstream

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "workstream": self.get_workstream()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(workstream=self.get_workstream(), **kwargs)

    def perform(self, form: MemberAddForm) -> Organization:
        organization: Organization = form.cleaned_data["organization"]
        workstream_member_add(workstream=self.workstream, organization=organization, actor=self.user)
        return organization

    def get_success_message(self, organization: Organization) -> str:
        return _("« %(name)s » a rejoint le chantier.") % {"name": organization}

    def success_url_for(self, organization: Organization) -> str:
        return self.url("workstream_detail", pk=self.workstream.pk)


class WorkstreamMemberRemoveView(ConfirmView):
    """Confirmation page; POST removes the organisation from the collective."""

    template_name = "backoffice/workstreams/member_remove.html"

    def get_objects(self) -> tuple[Workstream, Organization]:
        workstream = self.scoped_get(Workstream, self.kwargs["pk"])
        organization = self.scoped_get(
            workstream_members(workstream=workstream), self.kwargs["organization_pk"]
        )
        return workstream, organization

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        workstream, organization = self.get_objects()
        return super().get_context_data(workstream=workstream, organization=organization, **kwargs)

    def perform(self) -> str:
        workstream, organization = self.get_objects()
        workstream_member_remove(workstream=workstream, organization=organization, actor=self.user)
        return _("« %(name)s » a quitté le chantier.") % {"name": organization}

    def done_url(self) -> str:
        return self.url("workstream_detail", pk=self.kwargs["pk"])


urlpatterns = [
    path("chantiers/", WorkstreamListView.as_view(), name="workstream_list"),
    path("chantiers/nouveau/", WorkstreamCreateView.as_view(), name="workstream_create"),
    path("chantiers/<int:pk>/", WorkstreamDetailView.as_view(), name="workstream_detail"),
    path("chantiers/<int:pk>/modifier/", WorkstreamUpdateView.as_view(), name="workstream_update"),
    path("chantiers/<int:pk>/supprimer/", WorkstreamDeleteView.as_view(), name="workstream_delete"),
    path("chantiers/<int:pk>/membres/", WorkstreamMemberAddView.as_view(), name="workstream_member_add"),
    path(
        "chantiers/<int:pk>/membres/<int:organization_pk>/retirer/",
        WorkstreamMemberRemoveView.as_view(),
        name="workstream_member_remove",
    ),
]
