"""Back-office pages of the support (accompagnement) and of the outcome (enterprise created, follow-ups).

Thin views on the back-office base (`base.py`): parse with a form, fetch through the access layer
(another fabrique's object is a 404, declared in `lookups`), call the service, turn its errors into
French form errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView, TemplateView

from fabrique.core.errors import DomainError
from fabrique.core.exports import Column
from fabrique.core.indicators import indicator
from fabrique.directory.errors import ProbableDuplicate
from fabrique.fabriques.models import Permission
from fabrique.projects.models import Enterprise, FollowUp, Project, ProjectStage
from fabrique.projects.outcome import (
    enterprise_update,
    followup_create,
    followup_update,
    project_record_creation,
)
from fabrique.projects.outcome_forms import EnterpriseForm, FollowUpForm
from fabrique.support import selectors
from fabrique.support.forms import (
    ActivityForm,
    FundingLineForm,
    MilestoneForm,
    ReferralForm,
    SupportPlanStartForm,
    SupportPlanStopForm,
    SupportPlanUpdateForm,
)
from fabrique.support.models import FundingLine, Milestone, SupportPlan, SupportStage
from fabrique.support.services import (
    activity_create,
    funding_create,
    funding_update,
    milestone_create,
    milestone_update,
    referral_create,
    support_plan_resume,
    support_plan_start,
    support_plan_stop,
    support_plan_update,
)

from .base import ExportMixin, FabriqueViewMixin, ServiceFormView

PAGE_SIZE = 30


def plans_of(fabrique):
    return selectors.support_plans(fabrique=fabrique)


def plan_children(model):
    """The rows of `model` (milestones, funding lines…) on a live plan of the fabrique."""

    def rows(fabrique):
        return model.objects.filter(
            plan__fabrique=fabrique, plan__deleted_at__isnull=True, plan__project__deleted_at__isnull=True
        )

    return rows


def enterprises_of(fabrique):
    return selectors.enterprises(fabrique=fabrique)


def followups_of(fabrique):
    return FollowUp.objects.filter(
        enterprise__project__fabrique=fabrique, enterprise__project__deleted_at__isnull=True
    )


def _url(name: str, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs=kwargs)


def thread_steps(
    *, fabrique, project: Project, plan: SupportPlan | None, enterprise: Enterprise | None, current: str
):
    """The chain reports → needs → study → project → support → enterprise, as linked steps."""
    slug = fabrique.slug
    thread = selectors.project_thread(project=project)
    needs = [
        {
            "text": str(need),
            "url": _url("need_detail", fabrique_slug=slug, pk=need.pk),
            "count": need.reports_count,
        }
        for need in thread["needs"]
    ]
    study = thread["study"]
    return {
        "reports_count": thread["reports_count"],
        "needs": needs,
        "study": {"text": str(study), "url": _url("study_detail", fabrique_slug=slug, pk=study.pk)}
        if study
        else None,
        "project": {
            "text": str(project),
            "url": _url("project_detail", fabrique_slug=slug, pk=project.pk),
        },
        "plan": {
            "url": reverse("backoffice:support_plan_detail", kwargs={"fabrique_slug": slug, "pk": plan.pk})
        }
        if plan
        else None,
        "enterprise": {
            "text": str(enterprise),
            "url": reverse(
                "backoffice:enterprise_detail", kwargs={"fabrique_slug": slug, "pk": enterprise.pk}
            ),
        }
        if enterprise
        else None,
        "current": current,
    }


class SupportMixin(FabriqueViewMixin):
    """The support pages' getters (404 when not the fabrique's) and breadcrumb links. The objects of
    the URL are declared in each view's `lookups`, checked before the role."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["project_list_url"] = _url("project_list", fabrique_slug=self.fabrique.slug)
        project = context.get("project")
        if project is not None and "project_url" not in context:
            context["project_url"] = _url("project_detail", fabrique_slug=self.fabrique.slug, pk=project.pk)
        return context

    def get_plan(self, pk) -> SupportPlan:
        try:
            return selectors.support_plan_get(fabrique=self.fabrique, pk=pk)
        except (SupportPlan.DoesNotExist, ValueError) as exc:
            raise Http404(_("Accompagnement introuvable.")) from exc

    def get_child(self, model, pk):
        try:
            return selectors.plan_child(model, fabrique=self.fabrique, pk=pk)
        except (ObjectDoesNotExist, ValueError) as exc:
            raise Http404(_("Élément introuvable.")) from exc

    def get_enterprise(self, pk) -> Enterprise:
        try:
            return selectors.enterprise_get(fabrique=self.fabrique, pk=pk)
        except (Enterprise.DoesNotExist, ValueError) as exc:
            raise Http404(_("Entreprise introuvable.")) from exc

    def get_followup(self, pk) -> FollowUp:
        try:
            return selectors.followup_get(fabrique=self.fabrique, pk=pk)
        except (FollowUp.DoesNotExist, ValueError) as exc:
            raise Http404(_("Suivi introuvable.")) from exc


