"""Back-office pages of detection and qualification: reports (signalements), needs, qualification
grid, decisions, the fabrique's criteria, and a partner's own reports.

Thin views on the back-office base (`base.py`): parse with a form, fetch with `scoped_get` (another
fabrique's pk is a 404), call the service, turn its errors into French messages.
"""

from __future__ import annotations

import os

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from fabrique.audit.selectors import audit_timeline
from fabrique.committees.registry import outcomes_for
from fabrique.core.errors import DomainError
from fabrique.core.exports import Column
from fabrique.fabriques.models import Permission
from fabrique.needs.filters import NeedFilter, NeedReportFilter
from fabrique.needs.forms import (
    CriterionForm,
    CriterionUpdateForm,
    NeedDecisionForm,
    NeedForm,
    NeedReopenForm,
    QualificationForm,
    ReportAttachForm,
    ReportCorrectForm,
    ReportDismissForm,
    StaffReportForm,
)
from fabrique.needs.grouping import need_report_submit_grouped, report_merge, report_split
from fabrique.needs.models import Criterion, CriterionScore, Need, NeedReport, ReportStage
from fabrique.needs.selectors import (
    OPEN_STAGES,
    criteria_of,
    need_decisions,
    need_list,
    need_qualification,
    need_report_list,
    need_reports,
    report_corrections,
    report_public_status,
    reports_of_user,
    with_report_counts,
)
from fabrique.needs.services import (
    CLOSABLE_STAGES,
    REOPENABLE_STAGES,
    SCORABLE_STAGES,
    criteria_setup_defaults,
    criterion_create,
    criterion_move,
    criterion_update,
    need_create_from_report,
    need_decide,
    need_reopen,
    need_report_correct,
    need_report_dismiss,
    need_scores_set,
    need_update,
)

from .base import FabriqueViewMixin, FilteredListView, ServiceFormView

DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


# --- reports -----------------------------------------------------------------------------------------------


class ReportListView(FilteredListView):
    template_name = "backoffice/needs/report_list.html"
    export_name = "signalements"
    export_columns = (
        Column(gettext_lazy("Référence"), lambda r: r.reference, "reference"),
        Column(gettext_lazy("Intitulé"), lambda r: r.title, "title"),
        Column(gettext_lazy("Étape"), lambda r: r.get_stage_display(), "stage"),
        Column(gettext_lazy("Thème"), lambda r: r.get_theme_display(), "theme"),
        Column(gettext_lazy("Commune"), lambda r: r.commune.name if r.commune else "", "commune"),
        Column(gettext_lazy("Lieu"), lambda r: r.place, "place"),
        Column(gettext_lazy("Source"), lambda r: r.get_source_display(), "source"),
        Column(gettext_lazy("Signalé le"), lambda r: r.reported_on, "reported_on"),
        Column(gettext_lazy("Reçu le"), lambda r: r.created_at, "created_at"),
        Column(gettext_lazy("Besoin"), lambda r: r.need.reference if r.need else "", "need"),
    )
    context_object_name = "reports"
    filterset_class = NeedReportFilter

    def get_queryset(self):
        return need_report_list(fabrique=self.fabrique, filters=self.request.GET)


class ReportCreateView(ServiceFormView):
    template_name = "backoffice/needs/report_form.html"
    form_class = StaffReportForm

    def perform(self, form):
        return need_report_submit_grouped(
            fabrique=self.fabrique,
            data=form.service_data(),
            same_as_need=form.cleaned_data.get("same_as_need"),
            entered_by=self.request.user,
        )

    def get_success_message(self, report) -> str:
        return _("Le signalement %(ref)s a été enregistré.") % {"ref": report.reference}

    def success_url_for(self, report) -> str:
        return self.url("report_detail", pk=report.pk)


