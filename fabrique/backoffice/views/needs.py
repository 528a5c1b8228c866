"""Back-office pages of detection and qualification: reports (signalements), needs, qualification
grid, decisions, the fabrique's criteria, and a partner's own reports.

Thin views: parse with a form, fetch with `scoped_get` (another fabrique's pk is a 404), call the
service, turn its errors into French messages. This module also registers the needs' dashboard
figures, deadlines and network columns (imported with the back-office URLs).
"""

from __future__ import annotations

import datetime
import os

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from fabrique.audit.selectors import audit_timeline
from fabrique.committees.registry import outcomes_for
from fabrique.core.errors import DomainError
from fabrique.core.forms import add_service_errors
from fabrique.fabriques.models import Permission
from fabrique.needs.filters import NeedFilter, NeedReportFilter
from fabrique.needs.forms import (
    CriterionForm,
    CriterionUpdateForm,
    NeedDecisionForm,
    NeedForm,
    QualificationForm,
    ReportAttachForm,
    ReportDismissForm,
    StaffReportForm,
)
from fabrique.needs.grouping import need_report_submit_grouped
from fabrique.needs.models import Criterion, CriterionScore, Need, NeedReport, NeedStage, ReportStage
from fabrique.needs.selectors import (
    OPEN_STAGES,
    criteria_of,
    need_attach_choices,
    need_decisions,
    need_list,
    need_qualification,
    need_report_list,
    need_reports,
    needs_by_stage,
    needs_due,
    network_reports_count,
    network_retained_count,
    report_public_status,
    reports_of_user,
    reports_received_count,
    reports_to_process_count,
)
from fabrique.needs.services import (
    SCORABLE_STAGES,
    criteria_setup_defaults,
    criterion_create,
    criterion_move,
    criterion_update,
    need_create_from_report,
    need_decide,
    need_report_attach,
    need_report_detach,
    need_report_dismiss,
    need_scores_set,
    need_update,
)
from fabrique.network.selectors import register_network_column

from ..dashboard import Deadline, Figure, register_deadlines, register_figures
from ..mixins import FabriqueViewMixin

PAGE_SIZE = 25
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


class PageMixin(FabriqueViewMixin):
    """Adds what the templates need to show buttons by role, and a URL helper.

    `lookup_model`: for URLs with a pk, an object that is not the fabrique's answers 404 to every
    member, whatever their role, before the role is checked (a 403 comes only for the fabrique's
    own objects).
    """

    lookup_model = None

    def get_lookups(self):
        return {"pk": self.lookup_model} if self.lookup_model is not None else {}


class FilteredListView(PageMixin, ListView):
    permission = Permission.VIEW
    paginate_by = PAGE_SIZE
    filterset_class: type | None = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filterset_class(self.request.GET or None, fabrique=self.fabrique).form
        context["filtered"] = any(v for k, v in self.request.GET.items() if k != "page")
        context["total"] = context["paginator"].count if context.get("paginator") else len(self.object_list)
        return context


def _domain_message(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


# --- reports -----------------------------------------------------------------------------------------------


class ReportListView(FilteredListView):
    template_name = "backoffice/needs/report_list.html"
    context_object_name = "reports"
    filterset_class = NeedReportFilter

    def get_queryset(self):
        return need_report_list(fabrique=self.fabrique, filters=self.request.GET)


class ReportCreateView(PageMixin, FormView):
    permission = Permission.EDIT
    template_name = "backoffice/needs/report_form.html"
    form_class = StaffReportForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "fabrique": self.fabrique}

    def form_valid(self, form):
        try:
            report = need_report_submit_grouped(
                fabrique=self.fabrique,
                data=form.service_data(),
                same_as_need=form.cleaned_data.get("same_as_need"),
                entered_by=self.request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Le signalement %(ref)s a été enregistré.") % {"ref": report.reference}
        )
        return redirect(self.url("report_detail", pk=report.pk))


class ReportMixin(PageMixin):
    lookup_model = NeedReport

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


class ReportAttachView(ReportMixin, FormView):
    permission = Permission.EDIT
    template_name = "backoffice/needs/report_attach.html"
    form_class = ReportAttachForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["fabrique"] = self.fabrique
        kwargs["choices"] = need_attach_choices(fabrique=self.fabrique, query=self.request.GET.get("q", ""))
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.request.GET.get("q", ""), **kwargs)

    def form_valid(self, form):
        report = self.get_report()
        need = form.cleaned_data["need"]
        try:
            need_report_attach(report=report, need=need, actor=self.request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Le signalement %(ref)s est rattaché au besoin « %(need)s ».")
            % {"ref": report.reference, "need": need},
        )
        return redirect(self.url("report_detail", pk=report.pk))