class SupportFormView(SupportMixin, ServiceFormView):
    """A support form handed to a service (see `ServiceFormView`)."""


# --- support plans -------------------------------------------------------------------------------------


class SupportPlanListView(ExportMixin, SupportMixin, ListView):
    permission = Permission.VIEW
    template_name = "backoffice/support/plan_list.html"
    context_object_name = "plans"
    paginate_by = PAGE_SIZE
    export_name = "accompagnements"
    export_columns = (
        Column(gettext_lazy("Projet"), lambda p: p.project.title, "project"),
        Column(gettext_lazy("Référence du projet"), lambda p: p.project.reference, "project_reference"),
        Column(gettext_lazy("Étape"), lambda p: p.get_stage_display(), "stage"),
        Column(gettext_lazy("Chargé·e de mission"), lambda p: str(p.officer or ""), "officer"),
        Column(gettext_lazy("Début"), lambda p: p.started_on, "started_on"),
        Column(gettext_lazy("Depuis le"), lambda p: p.stage_changed_at, "stage_changed_at"),
        Column(gettext_lazy("Motif d'arrêt"), lambda p: p.stop_reason, "stop_reason"),
    )

    def get_queryset(self):
        qs = selectors.support_plans(fabrique=self.fabrique).order_by("-started_on", "-pk")
        stage = self.request.GET.get("etape")
        if stage in SupportStage.values:
            qs = qs.filter(stage=stage)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stages"] = SupportStage.choices
        context["current_stage"] = self.request.GET.get("etape", "")
        return context


