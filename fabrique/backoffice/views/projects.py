"""Back-office pages of the projects: list, detail (the chain back to the study and the needs, and
forward to the leader, the support plan and the enterprise), creation, edit, stop, direct approach.

Thin views: parse with a form, fetch with `scoped_get` (another fabrique's pk is a 404), call the
service, turn its errors into French form errors. This module also registers the projects' dashboard
figures and network column (imported with the back-office URLs).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView

from fabrique.audit.selectors import audit_timeline
from fabrique.committees.services import decision_record, decisions_for
from fabrique.core.errors import DomainError
from fabrique.core.forms import add_service_errors
from fabrique.fabriques.models import Permission
from fabrique.network.selectors import register_network_column
from fabrique.projects.forms import DirectApproachForm, ProjectCreateForm, ProjectForm, ProjectStopForm
from fabrique.projects.models import Project, ProjectStage
from fabrique.projects.selectors import (
    project_count,
    project_enterprise,
    project_list,
    project_support_plan,
    projects_transmitted_count,
)
from fabrique.projects.services import project_create, project_stop, project_update
from fabrique.recruitment.selectors import application_list, call_list
from fabrique.recruitment.services import application_create_direct

from ..dashboard import Figure, register_figures
from ..mixins import FabriqueViewMixin

PAGE_SIZE = 25


def optional_url(name: str, **kwargs) -> str:
    """The URL, or "" when a colleague's page does not exist (yet): links degrade to plain text."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


class PageMixin(FabriqueViewMixin):
    """`can_edit` / `can_decide` for the templates, and a URL helper.

    `lookups` maps URL kwargs to models: an object of another fabrique answers 404 to every member,
    before any permission check (a 403 would only be given for the fabrique's own objects)."""

    def optional_url(self, name: str, **kwargs) -> str:
        return optional_url(f"backoffice:{name}", fabrique_slug=self.fabrique.slug, **kwargs)


class ServiceFormView(PageMixin, FormView):
    """A form whose valid data goes to a service: `perform(form)` returns the object or raises;
    the page shows the service's refusal in French and saves nothing."""

    permission = Permission.EDIT
    success_message = ""

    def form_valid(self, form):
        try:
            obj = self.perform(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message % {"name": obj})
        return redirect(self.success_url_for(obj))


# --- list ------------------------------------------------------------------------------------------------


class ProjectListView(PageMixin, ListView):
    permission = Permission.VIEW
    template_name = "backoffice/projects/project_list.html"
    context_object_name = "projects"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return project_list(fabrique=self.fabrique, filters=self.request.GET)

    def get_context_data(self, **kwargs):
        from fabrique.projects.filters import ProjectFilter

        context = super().get_context_data(**kwargs)
        context["filter_form"] = ProjectFilter(self.request.GET or None, fabrique=self.fabrique).form
        context["filtered"] = any(v for k, v in self.request.GET.items() if k != "page")
        context["total"] = context["paginator"].count if context.get("paginator") else len(self.object_list)
        return context


# --- detail ----------------------------------------------------------------------------------------------


