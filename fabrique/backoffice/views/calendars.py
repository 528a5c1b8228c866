"""Calendar downloads (.ics) of meetings, a study's workshops, a plan's milestones and an enterprise's
follow-ups, and each member's personal feed address (secret, revocable)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from icalendar import Event

from fabrique.committees.models import Meeting
from fabrique.core.delivery import absolute
from fabrique.fabriques.models import Permission
from fabrique.notifications import calendar
from fabrique.notifications.services import calendar_feed_get, calendar_feed_regenerate
from fabrique.projects.models import Enterprise
from fabrique.studies.models import Study
from fabrique.support.models import SupportPlan

from .base import FabriqueViewMixin


def ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class IcsView(FabriqueViewMixin, View):
    """GET: the object's dated things as an .ics file."""

    permission = Permission.VIEW
    model: type[Model]

    def events(self, obj: Any) -> list[Event]:
        raise NotImplementedError

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.scoped_get(self.model, kwargs["pk"])
        cal = calendar.new_calendar(name=str(obj))
        for event in self.events(obj):
            cal.add_component(event)
        return ics_response(calendar.to_bytes(cal), f"{slugify(str(obj))[:60] or 'agenda'}.ics")


class MeetingIcsView(IcsView):
    model = Meeting

    def events(self, obj: Any) -> list[Event]:
        return [calendar.meeting_event(obj)]


class StudyIcsView(IcsView):
    model = Study

    def events(self, obj: Any) -> list[Event]:
        return [calendar.workshop_event(w) for w in obj.workshops.select_related("study__fabrique")]


class SupportPlanIcsView(IcsView):
    model = SupportPlan

    def events(self, obj: Any) -> list[Event]:
        rows = obj.milestones.filter(due_on__isnull=False).select_related("plan__fabrique", "plan__project")
        return [calendar.milestone_event(m) for m in rows]


class EnterpriseIcsView(IcsView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        enterprise = (
            Enterprise.objects.filter(project__fabrique=self.fabrique, pk=kwargs["pk"])
            .select_related("project__fabrique")
            .first()
        )
        if enterprise is None:
            from django.http import Http404

            raise Http404(_("Élément introuvable."))
        cal = calendar.new_calendar(name=str(enterprise))
        for event in calendar.followup_events(enterprise, today=enterprise.created_on):
            cal.add_component(event)
        return ics_response(calendar.to_bytes(cal), f"{slugify(str(enterprise))[:60] or 'suivi'}.ics")


class CalendarFeedView(FabriqueViewMixin, TemplateView):
    """GET shows the personal feed address; POST makes a new one (the old one stops working)."""

    permission = Permission.VIEW
    template_name = "backoffice/notifications/calendar_feed.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        feed = calendar_feed_get(user=self.user)
        context["feed_url"] = absolute(reverse("public:calendar_feed", kwargs={"token": feed.token}))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        calendar_feed_regenerate(user=self.user)
        messages.success(request, _("Nouvelle adresse créée : l'ancienne ne fonctionne plus."))
        return redirect(self.url("calendar_feed"))


urlpatterns = [
    path("comites/seances/<int:pk>/agenda.ics", MeetingIcsView.as_view(), name="meeting_ics"),
    path("etudes/<int:pk>/ateliers.ics", StudyIcsView.as_view(), name="study_ics"),
    path("accompagnements/<int:pk>/jalons.ics", SupportPlanIcsView.as_view(), name="support_plan_ics"),
    path("entreprises/<int:pk>/suivis.ics", EnterpriseIcsView.as_view(), name="enterprise_ics"),
    path("calendrier/", CalendarFeedView.as_view(), name="calendar_feed"),
]