class SupportPlanCreateView(SupportFormView):
    lookups = {"project_pk": Project}
    template_name = "backoffice/support/plan_create.html"
    form_class = SupportPlanStartForm
    success_message = gettext_lazy("L'accompagnement a commencé : « %(name)s ».")

    def get_project(self) -> Project:
        if not hasattr(self, "project"):
            self.project = self.scoped_get(
                Project.objects.select_related("officer"), self.kwargs["project_pk"]
            )
        return self.project

    def get(self, request, *args, **kwargs):
        plan = SupportPlan.objects.filter(project=self.get_project()).first()
        if plan is not None:
            return redirect(self.url("support_plan_detail", pk=plan.pk))
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.get_project(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        project = self.get_project()
        return super().get_context_data(
            project=project,
            stage_ok=project.stage == ProjectStage.LEADER_SELECTED,
            **kwargs,
        )

    def perform(self, form):
        return support_plan_start(project=self.get_project(), actor=self.request.user, **form.service_data())

    def success_url_for(self, obj):
        return self.url("support_plan_detail", pk=obj.pk)


class SupportPlanDetailView(SupportMixin, TemplateView):
    permission = Permission.VIEW
    lookups = {"pk": plans_of}
    template_name = "backoffice/support/plan_detail.html"

    def get_context_data(self, **kwargs):
        plan = self.get_plan(self.kwargs["pk"])
        project = plan.project
        enterprise = Enterprise.objects.filter(project=project).first()
        minutes = selectors.minutes_total(plan=plan)
        return super().get_context_data(
            plan=plan,
            project=project,
            enterprise=enterprise,
            thread=thread_steps(
                fabrique=self.fabrique, project=project, plan=plan, enterprise=enterprise, current="plan"
            ),
            milestones=selectors.plan_milestones(plan=plan),
            referrals=selectors.plan_referrals(plan=plan),
            funding_lines=selectors.plan_funding_lines(plan=plan),
            funding=selectors.funding_totals(plan=plan),
            activities=selectors.plan_activities(plan=plan),
            time_spent=selectors.format_minutes(minutes),
            can_record_creation=project.stage == ProjectStage.IN_SUPPORT
            and plan.stage == SupportStage.ACTIVE
            and enterprise is None,
            can_resume=plan.stage == SupportStage.STOPPED and project.stage == ProjectStage.IN_SUPPORT,
            timeline=selectors.support_plan_timeline(plan=plan),
            **kwargs,
        )


class PlanFormView(SupportFormView):
    """A form about one plan (plan_pk or pk in the URL): the plan is in the context for the breadcrumbs."""

    plan_kwarg = "plan_pk"
    lookups = {"plan_pk": plans_of}

    def get_plan_object(self) -> SupportPlan:
        if not hasattr(self, "plan"):
            self.plan = self.get_plan(self.kwargs[self.plan_kwarg])
        return self.plan

    def get_context_data(self, **kwargs):
        plan = self.get_plan_object()
        return super().get_context_data(plan=plan, project=plan.project, **kwargs)

    def success_url_for(self, obj):
        return self.url("support_plan_detail", pk=self.get_plan_object().pk)


class SupportPlanUpdateView(PlanFormView):
    template_name = "backoffice/support/plan_form.html"
    form_class = SupportPlanUpdateForm
    plan_kwarg = "pk"
    lookups = {"pk": plans_of}
    success_message = gettext_lazy("L'accompagnement a été modifié.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_plan_object()}

    def perform(self, form):
        plan = self.get_plan(self.kwargs["pk"])  # a fresh row: the form wrote onto the other one
        return support_plan_update(plan=plan, actor=self.request.user, **form.service_data())


class SupportPlanStopView(PlanFormView):
    template_name = "backoffice/support/plan_stop.html"
    form_class = SupportPlanStopForm
    form_fabrique = False
    plan_kwarg = "pk"
    lookups = {"pk": plans_of}
    success_message = gettext_lazy("L'accompagnement est interrompu.")

    def perform(self, form):
        return support_plan_stop(
            plan=self.get_plan_object(), actor=self.request.user, reason=form.cleaned_data["reason"]
        )


class SupportPlanResumeView(SupportMixin, TemplateView):
    """GET: a confirmation page; POST: resume the interrupted support."""

    permission = Permission.EDIT
    lookups = {"pk": plans_of}
    template_name = "backoffice/support/plan_resume.html"

    def get_context_data(self, **kwargs):
        plan = self.get_plan(self.kwargs["pk"])
        return super().get_context_data(plan=plan, project=plan.project, **kwargs)

    def post(self, request, *args, **kwargs):
        plan = self.get_plan(self.kwargs["pk"])
        try:
            support_plan_resume(plan=plan, actor=request.user, note=request.POST.get("note", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("L'accompagnement a repris."))
        return redirect(self.url("support_plan_detail", pk=plan.pk))


# --- milestones, referrals, funding, time spent ------------------------------------------------------------


class MilestoneCreateView(PlanFormView):
    template_name = "backoffice/support/item_form.html"
    form_class = MilestoneForm
    success_message = gettext_lazy("Le jalon « %(name)s » a été ajouté.")
    heading = gettext_lazy("Nouveau jalon")

    def perform(self, form):
        return milestone_create(plan=self.get_plan_object(), actor=self.request.user, **form.service_data())

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.heading, **kwargs)


class PlanChildUpdateView(PlanFormView):
    """Edit one item of a plan (a milestone, a funding line): the plan is the item's."""

    template_name = "backoffice/support/item_form.html"
    child_model: type = None

    def get_object(self):
        if not hasattr(self, "object"):
            self.object = self.get_child(self.child_model, self.kwargs["pk"])
        return self.object

    def get_plan_object(self) -> SupportPlan:
        if not hasattr(self, "plan"):
            self.plan = self.get_plan(self.get_object().plan_id)
        return self.plan

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_object()}


class MilestoneUpdateView(PlanChildUpdateView):
    child_model = Milestone
    lookups = {"pk": plan_children(Milestone)}
    form_class = MilestoneForm
    success_message = gettext_lazy("Le jalon « %(name)s » a été modifié.")

    def get_context_data(self, **kwargs):
        heading = _("Modifier le jalon « %(title)s »") % {"title": self.get_object().title}
        return super().get_context_data(heading=heading, **kwargs)

    def perform(self, form):
        milestone = self.get_child(Milestone, self.kwargs["pk"])
        return milestone_update(milestone=milestone, actor=self.request.user, **form.service_data())


class ReferralCreateView(PlanFormView):
    template_name = "backoffice/support/item_form.html"
    form_class = ReferralForm
    success_message = gettext_lazy("L'orientation vers « %(name)s » a été enregistrée.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Orienter le porteur vers un partenaire"), **kwargs)

    def perform(self, form):
        return referral_create(plan=self.get_plan_object(), actor=self.request.user, **form.service_data())