class NeedCreateFromReportView(ReportMixin, FormView):
    permission = Permission.EDIT
    template_name = "backoffice/needs/need_form.html"
    form_class = NeedForm

    def get_initial(self):
        return NeedForm.initial_from(self.get_report())

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "fabrique": self.fabrique}

    def form_valid(self, form):
        try:
            need = need_create_from_report(
                report=self.get_report(), actor=self.request.user, data=form.service_data()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Le besoin %(ref)s a été créé à partir du signalement.") % {"ref": need.reference}
        )
        return redirect(self.url("need_detail", pk=need.pk))


class ReportDetachView(ReportMixin, TemplateView):
    permission = Permission.EDIT
    template_name = "backoffice/needs/report_detach.html"

    def post(self, request, *args, **kwargs):
        report = self.get_report()
        try:
            need_report_detach(report=report, actor=request.user)
        except DomainError as exc:
            _domain_message(request, exc)
        else:
            messages.success(
                request, _("Le signalement %(ref)s est détaché de son besoin.") % {"ref": report.reference}
            )
        return redirect(self.url("report_detail", pk=report.pk))


class ReportDismissView(ReportMixin, FormView):
    permission = Permission.EDIT
    template_name = "backoffice/needs/report_dismiss.html"
    form_class = ReportDismissForm

    def form_valid(self, form):
        report = self.get_report()
        try:
            need_report_dismiss(
                report=report,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Le signalement %(ref)s a été écarté.") % {"ref": report.reference})
        return redirect(self.url("report_detail", pk=report.pk))


class MyReportsView(PageMixin, TemplateView):
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
    context_object_name = "needs"
    filterset_class = NeedFilter

    def get_queryset(self):
        return need_list(fabrique=self.fabrique, filters=self.request.GET)


class NeedMixin(PageMixin):
    lookup_model = Need

    def get_need(self) -> Need:
        if not hasattr(self, "need"):
            self.need = self.scoped_get(
                Need.objects.select_related("commune", "epci", "qpv", "workstream", "officer"),
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
        context["timeline"] = audit_timeline(target=need)
        return context


class NeedUpdateView(NeedMixin, FormView):
    permission = Permission.EDIT
    template_name = "backoffice/needs/need_form.html"
    form_class = NeedForm

    def get_initial(self):
        return NeedForm.initial_from(self.get_need())

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "fabrique": self.fabrique}

    def form_valid(self, form):
        try:
            need = need_update(need=self.get_need(), actor=self.request.user, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Le besoin %(ref)s a été modifié.") % {"ref": need.reference})
        return redirect(self.url("need_detail", pk=need.pk))


class NeedQualifyView(NeedMixin, FormView):
    permission = Permission.EDIT
    template_name = "backoffice/needs/need_qualify.html"
    form_class = QualificationForm

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

    def form_valid(self, form):
        need = self.get_need()
        try:
            need = need_scores_set(need=need, actor=self.request.user, scores=form.scores())
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(
            self.request, _("La qualification du besoin %(ref)s est enregistrée.") % {"ref": need.reference}
        )
        return redirect(self.url("need_detail", pk=need.pk))


class NeedDecideView(NeedMixin, FormView):
    """A staff decision (no meeting); committees record theirs from a meeting's agenda."""

    permission = Permission.DECIDE
    template_name = "backoffice/needs/need_decide.html"
    form_class = NeedDecisionForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "outcomes": outcomes_for(self.get_need())}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        need = self.get_need()
        context["qualification"] = need_qualification(need=need)
        context["outcomes"] = outcomes_for(need)
        context["decisions"] = need_decisions(need=need)
        return context

    def form_valid(self, form):
        need = self.get_need()
        data = form.cleaned_data
        try:
            decision = need_decide(
                need=need,
                actor=self.request.user,
                outcome=data["outcome"],
                reason_code=data["reason_code"] if data["outcome"] == "not_retained" else "",
                reasons=data["reasons"],
                decided_on=data["decided_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Décision enregistrée pour le besoin %(ref)s : %(outcome)s.")
            % {"ref": need.reference, "outcome": decision.outcome_label},
        )
        return redirect(self.url("need_detail", pk=need.pk))


# --- criteria ----------------------------------------------------------------------------------------------


class CriteriaSettingsView(PageMixin, FormView):
    """The fabrique's qualification criteria: add, reorder; each one can be renamed or deactivated."""

    permission = Permission.MANAGE
    template_name = "backoffice/needs/criteria_settings.html"
    form_class = CriterionForm

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

    def form_valid(self, form):
        try:
            criterion = criterion_create(
                fabrique=self.fabrique, actor=self.request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Le critère « %(label)s » a été ajouté.") % {"label": criterion.label}
        )
        return redirect(self.url("criteria_settings"))


class CriterionUpdateView(PageMixin, FormView):
    permission = Permission.MANAGE
    lookup_model = Criterion
    template_name = "backoffice/needs/criterion_form.html"
    form_class = CriterionUpdateForm

    def get_criterion(self) -> Criterion:
        if not hasattr(self, "criterion"):
            self.criterion = self.scoped_get(Criterion, self.kwargs["pk"])
        return self.criterion

    def get_initial(self):
        c = self.get_criterion()
        return {"label": c.label, "help_text": c.help_text, "weight": c.weight, "is_active": c.is_active}

    def get_context_data(self, **kwargs):
        return super().get_context_data(criterion=self.get_criterion(), **kwargs)

    def form_valid(self, form):
        try:
            criterion = criterion_update(
                criterion=self.get_criterion(), actor=self.request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Le critère « %(label)s » a été modifié.") % {"label": criterion.label}
        )
        return redirect(self.url("criteria_settings"))


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
    path("mes-signalements/", MyReportsView.as_view(), name="my_reports"),
    path("besoins/", NeedListView.as_view(), name="need_list"),
    path("besoins/<int:pk>/", NeedDetailView.as_view(), name="need_detail"),
    path("besoins/<int:pk>/modifier/", NeedUpdateView.as_view(), name="need_update"),
    path("besoins/<int:pk>/qualification/", NeedQualifyView.as_view(), name="need_qualify"),
    path("besoins/<int:pk>/decision/", NeedDecideView.as_view(), name="need_decide"),
    path("besoins/criteres/", CriteriaSettingsView.as_view(), name="criteria_settings"),
    path("besoins/criteres/<int:pk>/", CriterionUpdateView.as_view(), name="criterion_update"),
]


