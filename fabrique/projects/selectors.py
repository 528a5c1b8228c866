"""Reads of the projects. Every selector takes the fabrique (or an object of it) and returns only
its live rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from fabrique.accounts.models import User
from fabrique.fabriques.models import ROLE_PERMISSIONS, Permission

from .models import Project, ProjectStage

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique
    from fabrique.support.models import SupportPlan

    from .models import Enterprise

# What the public portfolio says of each stage: plain French, no internal vocabulary.
PUBLIC_STAGE_LABELS: dict[str, StrOrPromise] = {
    ProjectStage.SEEKING_LEADER: _("Nous cherchons la personne ou la structure qui portera ce projet"),
    ProjectStage.LEADER_SELECTED: _("Un porteur a été trouvé"),
    ProjectStage.IN_SUPPORT: _("En préparation avec son porteur, accompagné par la fabrique"),
    ProjectStage.CREATED: _("L'activité a été créée"),
    ProjectStage.STOPPED: _("Projet arrêté"),
}
# stages a project can no longer leave
FINAL_STAGES = (ProjectStage.CREATED, ProjectStage.STOPPED)
# stages in which a leader has been found (stopped projects count when they had one)
LEADER_FOUND_STAGES = (ProjectStage.LEADER_SELECTED, ProjectStage.IN_SUPPORT, ProjectStage.CREATED)


def project_list(*, fabrique: Fabrique, filters: Mapping[str, Any] | None = None) -> QuerySet[Project]:
    from .filters import ProjectFilter

    qs = Project.objects.filter(fabrique=fabrique).select_related(
        "workstream", "officer", "commune", "leader_person", "leader_organization"
    )
    filtered: QuerySet[Any] = ProjectFilter(filters or {}, queryset=qs, fabrique=fabrique).qs
    return filtered


def project_public_list(*, fabrique: Fabrique) -> QuerySet[Project]:
    """The fabrique's portfolio: projects marked public, stopped ones left out."""
    return (
        Project.objects.filter(fabrique=fabrique, is_public=True)
        .exclude(stage=ProjectStage.STOPPED)
        .select_related("commune", "workstream", "enterprise")
        .order_by("-stage_changed_at", "-created_at")
    )


def project_public_stage(project: Project) -> str:
    return str(PUBLIC_STAGE_LABELS.get(project.stage, ""))


def officer_candidates(*, fabrique: Fabrique) -> QuerySet[User]:
    """Users who may follow a project: active team members whose role may edit."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Permission.EDIT in perms]
    return (
        User.objects.filter(
            is_active=True,
            memberships__fabrique=fabrique,
            memberships__is_active=True,
            memberships__role__in=roles,
        )
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def project_support_plan(project: Project) -> SupportPlan | None:
    """The project's support plan, or None."""
    from fabrique.support.models import SupportPlan

    return SupportPlan.objects.filter(project=project, fabrique_id=project.fabrique_id).first()


def project_enterprise(project: Project) -> Enterprise | None:
    from .models import Enterprise

    return Enterprise.objects.filter(project=project).first()