class ProjectDetailView(PageMixin, DetailView):
    permission = Permission.VIEW
    lookups = {"pk": Project}
    template_name = "backoffice/projects/project_detail.html"
    context_object_name = "project"

    def get_object(self, queryset=None):
        return self.scoped_get(
            Project.objects.select_related(
                "study", "workstream", "officer", "commune", "leader_person", "leader_organization"
            ),
            self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project: Project = self.object
        slug = self.fabrique.slug
        study = project.study if project.study_id and not project.study.is_deleted else None
        context["study"] = study
        context["study_url"] = self.optional_url("study_detail", pk=study.pk) if study else ""
        context["needs"] = [
            {"need": need, "url": self.optional_url("need_detail", pk=need.pk)}
            for need in project.needs.filter(fabrique=self.fabrique, deleted_at__isnull=True)
        ]
        context["leader_person_url"] = (
            self.optional_url("person_detail", pk=project.leader_person_id)
            if project.leader_person_id
            else ""
        )
        context["leader_organization_url"] = (
            self.optional_url("organization_detail", pk=project.leader_organization_id)
            if project.leader_organization_id
            else ""
        )
        context["calls"] = call_list(fabrique=self.fabrique).filter(project=project)
        context["applications"] = application_list(project=project)
        plan = project_support_plan(project)
        context["support_plan"] = plan
        context["support_plan_url"] = (
            optional_url("backoffice:support_plan_detail", fabrique_slug=slug, pk=plan.pk) if plan else ""
        )
        context["support_plan_create_url"] = ""
        if plan is None and project.stage == ProjectStage.LEADER_SELECTED:
            # the support module names its kwarg; accept either spelling
            context["support_plan_create_url"] = optional_url(
                "backoffice:support_plan_create", fabrique_slug=slug, project_pk=project.pk
            ) or optional_url("backoffice:support_plan_create", fabrique_slug=slug, pk=project.pk)
        enterprise = project_enterprise(project)
        context["enterprise"] = enterprise
        context["enterprise_url"] = (
            self.optional_url("enterprise_detail", pk=enterprise.pk) if enterprise else ""
        )
        context["enterprise_create_url"] = (
            self.optional_url("enterprise_create", project_pk=project.pk)
            if enterprise is None and project.stage == ProjectStage.IN_SUPPORT
            else ""
        )
        context["stopped_at_stage_label"] = (
            project.workflow.label(project.stopped_at_stage) if project.stopped_at_stage else ""
        )
        context["can_seek_leader"] = project.stage == ProjectStage.SEEKING_LEADER
        context["decisions"] = decisions_for(project)
        context["timeline"] = audit_timeline(target=project)
        return context


# --- create, edit ----------------------------------------------------------------------------------------


class ProjectCreateView(ServiceFormView):
    template_name = "backoffice/projects/project_form.html"
    form_class = ProjectCreateForm
    success_message = gettext_lazy("Le projet « %(name)s » a été créé.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "fabrique": self.fabrique}

    def perform(self, form):
        return project_create(
            fabrique=self.fabrique,
            actor=self.request.user,
            data=form.service_data(),
            needs=form.cleaned_data.get("needs") or (),
        )

    def success_url_for(self, obj):
        return self.url("project_detail", pk=obj.pk)


class ProjectUpdateView(ServiceFormView):
    lookups = {"pk": Project}
    template_name = "backoffice/projects/project_form.html"
    form_class = ProjectForm
    success_message = gettext_lazy("Le projet « %(name)s » a été modifié.")

    def get_object(self) -> Project:
        if not hasattr(self, "object"):
            self.object = self.scoped_get(Project, self.kwargs["pk"])
        return self.object

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "fabrique": self.fabrique, "instance": self.get_object()}

    def perform(self, form):
        # a fresh row: the form has already written its values onto self.object
        project = self.scoped_get(Project, self.kwargs["pk"])
        return project_update(project=project, actor=self.request.user, data=form.service_data())

    def success_url_for(self, obj):
        return self.url("project_detail", pk=obj.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(project=self.get_object(), **kwargs)


# --- stop ------------------------------------------------------------------------------------------------


class ProjectStopView(ServiceFormView):
    lookups = {"pk": Project}
    template_name = "backoffice/projects/project_stop.html"
    form_class = ProjectStopForm
    success_message = gettext_lazy("Le projet « %(name)s » est arrêté ; le motif est conservé.")

    def get_project(self) -> Project:
        if not hasattr(self, "project"):
            self.project = self.scoped_get(Project, self.kwargs["pk"])
        return self.project

    def perform(self, form):
        return project_stop(
            project=self.get_project(),
            actor=self.request.user,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
        )

    def success_url_for(self, obj):
        return self.url("project_detail", pk=obj.pk)

    def get_context_data(self, **kwargs):
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
            self.project = self.scoped_get(Project, self.kwargs["pk"])
        return self.project

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "fabrique": self.fabrique,
            "can_decide": self.membership.has_permission(Permission.DECIDE),
        }

    def get_initial(self):
        initial = super().get_initial()
        for key in ("person", "organization"):
            value = self.request.GET.get(key, "")
            if value.isdigit():
                initial[key] = value
        return initial

    def perform(self, form):
        from django.db import transaction

        data = form.cleaned_data
        with transaction.atomic():
            application = application_create_direct(
                project=self.get_project(),
                actor=self.request.user,
                person=data.get("person"),
                organization=data.get("organization"),
                data={
                    "email": data.get("email") or "",
                    "phone": data.get("phone") or "",
                    "motivation": data["motivation"],
                    "experience": data.get("experience") or "",
                },
            )
            if data.get("designate"):
                decision_record(
                    fabrique=self.fabrique,
                    actor=self.request.user,
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

    def success_url_for(self, obj):
        if isinstance(obj, Project):
            return self.url("project_detail", pk=obj.pk)
        return self.url("application_detail", pk=obj.pk)

    def get_context_data(self, **kwargs):
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


# --- dashboard and network registrations ------------------------------------------------------------------


@register_figures
def project_figures(*, fabrique) -> list[Figure]:
    url = reverse("backoffice:project_list", kwargs={"fabrique_slug": fabrique.slug})
    return [
        Figure(
            label=_("projets en recherche de porteur"),
            value=project_count(fabrique=fabrique, stage=ProjectStage.SEEKING_LEADER),
            url=f"{url}?stage={ProjectStage.SEEKING_LEADER}",
        ),
        Figure(
            label=_("projets transmis à un porteur"),
            value=projects_transmitted_count(fabrique=fabrique),
            url=url,
        ),
    ]


register_network_column(
    gettext_lazy("Projets transmis (porteur trouvé)"), lambda f: projects_transmitted_count(fabrique=f)
)