# --- dashboard and network registrations ------------------------------------------------------------------


@register_figures
def needs_figures(*, fabrique) -> list[Figure]:
    def url(name: str, query: str = "") -> str:
        return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": fabrique.slug}) + query

    month_start = timezone.localdate().replace(day=1)
    figures = [
        Figure(
            label=_("signalements reçus ce mois-ci"),
            value=reports_received_count(fabrique=fabrique, since=month_start),
            url=url("report_list"),
        ),
        Figure(
            label=_("signalements à traiter"),
            value=reports_to_process_count(fabrique=fabrique),
            url=url("report_list", f"?stage={ReportStage.RECEIVED}"),
        ),
    ]
    counts = needs_by_stage(fabrique=fabrique)
    shown = (
        NeedStage.NEW,
        NeedStage.QUALIFYING,
        NeedStage.MORE_EVIDENCE,
        NeedStage.RETAINED,
        NeedStage.IN_STUDY,
    )
    for stage in shown:
        figures.append(
            Figure(
                label=_("besoins : %(stage)s")
                % {"stage": fabrique.stage_label("needs.need", stage, NeedStage(stage).label)},
                value=counts[stage],
                url=url("need_list", f"?stage={stage}"),
            )
        )
    return figures


@register_deadlines
def needs_deadlines(*, fabrique, start: datetime.date, end: datetime.date) -> list[Deadline]:
    """Next steps of open needs due in the window (late ones included)."""
    return [
        Deadline(
            date=need.next_step_due,
            label=_("Besoin %(ref)s — prochaine étape") % {"ref": need},
            url=reverse("backoffice:need_detail", kwargs={"fabrique_slug": fabrique.slug, "pk": need.pk}),
            kind=_("besoin"),
        )
        for need in needs_due(fabrique=fabrique, until=end)
    ]


register_network_column(gettext_lazy("Besoins signalés"), network_reports_count)
register_network_column(gettext_lazy("Besoins retenus"), network_retained_count)
