"""The partners section of a study or project page (the list, the add form and its URL), for the
study and project detail views; the partner pages themselves are `views/partners.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fabrique.projects.models import Project
from fabrique.projects.partners import PartnerAddForm, partners_of
from fabrique.studies.models import Study

if TYPE_CHECKING:
    from .views.base import FabriqueViewMixin


def partners_context(view: FabriqueViewMixin, target: Study | Project, *, can_edit: bool) -> dict[str, Any]:
    """What the partners section of a study / project page needs (one query for the list)."""
    kind = "project" if isinstance(target, Project) else "study"
    return {
        "partners": list(partners_of(target)),
        "partner_form": PartnerAddForm(fabrique=view.fabrique)
        if can_edit and not target.is_deleted
        else None,
        "partner_add_url": view.url(f"{kind}_partner_add", pk=target.pk),
    }
