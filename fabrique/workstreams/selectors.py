"""Reads of the workstreams. Every selector takes the fabrique and returns only its live rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from fabrique.accounts.models import User
from fabrique.directory.models import Organization
from fabrique.fabriques.models import ROLE_PERMISSIONS, Permission

from .models import Workstream

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique


def workstream_list(*, fabrique: Fabrique, filters: Mapping[str, Any] | None = None) -> QuerySet[Workstream]:
    from .filters import WorkstreamFilter

    base = Workstream.objects.filter(fabrique=fabrique).select_related("lead")
    qs = base.annotate(
        member_count=Count("members", filter=Q(members__deleted_at__isnull=True), distinct=True)
    ).order_by("name", "pk")
    filtered: QuerySet[Workstream] = WorkstreamFilter(filters or {}, queryset=qs, fabrique=fabrique).qs
    return filtered


def workstream_members(*, workstream: Workstream) -> QuerySet[Organization]:
    """Live member organisations (a soft-deleted organisation leaves every workstream's list)."""
    return workstream.members.filter(fabrique_id=workstream.fabrique_id).select_related("commune")


def workstreams_of_organization(*, organization: Organization) -> QuerySet[Workstream]:
    return Workstream.objects.filter(fabrique_id=organization.fabrique_id, members=organization)


def team_roles() -> list[str]:
    """Roles of the fabrique's own team (partners are outside actors with an account)."""
    return [role for role, permissions in ROLE_PERMISSIONS.items() if Permission.VIEW in permissions]


def workstream_lead_candidates(*, fabrique: Fabrique) -> QuerySet[User]:
    """Users who may lead a workstream: active members of the fabrique's team."""
    return User.objects.filter(
        is_active=True,
        memberships__fabrique=fabrique,
        memberships__is_active=True,
        memberships__role__in=team_roles(),
    ).distinct()
