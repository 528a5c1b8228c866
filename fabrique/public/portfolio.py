"""The public portfolio of a fabrique: its public projects, where each stands in plain French,
the enterprise created when there is one, and the calls for leaders still open."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.generic import TemplateView

from fabrique.fabriques.models import Fabrique
from fabrique.projects.models import ProjectStage
from fabrique.projects.selectors import project_public_list, project_public_stage
from fabrique.recruitment.selectors import call_public_list


class PortfolioView(TemplateView):
    template_name = "public/portfolio/portfolio.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        fabrique = get_object_or_404(Fabrique, slug=self.kwargs["fabrique_slug"], is_active=True)
        calls = list(call_public_list(fabrique=fabrique))
        calls_by_project: dict[int, list[Any]] = {}
        for call in calls:
            calls_by_project.setdefault(call.project_id, []).append(call)
        context["fabrique"] = fabrique
        context["calls"] = calls
        context["items"] = [
            {
                "project": project,
                "stage": project_public_stage(project),
                "enterprise": getattr(project, "enterprise", None)
                if project.stage == ProjectStage.CREATED
                else None,
                "calls": calls_by_project.get(project.pk, []),
            }
            for project in project_public_list(fabrique=fabrique)
        ]
        return context


urlpatterns = [path("projets/", PortfolioView.as_view(), name="project_portfolio")]
