from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.generic import TemplateView

from fabrique.audit.models import AuditEntry
from fabrique.audit.selectors import audit_recent_for_fabrique
from fabrique.core.http import authenticated_user
from fabrique.fabriques.access import memberships_of
from fabrique.fabriques.models import Fabrique, Permission

from ..dashboard import dashboard_deadlines, dashboard_groups
from .base import FabriqueViewMixin

# the back-office page of an audited object, by model (the pages named `<model>_detail` need no entry)
DETAIL_PAGES = {"needreport": "report_detail", "supportplan": "support_plan_detail"}


def activity_url(entry: AuditEntry, fabrique: Fabrique) -> str:
    """The page of the object an activity line is about ("" for a deleted one or one without a page).
    No query: the content type is joined and the page is reversed from its name and id."""
    if entry.action.endswith(".deleted") or entry.target_type is None or not entry.target_id.isdigit():
        return ""
    model = entry.target_type.model
    try:
        return reverse(
            f"backoffice:{DETAIL_PAGES.get(model, f'{model}_detail')}",
            kwargs={"fabrique_slug": fabrique.slug, "pk": int(entry.target_id)},
        )
    except NoReverseMatch:
        return ""


class HomeView(LoginRequiredMixin, TemplateView):
    """After login: straight to the user's fabrique, or a choice when several."""

    template_name = "backoffice/choose_fabrique.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = authenticated_user(request)  # LoginRequiredMixin
        memberships = list(memberships_of(user))
        if len(memberships) == 1:
            membership = memberships[0]
            if not membership.has_permission(Permission.VIEW):  # partners: their own reports
                return redirect("backoffice:my_reports", fabrique_slug=membership.fabrique.slug)
            return redirect("backoffice:dashboard", fabrique_slug=membership.fabrique.slug)
        if not memberships and user.is_network_head:
            return redirect("network:home")
        return self.render_to_response(self.get_context_data(memberships=memberships))


class DashboardView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        recent = list(
            audit_recent_for_fabrique(fabrique=self.fabrique, limit=15).select_related("target_type")
        )
        context["recent_activity"] = [(entry, activity_url(entry, self.fabrique)) for entry in recent]
        deadlines = dashboard_deadlines(fabrique=self.fabrique, days=30)
        context["overdue"] = [d for d in deadlines if d.date is not None and d.date < today]
        context["deadlines"] = [d for d in deadlines if d.date is None or d.date >= today]
        context["groups"] = dashboard_groups(fabrique=self.fabrique)
        return context


class AuditLogView(FabriqueViewMixin, TemplateView):
    permission = Permission.MANAGE
    template_name = "backoffice/audit_log.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["entries"] = audit_recent_for_fabrique(fabrique=self.fabrique, limit=300)
        return context


urlpatterns = [path("", HomeView.as_view(), name="home")]
fabrique_urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("journal/", AuditLogView.as_view(), name="audit_log"),
]