class FundingCreateView(PlanFormView):
    template_name = "backoffice/support/item_form.html"
    form_class = FundingLineForm
    success_message = gettext_lazy("La ligne « %(name)s » a été ajoutée au plan de financement.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Nouvelle ligne du plan de financement"), **kwargs)

    def perform(self, form):
        return funding_create(plan=self.get_plan_object(), actor=self.request.user, **form.service_data())


class FundingUpdateView(PlanChildUpdateView):
    child_model = FundingLine
    lookups = {"pk": plan_children(FundingLine)}
    form_class = FundingLineForm
    success_message = gettext_lazy("La ligne « %(name)s » a été modifiée.")

    def get_context_data(self, **kwargs):
        heading = _("Modifier la ligne « %(name)s »") % {"name": self.get_object().source_label}
        return super().get_context_data(heading=heading, **kwargs)

    def perform(self, form):
        line = self.get_child(FundingLine, self.kwargs["pk"])
        return funding_update(line=line, actor=self.request.user, **form.service_data())


class ActivityCreateView(PlanFormView):
    template_name = "backoffice/support/item_form.html"
    form_class = ActivityForm
    success_message = gettext_lazy("Le temps passé a été noté.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Noter un rendez-vous ou du temps passé"), **kwargs)

    def perform(self, form):
        return activity_create(plan=self.get_plan_object(), actor=self.request.user, **form.service_data())


# --- outcome: the enterprise created and its follow-up ----------------------------------------------------