class ReportMixin(FabriqueViewMixin):
    lookups = {"pk": NeedReport}

    def get_report(self) -> NeedReport:
        if not hasattr(self, "report"):
            self.report = self.scoped_get(
                NeedReport.objects.select_related(
                    "commune",
                    "need",
                    "reporter_person",
                    "reporter_organization",
                    "submitted_by",
                    "entered_by",
                ),
                self.kwargs["pk"],
            )
        return self.report

    def get_context_data(self, **kwargs):
        return super().get_context_data(report=self.get_report(), **kwargs)


class ReportDetailView(ReportMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/needs/report_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.get_report()
        context["timeline"] = audit_timeline(target=report)
        context["public_status"] = report_public_status(report)
        context["corrections"], context["originals"] = report_corrections(report=report)
        if report.stage != ReportStage.ATTACHED and context["can_edit"]:
            near = Q()
            if report.commune_id:
                near |= Q(commune_id=report.commune_id)
            if report.theme:
                near |= Q(theme=report.theme)
            context["near_needs"] = (
                Need.objects.filter(fabrique=self.fabrique, stage__in=OPEN_STAGES)
                .filter(near)
                .order_by("-updated_at")[:5]
                if near
                else []
            )
        return context


class ReportDocumentView(ReportMixin, View):
    """The evidence document, served after the access check (media files are never public)."""

    permission = Permission.VIEW

    def get(self, request, *args, **kwargs):
        report = self.get_report()
        if not report.evidence_document:
            raise Http404(_("Ce signalement n'a pas de document joint."))
        try:
            with report.evidence_document.open("rb") as handle:
                content = handle.read()  # at most 10 MB (checked on upload)
        except (FileNotFoundError, OSError) as exc:
            raise Http404(_("Le document est introuvable.")) from exc
        extension = os.path.splitext(report.evidence_document.name)[1].lower()
        response = HttpResponse(
            content, content_type=DOCUMENT_TYPES.get(extension, "application/octet-stream")
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{report.reference or 'signalement'}{extension}"
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ReportAttachView(ReportMixin, ServiceFormView):
    template_name = "backoffice/needs/report_attach.html"
    form_class = ReportAttachForm

    def perform(self, form):
        need = form.cleaned_data["need"]
        # a merge: the team's decision is recorded (same need as this one's reports, not the former need's)
        # and can be undone from the report's page
        report_merge(report=self.get_report(), need=need, actor=self.request.user)
        return need

    def get_success_message(self, need) -> str:
        return _("Le signalement %(ref)s est rattaché au besoin « %(need)s ».") % {
            "ref": self.get_report().reference,
            "need": need,
        }

    def success_url_for(self, need) -> str:
        return self.url("report_detail", pk=self.get_report().pk)


class NeedCreateFromReportView(ReportMixin, ServiceFormView):
    template_name = "backoffice/needs/need_form.html"
    form_class = NeedForm

    def get_initial(self):
        return NeedForm.initial_from(self.get_report())

    def perform(self, form):
        return need_create_from_report(
            report=self.get_report(), actor=self.request.user, **form.service_data()
        )

    def get_success_message(self, need) -> str:
        return _("Le besoin %(ref)s a été créé à partir du signalement.") % {"ref": need.reference}

    def success_url_for(self, need) -> str:
        return self.url("need_detail", pk=need.pk)


class ReportDetachView(ReportMixin, TemplateView):
    permission = Permission.EDIT
    template_name = "backoffice/needs/report_detach.html"

    def post(self, request, *args, **kwargs):
        report = self.get_report()
        try:
            # the team says the report is not this need: recorded, as a split from the duplicates pages is
            report_split(report=report, actor=request.user, mode="unattached")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Le signalement %(ref)s est détaché de son besoin.") % {"ref": report.reference}
            )
        return redirect(self.url("report_detail", pk=report.pk))


class ReportDismissView(ReportMixin, ServiceFormView):
    template_name = "backoffice/needs/report_dismiss.html"
    form_class = ReportDismissForm
    form_fabrique = False

    def perform(self, form):
        return need_report_dismiss(
            report=self.get_report(),
            actor=self.request.user,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
        )

    def get_success_message(self, obj) -> str:
        return _("Le signalement %(ref)s a été écarté.") % {"ref": self.get_report().reference}

    def success_url_for(self, obj) -> str:
        return self.url("report_detail", pk=self.get_report().pk)


class ReportCorrectView(ReportMixin, ServiceFormView):
    """The team corrects what a report says; the original values stay in the log and on the page."""

    template_name = "backoffice/needs/report_correct.html"
    form_class = ReportCorrectForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "report": self.get_report()}

    def perform(self, form):
        return need_report_correct(
            report=self.get_report(),
            actor=self.request.user,
            data=form.service_data(),
            reason=form.cleaned_data["reason"],
        )

    def get_success_message(self, obj) -> str:
        return _("Le signalement %(ref)s a été corrigé.") % {"ref": self.get_report().reference}

    def success_url_for(self, obj) -> str:
        return self.url("report_detail", pk=self.get_report().pk)


