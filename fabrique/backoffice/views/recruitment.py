"""Back-office pages of the recruitment of leaders: calls (grid, evaluators, publication, closing),
applications (document, blind evaluation, staff decision).

Documents are served only here, after the access layer; evaluators see other evaluators' scores
only once they submitted their own (see `fabrique.recruitment.selectors`).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from fabrique.audit.selectors import audit_timeline
from fabrique.committees import registry
from fabrique.committees.services import decision_record, decisions_for
from fabrique.core.errors import DomainError
from fabrique.core.exports import Column
from fabrique.fabriques.models import Permission
from fabrique.projects.models import Project, ProjectStage
from fabrique.recruitment.forms import (
    CallCancelForm,
    CallEvaluatorsForm,
    CallForm,
    CriterionFormSet,
    DecisionForm,
    EvaluationForm,
)
from fabrique.recruitment.indicators import TO_EVALUATE, applications_to_evaluate
from fabrique.recruitment.models import Application, ApplicationStage, Call, CallStage, Evaluation
from fabrique.recruitment.selectors import (
    call_application_rows,
    call_criteria,
    call_list,
    evaluation_view,
)
from fabrique.recruitment.services import (
    call_cancel,
    call_close,
    call_create,
    call_evaluators_set,
    call_publish,
    call_update,
    default_criteria,
    evaluation_save,
)
from fabrique.recruitment.validators import CONTENT_TYPES, document_kind

from .base import FabriqueViewMixin, FilteredListView, ObjectDetailView, ServiceFormView

# --- calls -----------------------------------------------------------------------------------------------


class CallListView(FilteredListView):
    template_name = "backoffice/recruitment/call_list.html"
    export_name = "appels"
    export_columns = (
        Column(gettext_lazy("Intitulé"), lambda c: c.title, "title"),
        Column(gettext_lazy("Projet"), lambda c: c.project.title, "project"),
        Column(gettext_lazy("Étape"), lambda c: c.get_stage_display(), "stage"),
        Column(gettext_lazy("Date limite"), lambda c: c.deadline, "deadline"),
        Column(gettext_lazy("Publié le"), lambda c: c.published_on, "published_on"),
        Column(gettext_lazy("Candidatures"), lambda c: c.application_count, "applications"),
    )
    context_object_name = "calls"

    def get_queryset(self):
        stage = self.request.GET.get("stage", "")
        return call_list(fabrique=self.fabrique, stage=stage if stage in CallStage.values else None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stages"] = CallStage.choices
        context["current_stage"] = self.request.GET.get("stage", "")
        return context


class CallFormMixin:
    """A call form and its grid formset, validated together and saved through one service call."""

    def get_formset(self, initial=None):
        data = self.request.POST if self.request.method == "POST" else None
        return CriterionFormSet(data, initial=initial, prefix="criteria")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        formset = getattr(self, "formset", None)
        context.setdefault(
            "formset", formset if formset is not None else self.get_formset(self.grid_initial())
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        self.formset = self.get_formset(self.grid_initial())
        if form.is_valid() and self.formset.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def service_errors(self, form, exc):
        """The service's "criteria" error (the grid's rules) shows above the grid, the rest on the form."""
        errors = dict(getattr(exc, "error_dict", {}))
        grid = errors.pop("criteria", None)
        if grid is None:
            return super().service_errors(form, exc)
        self.formset.non_form_errors().extend(ValidationError(grid).messages)
        if errors:
            super().service_errors(form, ValidationError(errors))


class CallCreateView(CallFormMixin, ServiceFormView):
    lookups = {"project_pk": Project}
    template_name = "backoffice/recruitment/call_form.html"
    form_class = CallForm
    success_message = gettext_lazy("L'appel « %(name)s » est créé en brouillon : relisez-le puis publiez-le.")

    def get_project(self) -> Project:
        if not hasattr(self, "project"):
            self.project = self.scoped_get(Project, self.kwargs["project_pk"])
        return self.project

    def grid_initial(self):
        return default_criteria()

    def get_initial(self):
        project = self.get_project()
        return {
            "title": _("Appel à porteurs : %(title)s") % {"title": project.title},
            "description": project.public_summary or project.summary,
            "deadline": timezone.localdate() + datetime.timedelta(days=45),
        }

    def perform(self, form):
        return call_create(
            project=self.get_project(),
            actor=self.request.user,
            **form.service_data(),
            criteria=self.formset.rows(),
        )

    def success_url_for(self, obj):
        return self.url("call_detail", pk=obj.pk)

    def get_context_data(self, **kwargs):
        project = self.get_project()
        return super().get_context_data(
            project=project, can_seek_leader=project.stage == ProjectStage.SEEKING_LEADER, **kwargs
        )


class CallUpdateView(CallFormMixin, ServiceFormView):
    lookups = {"pk": Call}
    template_name = "backoffice/recruitment/call_form.html"
    form_class = CallForm
    success_message = gettext_lazy("L'appel « %(name)s » a été modifié.")

    def get_object(self) -> Call:
        if not hasattr(self, "object"):
            self.object = self.scoped_get(Call.objects.select_related("project"), self.kwargs["pk"])
        return self.object

    def grid_initial(self):
        return [
            {"label": c.label, "weight": c.weight, "max_score": c.max_score}
            for c in call_criteria(call=self.get_object())
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_object()}

    def perform(self, form):
        call = self.scoped_get(Call, self.kwargs["pk"])
        return call_update(
            call=call, actor=self.request.user, **form.service_data(), criteria=self.formset.rows()
        )

    def success_url_for(self, obj):
        return self.url("call_detail", pk=obj.pk)

    def get_context_data(self, **kwargs):
        call = self.get_object()
        return super().get_context_data(call=call, project=call.project, can_seek_leader=True, **kwargs)


class CallDetailView(ObjectDetailView):
    lookups = {"pk": Call}
    template_name = "backoffice/recruitment/call_detail.html"
    context_object_name = "call"

    def get_queryset(self):
        return Call.objects.select_related("project")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        call: Call = self.object
        context["criteria"] = call_criteria(call=call)
        context["evaluators"] = list(call.evaluators.order_by("first_name", "last_name"))
        context["is_evaluator"] = any(u.pk == self.request.user.pk for u in context["evaluators"])
        context["rows"] = call_application_rows(call=call, user=self.request.user)
        context["public_url"] = (
            reverse(
                "public:call_detail", kwargs={"fabrique_slug": self.fabrique.slug, "call_slug": call.slug}
            )
            if call.stage in (CallStage.PUBLISHED, CallStage.CLOSED, CallStage.DECIDED)
            else ""
        )
        return context


class CallActionView(FabriqueViewMixin, TemplateView):
    """GET: a confirmation page; POST: the transition. Works without JavaScript."""

    permission = Permission.EDIT
    lookups = {"pk": Call}
    template_name = "backoffice/recruitment/call_confirm.html"
    action = ""
    title = ""
    explanation = ""
    button = ""
    done_message = ""

    def get_call(self) -> Call:
        if not hasattr(self, "call"):
            self.call = self.scoped_get(Call.objects.select_related("project"), self.kwargs["pk"])
        return self.call

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            call=self.get_call(),
            title=self.title,
            explanation=self.explanation,
            button=self.button,
            action=self.action,
            **kwargs,
        )

    def perform(self, call: Call):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        call = self.get_call()
        try:
            self.perform(call)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, self.done_message % {"name": call})
        return redirect(self.url("call_detail", pk=call.pk))


class CallPublishView(CallActionView):
    action = "publish"
    title = gettext_lazy("Publier l'appel")
    explanation = gettext_lazy(
        "L'appel apparaîtra sur la page publique de la fabrique et recevra des candidatures "
        "jusqu'à la date limite incluse."
    )
    button = gettext_lazy("Publier")
    done_message = gettext_lazy("L'appel « %(name)s » est publié.")

    def perform(self, call):
        call_publish(call=call, actor=self.request.user)


class CallCloseView(CallActionView):
    action = "close"
    title = gettext_lazy("Clore les candidatures")
    explanation = gettext_lazy(
        "L'appel ne recevra plus de candidatures ; celles reçues passent en évaluation."
    )
    button = gettext_lazy("Clore les candidatures")
    done_message = gettext_lazy("Les candidatures à l'appel « %(name)s » sont closes.")

    def perform(self, call):
        call_close(call=call, actor=self.request.user)


class CallCancelView(ServiceFormView):
    lookups = {"pk": Call}
    template_name = "backoffice/recruitment/call_cancel.html"
    form_class = CallCancelForm
    form_fabrique = False
    success_message = gettext_lazy("L'appel « %(name)s » est annulé.")

    def get_call(self) -> Call:
        if not hasattr(self, "call"):
            self.call = self.scoped_get(Call.objects.select_related("project"), self.kwargs["pk"])
        return self.call

    def perform(self, form):
        call = self.get_call()
        call_cancel(call=call, actor=self.request.user, reason=form.cleaned_data["reason"])
        return call

    def success_url_for(self, call):
        return self.url("call_detail", pk=call.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(call=self.get_call(), **kwargs)


class CallEvaluatorsView(ServiceFormView):
    lookups = {"pk": Call}
    template_name = "backoffice/recruitment/call_evaluators.html"
    form_class = CallEvaluatorsForm
    success_message = gettext_lazy("Les évaluateur·rices de l'appel « %(name)s » sont enregistré·es.")

    def get_call(self) -> Call:
        if not hasattr(self, "call"):
            self.call = self.scoped_get(Call.objects.select_related("project"), self.kwargs["pk"])
        return self.call

    def get_initial(self):
        return {"evaluators": list(self.get_call().evaluators.all())}

    def perform(self, form):
        return call_evaluators_set(
            call=self.get_call(), actor=self.request.user, users=form.cleaned_data["evaluators"]
        )

    def success_url_for(self, obj):
        return self.url("call_detail", pk=obj.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(call=self.get_call(), **kwargs)


# --- applications ---------------------------------------------------------------------------------------


class ApplicationListView(FilteredListView):
    """The fabrique's applications; `?stage=to_evaluate` lists exactly those the dashboard counts as
    "à évaluer" (applications to a call still waiting for a decision)."""

    template_name = "backoffice/recruitment/application_list.html"
    export_name = "candidatures"
    export_columns = (
        Column(gettext_lazy("Appel"), lambda a: a.call.title if a.call else "", "call"),
        Column(gettext_lazy("Projet"), lambda a: a.project.title, "project"),
        Column(gettext_lazy("Prénom"), lambda a: a.first_name, "first_name"),
        Column(gettext_lazy("Nom"), lambda a: a.last_name, "last_name"),
        Column(gettext_lazy("Structure"), lambda a: a.organization_name, "organization"),
        Column(gettext_lazy("E-mail"), lambda a: a.email, "email"),
        Column(gettext_lazy("Téléphone"), lambda a: a.phone, "phone"),
        Column(gettext_lazy("Origine"), lambda a: a.get_source_display(), "source"),
        Column(gettext_lazy("Étape"), lambda a: a.get_stage_display(), "stage"),
        Column(gettext_lazy("Reçue le"), lambda a: a.created_at, "created_at"),
    )
    context_object_name = "applications"

    def get_queryset(self):
        stage = self.request.GET.get("stage", "")
        rows = applications_to_evaluate() if stage == TO_EVALUATE else Application.objects.all()
        if stage in ApplicationStage.values:
            rows = rows.filter(stage=stage)
        return (
            rows.filter(fabrique=self.fabrique)
            .select_related("call", "project", "person", "organization")
            .order_by("-created_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stages"] = [(TO_EVALUATE, _("à évaluer")), *ApplicationStage.choices]
        context["current_stage"] = self.request.GET.get("stage", "")
        return context


class ApplicationMixin(FabriqueViewMixin):
    lookups = {"pk": Application}

    def get_application(self) -> Application:
        if not hasattr(self, "application"):
            self.application = self.scoped_get(
                Application.objects.select_related("call", "project", "person", "organization"),
                self.kwargs["pk"],
            )
        return self.application


class ApplicationDetailView(ApplicationMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/recruitment/application_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.get_application()
        context["application"] = application
        context["call"] = application.call
        context["project"] = application.project
        context["evaluations"] = evaluation_view(application=application, user=self.request.user)
        context["decisions"] = decisions_for(application)
        context["outcomes"] = registry.outcomes_for(application)
        context["person_url"] = (
            self.url("person_detail", pk=application.person_id) if application.person_id else ""
        )
        context["organization_url"] = (
            self.url("organization_detail", pk=application.organization_id)
            if application.organization_id
            else ""
        )
        context["timeline"] = audit_timeline(target=application)
        return context


class ApplicationDocumentView(ApplicationMixin, TemplateView):
    """The application's document, as an attachment, only through the access layer."""

    permission = Permission.VIEW

    def get(self, request, *args, **kwargs):
        application = self.get_application()
        if not application.document:
            raise Http404(_("Cette candidature n'a pas de dossier joint."))
        try:
            with application.document.open("rb") as handle:
                kind = document_kind(handle) or "pdf"
                content = handle.read()  # 10 MB at most (checked on upload)
        except (FileNotFoundError, OSError) as exc:
            raise Http404(_("Le dossier de cette candidature est introuvable.")) from exc
        response = HttpResponse(content, content_type=CONTENT_TYPES.get(kind, "application/octet-stream"))
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"candidature-{application.pk}.{kind}"
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ApplicationEvaluateView(ApplicationMixin, ServiceFormView):
    """The evaluator's grid: save as a draft, then submit. Only the call's evaluators may open it."""

    permission = Permission.DECIDE
    template_name = "backoffice/recruitment/application_evaluate.html"
    form_class = EvaluationForm
    form_fabrique = False

    def setup_evaluation(self):
        application = self.get_application()
        if application.call is None:
            raise Http404(_("Une candidature en approche directe ne se note pas sur une grille."))
        self.is_evaluator = application.call.evaluators.filter(pk=self.request.user.pk).exists()
        self.evaluation = (
            Evaluation.objects.filter(application=application, evaluator=self.request.user)
            .prefetch_related("scores")
            .first()
        )

    def get(self, request, *args, **kwargs):
        self.setup_evaluation()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        # who may evaluate, and a submitted evaluation's freeze, are evaluation_save's rules
        self.setup_evaluation()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "criteria": call_criteria(call=self.get_application().call),
            "evaluation": self.evaluation,
        }

    def perform(self, form):
        return evaluation_save(
            application=self.get_application(),
            evaluator=self.request.user,
            scores=form.scores(),
            comment=form.cleaned_data.get("comment") or "",
            submit="submit" in self.request.POST,
        )

    def get_success_message(self, evaluation) -> str:
        if "submit" in self.request.POST:
            return _("Votre évaluation est soumise : vous voyez maintenant celles des autres.")
        return _("Votre évaluation est enregistrée en brouillon.")

    def success_url_for(self, evaluation) -> str:
        name = "application_detail" if "submit" in self.request.POST else "application_evaluate"
        return self.url(name, pk=self.get_application().pk)

    def get_context_data(self, **kwargs):
        application = self.get_application()
        return super().get_context_data(
            application=application,
            call=application.call,
            evaluation=self.evaluation,
            is_evaluator=self.is_evaluator,
            is_submitted=self.evaluation is not None and self.evaluation.is_submitted,
            **kwargs,
        )


