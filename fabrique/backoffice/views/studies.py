"""Back-office pages of the opportunity studies: list, opening from retained needs, the study document
(steering group, workshops, scenarios, benchmark, conclusion), submission, staff go / no-go decision,
printable study (HTML and PDF).

Also registers the studies' dashboard deadlines and figures and the network columns (imported with the
back-office URLs).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from fabrique.audit.selectors import audit_timeline
from fabrique.committees.forms import DecisionForm
from fabrique.committees.selectors import agenda_items_on, decisions_on
from fabrique.committees.services import decision_record
from fabrique.core.errors import DomainError
from fabrique.core.exports import Column
from fabrique.core.pdf import css_string, pdf_response
from fabrique.fabriques.models import Permission
from fabrique.studies.forms import BenchmarkForm, ScenarioForm, StudyForm, StudyOpenForm, WorkshopForm
from fabrique.studies.models import Scenario, Study, StudyStage, Workshop
from fabrique.studies.selectors import (
    study_detail_queryset,
    study_list,
    study_needs,
    study_projects,
    study_workshops,
    with_study_counts,
)
from fabrique.studies.services import (
    benchmark_create,
    scenario_create,
    scenario_update,
    study_open,
    study_submit,
    study_update,
    workshop_create,
    workshop_update,
)

from ..partners import partners_context
from .base import (
    DecisionFormView,
    FabriqueViewMixin,
    FilteredListView,
    ServiceFormView,
    object_url,
    reason_label,
)


def studies_of(fabrique):
    return Study.objects.filter(fabrique=fabrique)


def workshops_of(fabrique):
    return Workshop.objects.filter(study__fabrique=fabrique, study__deleted_at__isnull=True)


def scenarios_of(fabrique):
    return Scenario.objects.filter(study__fabrique=fabrique, study__deleted_at__isnull=True)


class StudyMixin(FabriqueViewMixin):
    lookups = {"pk": studies_of}

    def get_study(self) -> Study:
        if not hasattr(self, "study"):
            self.study = self.scoped_get(study_detail_queryset(fabrique=self.fabrique), self.kwargs["pk"])
        return self.study

    def study_url(self, study: Study | None = None) -> str:
        return self.url("study_detail", pk=(study or self.get_study()).pk)


def _requested_pks(*values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


class StudyListView(FilteredListView):
    """The studies, a page at a time (their counts computed for the page's rows only)."""

    template_name = "backoffice/studies/study_list.html"
    context_object_name = "studies"
    export_name = "etudes"
    export_columns = (
        Column(gettext_lazy("Référence"), lambda s: s.reference, "reference"),
        Column(gettext_lazy("Intitulé"), lambda s: s.title, "title"),
        Column(gettext_lazy("Étape"), lambda s: s.get_stage_display(), "stage"),
        Column(gettext_lazy("Chantier"), lambda s: s.workstream.name if s.workstream else "", "workstream"),
        Column(gettext_lazy("Chargé·e de mission"), lambda s: str(s.officer or ""), "officer"),
        Column(gettext_lazy("Commencée le"), lambda s: s.started_on, "started_on"),
        Column(gettext_lazy("Échéance"), lambda s: s.due_on, "due_on"),
        Column(gettext_lazy("Créée le"), lambda s: s.created_at, "created_at"),
    )

    def get_queryset(self):
        return study_list(fabrique=self.fabrique, filters=self.request.GET)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["studies"] = context["object_list"] = with_study_counts(context["object_list"])
        context.update(
            stages=StudyStage.choices,
            current_stage=self.request.GET.get("stage", ""),
            query=self.request.GET.get("q", ""),
            filtered=bool(self.request.GET.get("stage") or self.request.GET.get("q")),
        )
        return context


class StudyCreateView(ServiceFormView):
    """Open a study on retained needs; `?need=<pk>` preselects a need (from the need's page)."""

    template_name = "backoffice/studies/study_form.html"
    form_class = StudyOpenForm
    success_message = gettext_lazy("L'étude « %(name)s » est ouverte.")

    def requested_needs(self) -> list[int]:
        # the autocomplete posts the chosen ids joined by ";" (one value) or as several values
        posted = [pk for value in self.request.POST.getlist("needs") for pk in value.split(";")]
        return _requested_pks(self.request.GET.get("need", ""), *(p.strip() for p in posted))

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "requested_needs": self.requested_needs()}

    def get_initial(self):
        initial = {"officer": self.request.user if self.membership.has_permission(Permission.EDIT) else None}
        need_pk = self.request.GET.get("need", "")
        if need_pk.isdigit():
            from fabrique.needs.models import Need

            need = Need.objects.filter(fabrique=self.fabrique, pk=int(need_pk)).first()
            if need is not None:
                initial["needs"] = [need.pk]
                initial["title"] = need.title
                initial["workstream"] = need.workstream_id
        return initial

    def perform(self, form):
        data = form.service_data()
        return study_open(
            fabrique=self.fabrique, actor=self.request.user, needs=form.cleaned_data["needs"], **data
        )

    def success_url_for(self, obj):
        return self.url("study_detail", pk=obj.pk)