class MyReportsView(FabriqueViewMixin, TemplateView):
    """A partner's own reports, with their public status only."""

    permission = Permission.REPORT
    template_name = "backoffice/needs/my_reports.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reports = reports_of_user(fabrique=self.fabrique, user=self.request.user)
        context["rows"] = [
            {
                "report": report,
                "status": report_public_status(report),
                "followup_url": reverse(
                    "public:report_followup",
                    kwargs={"fabrique_slug": self.fabrique.slug, "token": report.followup_token},
                ),
            }
            for report in reports
        ]
        return context


# --- needs -------------------------------------------------------------------------------------------------


class NeedListView(FilteredListView):
    template_name = "backoffice/needs/need_list.html"
    export_name = "besoins"
    export_columns = (
        Column(gettext_lazy("Référence"), lambda n: n.reference, "reference"),
        Column(gettext_lazy("Intitulé"), lambda n: n.title, "title"),
        Column(gettext_lazy("Étape"), lambda n: n.get_stage_display(), "stage"),
        Column(gettext_lazy("Thème"), lambda n: n.get_theme_display(), "theme"),
        Column(gettext_lazy("Commune"), lambda n: n.commune.name if n.commune else "", "commune"),
        Column(gettext_lazy("Chantier"), lambda n: n.workstream.name if n.workstream else "", "workstream"),
        Column(gettext_lazy("Chargé·e de mission"), lambda n: str(n.officer or ""), "officer"),
        Column(gettext_lazy("Prochaine échéance"), lambda n: n.next_step_due, "next_step_due"),
        Column(gettext_lazy("Créé le"), lambda n: n.created_at, "created_at"),
    )
    context_object_name = "needs"
    filterset_class = NeedFilter

    def get_queryset(self):
        return need_list(fabrique=self.fabrique, filters=self.request.GET)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # page first, then the counts of the page's rows
        context["needs"] = context["object_list"] = with_report_counts(context["object_list"])
        return context


class NeedMixin(FabriqueViewMixin):
    lookups = {"pk": Need}

    def get_need(self) -> Need:
        if not hasattr(self, "need"):
            self.need = self.scoped_get(
                Need.objects.select_related("commune", "epci", "qpv", "workstream", "officer", "insight"),
                self.kwargs["pk"],
            )
        return self.need

    def get_context_data(self, **kwargs):
        return super().get_context_data(need=self.get_need(), **kwargs)