class ApplicationDecideView(ApplicationMixin, ServiceFormView):
    """A staff decision (no meeting) on an application, recorded with `decision_record`."""

    permission = Permission.DECIDE
    template_name = "backoffice/recruitment/application_decide.html"
    form_class = DecisionForm
    form_fabrique = False

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "outcomes": registry.outcomes_for(self.get_application())}

    def perform(self, form):
        return decision_record(
            fabrique=self.fabrique,
            actor=self.request.user,
            target=self.get_application(),
            outcome=form.cleaned_data["outcome"],
            reasons=form.cleaned_data.get("reasons") or "",
            decided_on=form.cleaned_data.get("decided_on"),
        )

    def get_success_message(self, decision) -> str:
        return _("Décision enregistrée : %(outcome)s. La personne en est informée par e-mail.") % {
            "outcome": decision.outcome_label
        }

    def success_url_for(self, decision) -> str:
        return self.url("application_detail", pk=self.get_application().pk)

    def get_context_data(self, **kwargs):
        application = self.get_application()
        return super().get_context_data(
            application=application,
            project=application.project,
            call=application.call,
            evaluations=evaluation_view(application=application, user=self.request.user),
            has_outcomes=bool(registry.outcomes_for(application)),
            **kwargs,
        )


urlpatterns = [
    path("projets/appels/", CallListView.as_view(), name="call_list"),
    path("projets/<int:project_pk>/appels/nouveau/", CallCreateView.as_view(), name="call_create"),
    path("projets/appels/<int:pk>/", CallDetailView.as_view(), name="call_detail"),
    path("projets/appels/<int:pk>/modifier/", CallUpdateView.as_view(), name="call_update"),
    path("projets/appels/<int:pk>/publier/", CallPublishView.as_view(), name="call_publish"),
    path("projets/appels/<int:pk>/clore/", CallCloseView.as_view(), name="call_close"),
    path("projets/appels/<int:pk>/annuler/", CallCancelView.as_view(), name="call_cancel"),
    path("projets/appels/<int:pk>/evaluateurs/", CallEvaluatorsView.as_view(), name="call_evaluators"),
    path("projets/candidatures/", ApplicationListView.as_view(), name="application_list"),
    path("projets/candidatures/<int:pk>/", ApplicationDetailView.as_view(), name="application_detail"),
    path(
        "projets/candidatures/<int:pk>/dossier/",
        ApplicationDocumentView.as_view(),
        name="application_document",
    ),
    path(
        "projets/candidatures/<int:pk>/evaluer/",
        ApplicationEvaluateView.as_view(),
        name="application_evaluate",
    ),
    path(
        "projets/candidatures/<int:pk>/decider/", ApplicationDecideView.as_view(), name="application_decide"
    ),
]