class EnterpriseListView(ExportMixin, SupportMixin, ListView):
    permission = Permission.VIEW
    template_name = "backoffice/support/enterprise_list.html"
    context_object_name = "enterprises"
    paginate_by = PAGE_SIZE
    export_name = "entreprises"
    export_columns = (
        Column(gettext_lazy("Dénomination"), lambda e: e.legal_name, "legal_name"),
        Column(gettext_lazy("Forme juridique"), lambda e: e.get_legal_form_display(), "legal_form"),
        Column(gettext_lazy("SIRET"), lambda e: e.siret, "siret"),
        Column(gettext_lazy("Projet"), lambda e: e.project.title, "project"),
        Column(gettext_lazy("Commune"), lambda e: e.commune.name if e.commune else "", "commune"),
        Column(gettext_lazy("Créée le"), lambda e: e.created_on, "created_on"),
        Column(gettext_lazy("Emplois à la création (ETP)"), lambda e: e.jobs_fte, "jobs_fte"),
        Column(gettext_lazy("Site web"), lambda e: e.website, "website"),
    )

    def get_queryset(self):
        return (
            selectors.enterprises(fabrique=self.fabrique)
            .select_related("project", "commune")
            .order_by("-created_on", "-pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            enterprises_count=indicator("support.enterprises").value(self.fabrique),
            jobs_total=selectors.jobs_created_fte(fabrique=self.fabrique),
            **kwargs,
        )


class EnterpriseCreateView(SupportFormView):
    lookups = {"project_pk": Project}
    template_name = "backoffice/support/enterprise_form.html"
    form_class = EnterpriseForm
    success_message = gettext_lazy("La création de « %(name)s » est enregistrée. Bravo !")

    def get_project(self) -> Project:
        if not hasattr(self, "project"):
            self.project = self.scoped_get(
                Project.objects.select_related("leader_organization"), self.kwargs["project_pk"]
            )
        return self.project

    def get(self, request, *args, **kwargs):
        enterprise = Enterprise.objects.filter(project=self.get_project()).first()
        if enterprise is not None:
            return redirect(self.url("enterprise_detail", pk=enterprise.pk))
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        initial = super().get_initial()
        project = self.get_project()
        if project.leader_organization_id:
            initial["organization"] = project.leader_organization_id
        initial["commune"] = project.commune
        return initial

    def get_context_data(self, **kwargs):
        project = self.get_project()
        plan = SupportPlan.objects.filter(project=project).first()
        return super().get_context_data(
            project=project,
            plan=plan,
            stage_ok=project.stage == ProjectStage.IN_SUPPORT,
            plan_stopped=plan is not None and plan.stage == SupportStage.STOPPED,
            **kwargs,
        )

    def domain_error(self, form, exc: DomainError) -> None:
        if isinstance(exc, ProbableDuplicate):
            names = ", ".join(str(o) for o in exc.duplicates[:5])
            form.add_error(
                "organization",
                _("L'annuaire a déjà une structure qui lui ressemble (%(names)s) : choisissez-la ici.")
                % {"names": names},
            )
        else:
            super().domain_error(form, exc)

    def perform(self, form):
        return project_record_creation(
            project=self.get_project(), actor=self.request.user, **form.service_data()
        )

    def success_url_for(self, obj):
        return self.url("enterprise_detail", pk=obj.pk)


class EnterpriseDetailView(SupportMixin, TemplateView):
    permission = Permission.VIEW
    lookups = {"pk": enterprises_of}
    template_name = "backoffice/support/enterprise_detail.html"

    def get_context_data(self, **kwargs):
        enterprise = self.get_enterprise(self.kwargs["pk"])
        project = enterprise.project
        plan = SupportPlan.objects.filter(project=project).first()
        return super().get_context_data(
            enterprise=enterprise,
            project=project,
            plan=plan,
            thread=thread_steps(
                fabrique=self.fabrique,
                project=project,
                plan=plan,
                enterprise=enterprise,
                current="enterprise",
            ),
            slots=selectors.enterprise_followup_slots(enterprise=enterprise),
            timeline=selectors.enterprise_timeline(enterprise=enterprise),
            **kwargs,
        )


class EnterpriseUpdateView(SupportFormView):
    lookups = {"pk": enterprises_of}
    template_name = "backoffice/support/enterprise_form.html"
    form_class = EnterpriseForm
    success_message = gettext_lazy("« %(name)s » a été modifiée.")

    def get_object(self) -> Enterprise:
        if not hasattr(self, "object"):
            self.object = self.get_enterprise(self.kwargs["pk"])
        return self.object

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_object(), "with_create_option": False}

    def get_context_data(self, **kwargs):
        enterprise = self.get_object()
        return super().get_context_data(
            enterprise=enterprise, project=enterprise.project, stage_ok=True, **kwargs
        )

    def perform(self, form):
        enterprise = self.get_enterprise(self.kwargs["pk"])
        return enterprise_update(enterprise=enterprise, actor=self.request.user, **form.service_data())

    def success_url_for(self, obj):
        return self.url("enterprise_detail", pk=obj.pk)