class NeedDetailView(NeedMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/needs/need_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        need = self.get_need()
        context["reports"] = need_reports(need=need)
        context["qualification"] = need_qualification(need=need)
        context["decisions"] = need_decisions(need=need)
        context["studies"] = need.studies.filter(deleted_at__isnull=True)
        context["projects"] = need.projects.filter(deleted_at__isnull=True).select_related("enterprise")
        context["outcomes"] = outcomes_for(need)
        context["scorable"] = need.stage in SCORABLE_STAGES
        context["reopenable"] = need.stage in REOPENABLE_STAGES
        context["closable"] = need.stage in CLOSABLE_STAGES
        context["timeline"] = audit_timeline(target=need)
        return context


class NeedUpdateView(NeedMixin, ServiceFormView):
    template_name = "backoffice/needs/need_form.html"
    form_class = NeedForm

    def get_initial(self):
        return NeedForm.initial_from(self.get_need())

    def perform(self, form):
        return need_update(need=self.get_need(), actor=self.request.user, **form.service_data())

    def get_success_message(self, need) -> str:
        return _("Le besoin %(ref)s a été modifié.") % {"ref": need.reference}

    def success_url_for(self, need) -> str:
        return self.url("need_detail", pk=need.pk)


class NeedQualifyView(NeedMixin, ServiceFormView):
    template_name = "backoffice/needs/need_qualify.html"
    form_class = QualificationForm
    form_fabrique = False

    def get_form_kwargs(self):
        need = self.get_need()
        kwargs = super().get_form_kwargs()
        kwargs["criteria"] = criteria_of(fabrique=self.fabrique)
        kwargs["scores"] = {s.criterion_id: s for s in CriterionScore.objects.filter(need=need)}
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        need = self.get_need()
        context["qualification"] = need_qualification(need=need)
        context["scorable"] = need.stage in SCORABLE_STAGES
        context["reports"] = need_reports(need=need)
        return context

    def perform(self, form):
        return need_scores_set(need=self.get_need(), actor=self.request.user, scores=form.scores())

    def get_success_message(self, need) -> str:
        return _("La qualification du besoin %(ref)s est enregistrée.") % {"ref": need.reference}

    def success_url_for(self, need) -> str:
        return self.url("need_detail", pk=need.pk)


class NeedReopenView(NeedMixin, ServiceFormView):
    """A decided need (retained, not retained, closed) goes back to qualification, with a reason."""

    permission = Permission.DECIDE
    template_name = "backoffice/needs/need_reopen.html"
    form_class = NeedReopenForm
    form_fabrique = False

    def perform(self, form):
        return need_reopen(need=self.get_need(), actor=self.request.user, reason=form.cleaned_data["reason"])

    def get_success_message(self, need) -> str:
        return _("Le besoin %(ref)s est de nouveau en qualification.") % {"ref": need.reference}

    def success_url_for(self, need) -> str:
        return self.url("need_detail", pk=need.pk)


class NeedDecideView(NeedMixin, ServiceFormView):
    """A staff decision (no meeting); committees record theirs from a meeting's agenda."""

    permission = Permission.DECIDE
    template_name = "backoffice/needs/need_decide.html"
    form_class = NeedDecisionForm
    form_fabrique = False

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "outcomes": outcomes_for(self.get_need())}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        need = self.get_need()
        context["qualification"] = need_qualification(need=need)
        context["outcomes"] = outcomes_for(need)
        context["decisions"] = need_decisions(need=need)
        return context

    def perform(self, form):
        data = form.cleaned_data
        return need_decide(
            need=self.get_need(),
            actor=self.request.user,
            outcome=data["outcome"],
            reason_code=data["reason_code"] if data["outcome"] == "not_retained" else "",
            reasons=data["reasons"],
            decided_on=data["decided_on"],
        )

    def get_success_message(self, decision) -> str:
        return _("Décision enregistrée pour le besoin %(ref)s : %(outcome)s.") % {
            "ref": self.get_need().reference,
            "outcome": decision.outcome_label,
        }

    def success_url_for(self, decision) -> str:
        return self.url("need_detail", pk=self.get_need().pk)


# --- criteria ----------------------------------------------------------------------------------------------