class StudyUpdateView(StudyMixin, ServiceFormView):
    template_name = "backoffice/studies/study_form.html"
    form_class = StudyForm
    success_message = gettext_lazy("L'étude « %(name)s » a été modifiée.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_study()}

    def perform(self, form):
        study = self.scoped_get(Study, self.kwargs["pk"])  # fresh: the form wrote onto the instance
        return study_update(study=study, actor=self.request.user, **form.service_data())

    def success_url_for(self, obj):
        return self.study_url(obj)

    def get_context_data(self, **kwargs):
        return super().get_context_data(study=self.get_study(), **kwargs)


class StudyDetailView(StudyMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/studies/study_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        study = self.get_study()
        decisions = list(decisions_on(target=study))
        for decision in decisions:
            decision.reason_label = reason_label(decision, study)
        scenarios = list(study.scenarios.all())
        projects = list(study_projects(study=study))
        for project in projects:
            project.url = object_url(project, self.fabrique)
        needs = list(study_needs(study=study))
        for need in needs:
            need.url = object_url(need, self.fabrique)
        context.update(
            study=study,
            needs=needs,
            steering_people=study.steering_people.filter(deleted_at__isnull=True).select_related(
                "organization"
            ),
            steering_organizations=study.steering_organizations.filter(deleted_at__isnull=True),
            workshops=study_workshops(study=study),
            scenarios=scenarios,
            preferred=next((s for s in scenarios if s.is_preferred), None),
            benchmark=study.benchmark.all(),
            decisions=decisions,
            agenda_items=agenda_items_on(target=study).filter(decision__isnull=True),
            committees=study.committees.filter(deleted_at__isnull=True),
            projects=projects,
            timeline=audit_timeline(target=study),
            editable=study.is_editable and context["can_edit"],
            can_submit=context["can_edit"] and study.stage == StudyStage.IN_PROGRESS,
            can_decide_now=context["can_decide"] and study.stage == StudyStage.AWAITING_DECISION,
            **partners_context(self, study, can_edit=context["can_edit"]),
        )
        return context


class StudySubmitView(StudyMixin, TemplateView):
    """GET: what submitting means and a confirmation button; POST: submit for decision."""

    permission = Permission.EDIT
    template_name = "backoffice/studies/study_submit_confirm.html"

    def get_context_data(self, **kwargs):
        study = self.get_study()
        return super().get_context_data(study=study, scenario_count=study.scenarios.count(), **kwargs)

    def post(self, request, *args, **kwargs):
        study = self.get_study()
        try:
            study_submit(study=study, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("L'étude « %(study)s » est soumise à décision.") % {"study": study})
        return redirect(self.study_url())


class StudyDecideView(StudyMixin, DecisionFormView):
    """A decision taken by the team outside a committee meeting (a staff decision)."""

    permission = Permission.DECIDE
    form_class = DecisionForm
    with_votes = False

    def decision_target(self):
        return self.get_study()

    def get_context_data(self, **kwargs):
        return super().get_context_data(study=self.get_study(), staff_decision=True, **kwargs)

    def perform(self, form):
        study = self.get_study()
        return decision_record(
            fabrique=self.fabrique, actor=self.request.user, target=study, **form.service_data()
        )

    def done_url(self) -> str:
        return self.study_url()


# --- the study document --------------------------------------------------------------------------------------


class StudyChildFormView(StudyMixin, ServiceFormView):
    """Create or update a workshop, scenario or benchmark entry of the study."""

    model = None
    kwarg = ""

    def get_object(self):
        if not self.kwarg:
            return None
        if not hasattr(self, "object"):
            try:
                self.object = self.model.objects.get(study=self.get_study(), pk=self.kwargs[self.kwarg])
            except self.model.DoesNotExist as exc:
                raise Http404(_("Élément introuvable.")) from exc
        return self.object

    def fresh_object(self):
        return self.model.objects.get(pk=self.get_object().pk)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.get_object() is not None:
            kwargs["instance"] = self.get_object()
        return kwargs

    def success_url_for(self, obj):
        return self.study_url() + self.anchor

    def get_context_data(self, **kwargs):
        study = self.get_study()
        return super().get_context_data(
            study=study, object=self.get_object(), read_only=not study.is_editable, **kwargs
        )


class WorkshopCreateView(StudyChildFormView):
    template_name = "backoffice/studies/workshop_form.html"
    form_class = WorkshopForm
    model = Workshop
    anchor = "#ateliers"
    success_message = gettext_lazy("L'atelier « %(name)s » a été enregistré.")

    def get_initial(self):
        return {"date": timezone.localdate()}

    def perform(self, form):
        return workshop_create(study=self.get_study(), actor=self.request.user, **form.service_data())


class WorkshopUpdateView(WorkshopCreateView):
    kwarg = "workshop_pk"
    lookups = {"pk": studies_of, "workshop_pk": workshops_of}

    def get_initial(self):
        return {}

    def perform(self, form):
        return workshop_update(workshop=self.fresh_object(), actor=self.request.user, **form.service_data())


class ScenarioCreateView(StudyChildFormView):
    template_name = "backoffice/studies/scenario_form.html"
    form_class = ScenarioForm
    model = Scenario
    form_fabrique = False
    anchor = "#pistes"
    success_message = gettext_lazy("La piste « %(name)s » a été enregistrée.")

    def perform(self, form):
        return scenario_create(study=self.get_study(), actor=self.request.user, **form.service_data())


class ScenarioUpdateView(ScenarioCreateView):
    kwarg = "scenario_pk"
    lookups = {"pk": studies_of, "scenario_pk": scenarios_of}

    def perform(self, form):
        return scenario_update(scenario=self.fresh_object(), actor=self.request.user, **form.service_data())


class BenchmarkCreateView(StudyChildFormView):
    template_name = "backoffice/studies/benchmark_form.html"
    form_class = BenchmarkForm
    model = None
    form_fabrique = False
    anchor = "#benchmark"
    success_message = gettext_lazy("« %(name)s » a été ajouté au benchmark.")

    def perform(self, form):
        return benchmark_create(study=self.get_study(), actor=self.request.user, **form.service_data())


# --- printable study -----------------------------------------------------------------------------------------


class StudyPrintView(StudyMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/studies/study_print.html"
    as_pdf = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        study = self.get_study()
        decisions = list(decisions_on(target=study))
        for decision in decisions:
            decision.reason_label = reason_label(decision, study)
        scenarios = list(study.scenarios.all())
        context.update(
            study=study,
            needs=study_needs(study=study),
            steering_people=study.steering_people.filter(deleted_at__isnull=True).select_related(
                "organization"
            ),
            steering_organizations=study.steering_organizations.filter(deleted_at__isnull=True),
            workshops=study_workshops(study=study),
            scenarios=scenarios,
            preferred=next((s for s in scenarios if s.is_preferred), None),
            benchmark=study.benchmark.all(),
            decisions=decisions,
            printed_at=timezone.now(),
            running_title=css_string(f"{self.fabrique.name} — {_('Étude d’opportunité')} — {study}"),
            pdf_url=self.url("study_pdf", pk=study.pk),
            back_url=self.study_url(),
        )
        return context

    def get(self, request, *args, **kwargs):
        if not self.as_pdf:
            return super().get(request, *args, **kwargs)
        study = self.get_study()
        filename = f"{slugify(_('etude'))}-{slugify(study.reference or str(study.pk))}-{slugify(study.title)[:40]}.pdf"
        return pdf_response(
            template=self.template_name,
            context=self.get_context_data(**kwargs),
            filename=filename,
            request=request,
        )


urlpatterns = [
    path("etudes/", StudyListView.as_view(), name="study_list"),
    path("etudes/nouvelle/", StudyCreateView.as_view(), name="study_create"),
    path("etudes/<int:pk>/", StudyDetailView.as_view(), name="study_detail"),
    path("etudes/<int:pk>/modifier/", StudyUpdateView.as_view(), name="study_update"),
    path("etudes/<int:pk>/soumettre/", StudySubmitView.as_view(), name="study_submit"),
    path("etudes/<int:pk>/decision/", StudyDecideView.as_view(), name="study_decide"),
    path("etudes/<int:pk>/imprimer/", StudyPrintView.as_view(), name="study_print"),
    path("etudes/<int:pk>/etude.pdf", StudyPrintView.as_view(as_pdf=True), name="study_pdf"),
    path("etudes/<int:pk>/ateliers/nouveau/", WorkshopCreateView.as_view(), name="workshop_create"),
    path(
        "etudes/<int:pk>/ateliers/<int:workshop_pk>/modifier/",
        WorkshopUpdateView.as_view(),
        name="workshop_update",
    ),
    path("etudes/<int:pk>/pistes/nouvelle/", ScenarioCreateView.as_view(), name="scenario_create"),
    path(
        "etudes/<int:pk>/pistes/<int:scenario_pk>/modifier/",
        ScenarioUpdateView.as_view(),
        name="scenario_update",
    ),
    path("etudes/<int:pk>/benchmark/ajouter/", BenchmarkCreateView.as_view(), name="benchmark_create"),
]