class FollowUpCreateView(SupportFormView):
    lookups = {"enterprise_pk": enterprises_of}
    template_name = "backoffice/support/followup_form.html"
    form_class = FollowUpForm
    success_message = gettext_lazy("Le suivi « %(name)s » a été enregistré.")

    def get_enterprise_object(self) -> Enterprise:
        if not hasattr(self, "enterprise"):
            self.enterprise = self.get_enterprise(self.kwargs["enterprise_pk"])
        return self.enterprise

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "horizon": self.request.GET.get("horizon")}

    def get_context_data(self, **kwargs):
        enterprise = self.get_enterprise_object()
        return super().get_context_data(
            enterprise=enterprise,
            project=enterprise.project,
            slots=selectors.enterprise_followup_slots(enterprise=enterprise),
            heading=_("Point de suivi de « %(name)s »") % {"name": enterprise},
            **kwargs,
        )

    def perform(self, form):
        return followup_create(
            enterprise=self.get_enterprise_object(), actor=self.request.user, **form.service_data()
        )

    def success_url_for(self, obj):
        return self.url("enterprise_detail", pk=obj.enterprise_id)


class FollowUpUpdateView(FollowUpCreateView):
    lookups = {"pk": followups_of}
    success_message = gettext_lazy("Le suivi « %(name)s » a été modifié.")

    def get_object(self) -> FollowUp:
        if not hasattr(self, "object"):
            self.object = self.get_followup(self.kwargs["pk"])
        return self.object

    def get_enterprise_object(self) -> Enterprise:
        if not hasattr(self, "enterprise"):
            self.enterprise = self.get_enterprise(self.get_object().enterprise_id)
        return self.enterprise

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_object()}

    def perform(self, form):
        followup = self.get_followup(self.kwargs["pk"])
        return followup_update(followup=followup, actor=self.request.user, **form.service_data())


urlpatterns = [
    path("accompagnements/", SupportPlanListView.as_view(), name="support_plan_list"),
    path(
        "projets/<int:project_pk>/accompagnement/",
        SupportPlanCreateView.as_view(),
        name="support_plan_create",
    ),
    path("accompagnements/<int:pk>/", SupportPlanDetailView.as_view(), name="support_plan_detail"),
    path("accompagnements/<int:pk>/modifier/", SupportPlanUpdateView.as_view(), name="support_plan_update"),
    path("accompagnements/<int:pk>/interrompre/", SupportPlanStopView.as_view(), name="support_plan_stop"),
    path("accompagnements/<int:pk>/reprendre/", SupportPlanResumeView.as_view(), name="support_plan_resume"),
    path("accompagnements/<int:plan_pk>/jalons/", MilestoneCreateView.as_view(), name="milestone_create"),
    path("accompagnements/jalons/<int:pk>/", MilestoneUpdateView.as_view(), name="milestone_update"),
    path("accompagnements/<int:plan_pk>/orientations/", ReferralCreateView.as_view(), name="referral_create"),
    path("accompagnements/<int:plan_pk>/financements/", FundingCreateView.as_view(), name="funding_create"),
    path("accompagnements/financements/<int:pk>/", FundingUpdateView.as_view(), name="funding_update"),
    path("accompagnements/<int:plan_pk>/temps/", ActivityCreateView.as_view(), name="activity_create"),
    path("entreprises/", EnterpriseListView.as_view(), name="enterprise_list"),
    path("projets/<int:project_pk>/creation/", EnterpriseCreateView.as_view(), name="enterprise_create"),
    path("entreprises/<int:pk>/", EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("entreprises/<int:pk>/modifier/", EnterpriseUpdateView.as_view(), name="enterprise_update"),
    path("entreprises/<int:enterprise_pk>/suivis/", FollowUpCreateView.as_view(), name="followup_create"),
    path("entreprises/suivis/<int:pk>/", FollowUpUpdateView.as_view(), name="followup_update"),
]
