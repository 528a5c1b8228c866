"""Back-office pages of the projects: list, detail (the chain back to the study and the needs, and
forward to the leader, the support plan and the enterprise), creation, edit, stop, direct approach.

Thin views on the back-office base (`base.py`): parse with a form, fetch with `scoped_get` (another
fabrique's pk is a 404), call the service, turn its errors into French form errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.committees.services import decision_record, decisions_for
from fabrique.core.exports import Column
from fabrique.fabriques.models import Permission
from fabrique.projects.filters import ProjectFilter
from fabrique.projects.forms import DirectApproachForm, ProjectCreateForm, ProjectForm, ProjectStopForm
from fabrique.projects.models import Project, ProjectStage
from fabrique.projects.selectors import (
    project_enterprise,
    project_list,
    project_support_plan,
)
from fabrique.projects.services import project_create, project_stop, project_update
from fabrique.recruitment.models import Application
from fabrique.recruitment.selectors import application_list, call_list
from fabrique.recruitment.services import application_create_direct

from ..partners import partners_context
from .base import FilteredListView, ObjectDetailView, ServiceFormView

# --- list ------------------------------------------------------------------------------------------------


class ProjectListView(FilteredListView):
    template_name = "backoffice/projects/project_list.html"
    export_name = "projets"
    export_columns = (
        Column(gettext_lazy("Référence"), lambda p: p.reference, "reference"),
        Column(gettext_lazy("Intitulé"), lambda p: p.title, "title"),
        Column(gettext_lazy("Étape"), lambda p: p.get_stage_display(), "stage"),
        Column(gettext_lazy("Chantier"), lambda p: p.workstream.name if p.workstream else "", "workstream"),
        Column(gettext_lazy("Chargé·e de mission"), lambda p: str(p.officer or ""), "officer"),
        Column(gettext_lazy("Commune"), lambda p: p.commune.name if p.commune else "", "commune"),
        Column(gettext_lazy("Public"), lambda p: p.is_public, "is_public"),
        Column(gettext_lazy("Créé le"), lambda p: p.created_at, "created_at"),
    )
    context_object_name = "projects"
    filterset_class = ProjectFilter

    def get_queryset(self) -> QuerySet[Project]:
        return project_list(fabrique=self.fabrique, filters=self.request.GET)


# --- detail ----------------------------------------------------------------------------------------------


class ProjectDetailView(ObjectDetailView):
    lookups = {"pk": Project}
    template_name = "backoffice/projects/project_detail.html"
    context_object_name = "project"

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.select_related(
            "study", "workstream", "officer", "commune", "leader_person", "leader_organization"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        project: Project = self.object
        study = project.study if project.study is not None and not project.study.is_deleted else None
        context["study"] = study
        context["study_url"] = self.url("study_detail", pk=study.pk) if study else ""
        context["needs"] = [
            {"need": need, "url": self.url("need_detail", pk=need.pk)}
            for need in project.needs.filter(fabrique=self.fabrique, deleted_at__isnull=True)
        ]
        context["leader_person_url"] = (
            self.url("person_detail", pk=project.leader_person_id) if project.leader_person_id else ""
        )
        context["leader_organization_url"] = (
            self.url("organization_detail", pk=project.leader_organization_id)
            if project.leader_organization_id
            else ""
        )
        context["calls"] = call_list(fabrique=self.fabrique).filter(project=project)
        context["applications"] = application_list(project=project)
        plan = project_support_plan(project)
        context["support_plan"] = plan
        context["support_plan_url"] = self.url("support_plan_detail", pk=plan.pk) if plan else ""
        context["support_plan_create_url"] = (
            self.url("support_plan_create", project_pk=project.pk)
            if plan is None and project.stage == ProjectStage.LEADER_SELECTED
            else ""
        )
        enterprise = project_enterprise(project)
        context["enterprise"] = enterprise
        context["enterprise_url"] = self.url("enterprise_detail", pk=enterprise.pk) if enterprise else ""
        context["enterprise_create_url"] = (
            self.url("enterprise_create", project_pk=project.pk)
            if enterprise is None and project.stage == ProjectStage.IN_SUPPORT
            else ""
        )
        context["stopped_at_stage_label"] = (
            project.workflow.label(project.stopped_at_stage) if project.stopped_at_stage else ""
        )
        context["can_seek_leader"] = project.stage == ProjectStage.SEEKING_LEADER
        context["decisions"] = decisions_for(project)
        context.update(partners_context(self, project, can_edit=context["can_edit"]))
        return context


# --- create, edit ----------------------------------------------------------------------------------------


class ProjectCreateView(ServiceFormView):
    template_name = "backoffice/projects/project_form.html"
    form_class = ProjectCreateForm
    success_message = gettext_lazy("Le projet « %(name)s » a été créé.")

    def perform(self, form: ProjectCreateForm) -> Project:
        return project_create(
            fabrique=self.fabrique,
            actor=self.user,
            **form.service_data(),
            needs=form.cleaned_data.get("needs") or (),
        )

    def success_url_for(self, obj: Project) -> str:
        return self.url("project_detail", pk=obj.pk)


class ProjectUpdateView(ServiceFormView):
    lookups = {"pk": Project}
    template_name = "backoffice/projects/project_form.html"
    form_class = ProjectForm
    success_message = gettext_lazy("Le projet « %(name)s » a été modifié.")

    def get_object(self) -> Project:
        if not hasattr(self, "object"):
            self.object: Project = self.scoped_get(Project, self.kwargs["pk"])
        return self.object

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.get_object()}

    def perform(self, form: ProjectForm) -> Project:
        # a fresh row: the form has already written its values onto self.object
        project = self.scoped_get(Project, self.kwargs["pk"])
        return project_update(project=project, actor=self.user, **form.service_data())

    def success_url_for(self, obj: Project) -> str:
        return self.url("project_detail", pk=obj.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(project=self.get_object(), **kwargs)


# --- stop ------------------------------------------------------------------------------------------------


class ProjectStopView(ServiceFormView):
    lookups = {"pk": Project}
    template_name = "backoffice/projects/project_stop.html"
    form_class = ProjectStopForm
    form_fabrique = False
    success_message = gettext_lazy("Le projet « %(name)s » est arrêté ; le motif est conservé.")

    def get_project(self) -> Project:
        if not hasattr(self, "project"):
            self.project: Project = self.scoped_get(Project, self.kwargs["pk"])
        return self.project

    def perform(self, form: ProjectStopForm) -> Project:
        return project_stop(
            project=self.get_project(),
            actor=self.user,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
        )

    def success_url_for(self, obj: Project) -> str:
        return self.url("project_detail", pk=obj.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        project = self.get_project()
        return super().get_context_data(
            project=project,
            open_calls=call_list(fabrique=self.fabrique).filter(
                project=project, stage__in=["draft", "published", "closed"]
            ),
            **kwargs,
        )


# --- direct approach -------------------------------------------------------------------------------------


class ProjectDirectApproachView(ServiceFormView):
    """Propose a contact or a structure of the directory as leader (an application with source
    "direct"); with DECIDE, designate them at once through a staff decision."""

    lookups = {"pk": Project}
    template_name = "backoffice/projects/project_direct_approach.html"
    form_class = DirectApproachForm

    def get_project(self) -> Project:
        if not hasattr(self, "project"):
            self.project: Project = self.scoped_get(Project, self.kwargs["pk"])
        return self.project

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "can_decide": self.membership.has_permission(Permission.DECIDE)}

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        for key in ("person", "organization"):
            value = self.request.GET.get(key, "")
            if value.isdigit():
                initial[key] = value
        return initial

    def perform(self, form: DirectApproachForm) -> Project | Application:
        from django.db import transaction

        data = form.cleaned_data
        with transaction.atomic():
            application = application_create_direct(
                project=self.get_project(),
                actor=self.user,
                person=data.get("person"),
                organization=data.get("organization"),
                email=data.get("email") or "",
                phone=data.get("phone") or "",
                motivation=data["motivation"],
                experience=data.get("experience") or "",
            )
            if data.get("designate"):
                decision_record(
                    fabrique=self.fabrique,
                    actor=self.user,
                    target=application,
                    outcome="selected",
                    reasons=data.get("reasons") or "",
                )
        if data.get("designate"):
            messages.success(
                self.request, _("%(name)s est désormais porteur du projet.") % {"name": application}
            )
            return self.get_project()
        messages.success(
            self.request,
            _("La candidature de %(name)s (approche directe) est enregistrée : elle attend une décision.")
            % {"name": application},
        )
        return application

    def success_url_for(self, obj: Project | Application) -> str:
        if isinstance(obj, Project):
            return self.url("project_detail", pk=obj.pk)
        return self.url("application_detail", pk=obj.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        project = self.get_project()
        return super().get_context_data(
            project=project, can_seek_leader=project.stage == ProjectStage.SEEKING_LEADER, **kwargs
        )


urlpatterns = [
    path("projets/", ProjectListView.as_view(), name="project_list"),
    path("projets/nouveau/", ProjectCreateView.as_view(), name="project_create"),
    path("projets/<int:pk>/", ProjectDetailView.as_view(), name="project_detail"),
    path("projets/<int:pk>/modifier/", ProjectUpdateView.as_view(), name="project_update"),
    path("projets/<int:pk>/arreter/", ProjectStopView.as_view(), name="project_stop"),
    path(
        "projets/<int:pk>/approche-directe/",
        ProjectDirectApproachView.as_view(),
        name="project_direct_approach",
    ),
]
