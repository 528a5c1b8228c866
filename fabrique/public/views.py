import os
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from fabrique.directory.models import Organization, SupporterKind
from fabrique.fabriques.models import Fabrique
from fabrique.projects.models import Project, ProjectStage
from fabrique.projects.selectors import project_public_list
from fabrique.recruitment.models import Call, CallStage
from fabrique.workstreams.models import Workstream, WorkstreamStatus


def public_open_calls(*, fabrique: Fabrique) -> QuerySet[Call]:
    return Call.objects.filter(
        fabrique=fabrique, stage=CallStage.PUBLISHED, project__stage=ProjectStage.SEEKING_LEADER
    ).order_by("deadline")


def public_projects(*, fabrique: Fabrique) -> QuerySet[Project]:
    return (
        Project.objects.filter(fabrique=fabrique, is_public=True)
        .select_related("commune")
        .order_by("-stage_changed_at", "-created_at")
    )


class HomeView(TemplateView):
    template_name = "public/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["fabriques"] = Fabrique.objects.filter(is_active=True).prefetch_related("departements")
        return context


class StaticPageView(TemplateView):
    pass


MAX_SHOWN = 8  # projects, enterprises, chantiers and supporters shown on the page (links lead to the rest)


def public_team(fabrique: Fabrique) -> list[dict[str, object]]:
    """The team as the admins wrote it: one line per person, "Name — role — contact"."""
    people = []
    for line in fabrique.public_team.splitlines()[:30]:
        parts = [p.strip() for p in line.split("—") if p.strip()]
        if not parts:
            continue
        contact = parts[2] if len(parts) > 2 else ""
        people.append(
            {
                "name": parts[0],
                "role": parts[1] if len(parts) > 1 else "",
                "contact": contact,
                "is_email": "@" in contact and " " not in contact,
            }
        )
    return people


FUNDING_AGREEMENT = ("funding", "FundingAgreement")


def _supporter_rows(fabrique: Fabrique) -> QuerySet[Organization]:
    """The directory's structures shown as supporters: those the admins flagged, and (once funding
    agreements exist) every funder of a signed or closed agreement of the fabrique."""
    shown = Q(public_supporter__gt="")
    if apps.is_installed("fabrique.funding"):
        agreement = apps.get_model(*FUNDING_AGREEMENT)  # the reporting module's, when installed
        funded = agreement.objects.filter(fabrique=fabrique, status__in=("signed", "closed")).values(
            "funder_id"
        )
        shown |= Q(pk__in=funded)
    return Organization.objects.filter(fabrique=fabrique).filter(shown)


def public_supporters(fabrique: Fabrique) -> list[Organization]:
    """Funders first, then partners (a funder of an agreement not flagged otherwise counts as a funder)."""
    rows = list(_supporter_rows(fabrique).order_by("name", "pk")[: MAX_SHOWN * 3])
    for organization in rows:
        if not organization.public_supporter:
            organization.public_supporter = SupporterKind.FUNDER  # for display only, never saved
    return sorted(rows, key=lambda o: (o.public_supporter != SupporterKind.FUNDER, o.name))


class FabriquePublicView(TemplateView):
    """The fabrique's own web page: presentation, team, chantiers, projects and enterprises, open calls,
    supporters, "signaler un besoin". Fixed number of queries (each list bounded)."""

    template_name = "public/fabrique.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        fabrique = get_object_or_404(Fabrique, slug=self.kwargs["fabrique_slug"], is_active=True)
        projects = list(project_public_list(fabrique=fabrique)[:40])
        supporters = public_supporters(fabrique)
        context["fabrique"] = fabrique
        context["open_calls"] = list(public_open_calls(fabrique=fabrique)[:MAX_SHOWN])
        context["in_progress"] = [p for p in projects if p.stage != ProjectStage.CREATED][:MAX_SHOWN]
        context["enterprises"] = [
            p for p in projects if p.stage == ProjectStage.CREATED and hasattr(p, "enterprise")
        ][:MAX_SHOWN]
        context["chantiers"] = list(
            Workstream.objects.filter(fabrique=fabrique, status=WorkstreamStatus.ACTIVE).order_by("name")[
                :MAX_SHOWN
            ]
        )
        context["team"] = public_team(fabrique)
        context["funders"] = [o for o in supporters if o.public_supporter == SupporterKind.FUNDER]
        context["partners"] = [o for o in supporters if o.public_supporter == SupporterKind.PARTNER]
        context["departements"] = list(fabrique.departements.all())
        return context


class LogoView(View):
    """A public logo (the fabrique's, or a supporter's shown on its page) from the private storage."""

    def get(self, request: HttpRequest, fabrique_slug: str, pk: int | None = None) -> HttpResponse:
        fabrique = get_object_or_404(Fabrique, slug=fabrique_slug, is_active=True)
        if pk is None:
            file = fabrique.logo
        else:
            organization = get_object_or_404(_supporter_rows(fabrique), pk=pk)
            file = organization.logo
        if not file:
            raise Http404(_("Pas de logo."))
        extension = os.path.splitext(file.name or "")[1].lower()
        if extension not in IMAGE_TYPES:
            raise Http404(_("Pas de logo."))
        try:
            with file.open("rb") as handle:
                content = handle.read(MAX_LOGO_BYTES + 1)
        except (FileNotFoundError, OSError) as exc:
            raise Http404(_("Pas de logo.")) from exc
        if len(content) > MAX_LOGO_BYTES:
            raise Http404(_("Pas de logo."))
        response = HttpResponse(content, content_type=IMAGE_TYPES[extension])
        response["Cache-Control"] = "public, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
MAX_LOGO_BYTES = 2 * 1024 * 1024
