from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from fabrique.fabriques.models import Fabrique
from fabrique.projects.models import Project, ProjectStage
from fabrique.recruitment.models import Call, CallStage


def public_open_calls(*, fabrique):
    return Call.objects.filter(
        fabrique=fabrique, stage=CallStage.PUBLISHED, project__stage=ProjectStage.SEEKING_LEADER
    ).order_by("deadline")


def public_projects(*, fabrique):
    return (
        Project.objects.filter(fabrique=fabrique, is_public=True)
        .select_related("commune")
        .order_by("-stage_changed_at", "-created_at")
    )


class HomeView(TemplateView):
    template_name = "public/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["fabriques"] = Fabrique.objects.filter(is_active=True).prefetch_related("departements")
        return context


class StaticPageView(TemplateView):
    pass


class FabriquePublicView(TemplateView):
    template_name = "public/fabrique.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fabrique = get_object_or_404(Fabrique, slug=self.kwargs["fabrique_slug"], is_active=True)
        context["fabrique"] = fabrique
        context["open_calls"] = public_open_calls(fabrique=fabrique)
        context["public_projects"] = public_projects(fabrique=fabrique)[:6]
        return context