class CriteriaSettingsView(ServiceFormView):
    """The fabrique's qualification criteria: add, reorder; each one can be renamed or deactivated."""

    permission = Permission.MANAGE
    template_name = "backoffice/needs/criteria_settings.html"
    form_class = CriterionForm
    form_fabrique = False

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            criteria=criteria_of(fabrique=self.fabrique, active_only=False), **kwargs
        )

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "add")
        if action == "defaults":
            criteria_setup_defaults(fabrique=self.fabrique)
            messages.success(request, _("Les critères par défaut ont été ajoutés."))
            return redirect(self.url("criteria_settings"))
        if action in ("up", "down"):
            criterion = self.scoped_get(Criterion, request.POST.get("criterion"))
            criterion_move(criterion=criterion, actor=request.user, direction=action)
            return redirect(self.url("criteria_settings") + f"#criterion-{criterion.pk}")
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        return criterion_create(fabrique=self.fabrique, actor=self.request.user, **form.cleaned_data)

    def get_success_message(self, criterion) -> str:
        return _("Le critère « %(label)s » a été ajouté.") % {"label": criterion.label}

    def success_url_for(self, criterion) -> str:
        return self.url("criteria_settings")


class CriterionUpdateView(ServiceFormView):
    permission = Permission.MANAGE
    lookups = {"pk": Criterion}
    template_name = "backoffice/needs/criterion_form.html"
    form_class = CriterionUpdateForm
    form_fabrique = False

    def get_criterion(self) -> Criterion:
        if not hasattr(self, "criterion"):
            self.criterion = self.scoped_get(Criterion, self.kwargs["pk"])
        return self.criterion

    def get_initial(self):
        c = self.get_criterion()
        return {"label": c.label, "help_text": c.help_text, "weight": c.weight, "is_active": c.is_active}

    def get_context_data(self, **kwargs):
        return super().get_context_data(criterion=self.get_criterion(), **kwargs)

    def perform(self, form):
        return criterion_update(criterion=self.get_criterion(), actor=self.request.user, **form.cleaned_data)

    def get_success_message(self, criterion) -> str:
        return _("Le critère « %(label)s » a été modifié.") % {"label": criterion.label}

    def success_url_for(self, criterion) -> str:
        return self.url("criteria_settings")


urlpatterns = [
    path("besoins/signalements/", ReportListView.as_view(), name="report_list"),
    path("besoins/signalements/nouveau/", ReportCreateView.as_view(), name="report_create"),
    path("besoins/signalements/<int:pk>/", ReportDetailView.as_view(), name="report_detail"),
    path("besoins/signalements/<int:pk>/document/", ReportDocumentView.as_view(), name="report_document"),
    path("besoins/signalements/<int:pk>/rattacher/", ReportAttachView.as_view(), name="report_attach"),
    path(
        "signalements/<int:pk>/nouveau-besoin/",
        NeedCreateFromReportView.as_view(),
        name="need_create_from_report",
    ),
    path("besoins/signalements/<int:pk>/detacher/", ReportDetachView.as_view(), name="report_detach"),
    path("besoins/signalements/<int:pk>/ecarter/", ReportDismissView.as_view(), name="report_dismiss"),
    path("besoins/signalements/<int:pk>/corriger/", ReportCorrectView.as_view(), name="report_correct"),
    path("mes-signalements/", MyReportsView.as_view(), name="my_reports"),
    path("besoins/", NeedListView.as_view(), name="need_list"),
    path("besoins/<int:pk>/", NeedDetailView.as_view(), name="need_detail"),
    path("besoins/<int:pk>/modifier/", NeedUpdateView.as_view(), name="need_update"),
    path("besoins/<int:pk>/qualification/", NeedQualifyView.as_view(), name="need_qualify"),
    path("besoins/<int:pk>/decision/", NeedDecideView.as_view(), name="need_decide"),
    path("besoins/<int:pk>/reouvrir/", NeedReopenView.as_view(), name="need_reopen"),
    path("besoins/criteres/", CriteriaSettingsView.as_view(), name="criteria_settings"),
    path("besoins/criteres/<int:pk>/", CriterionUpdateView.as_view(), name="criterion_update"),
]
