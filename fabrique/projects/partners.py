"""The partners of a study or a project: organisations of the directory with a role.

`partner_add` / `partner_remove` are the only writes; each is atomic and audited on the study or the
project itself (so the entry shows in its history and reaches its followers through the events seam).
An organisation's page lists everything it is involved in (`fabrique.reporting.links`), and a
committee member from a partner organisation has a conflict of interest on it (`projects.apps`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.audit.services import audit_log
from fabrique.core.errors import DomainError
from fabrique.directory.autocomplete import RecordChoiceField

from .models import PartnerRole, Partnership, Project

if TYPE_CHECKING:
    from fabrique.accounts.models import User
    from fabrique.directory.models import Organization
    from fabrique.fabriques.models import Fabrique
    from fabrique.studies.models import Study


def _target_kwargs(target: Study | Project) -> dict[str, Any]:
    return {"project": target} if isinstance(target, Project) else {"study": target}


def _action(target: Study | Project, verb: str) -> str:
    return f"{target._meta.app_label}.{target._meta.model_name}.{verb}"


def partners_of(target: Study | Project) -> QuerySet[Partnership]:
    """The live partners of a study or a project, with their organisation (one query)."""
    return (
        Partnership.objects.filter(fabrique_id=target.fabrique_id, **_target_kwargs(target))
        .select_related("organization")
        .order_by("role", "organization__name", "pk")
    )


def partner_add(
    *, target: Study | Project, organization: Organization, role: str, actor: User, note: str = ""
) -> Partnership:
    """`organization` becomes a partner of `target` in `role`."""
    if role not in PartnerRole.values:
        raise DomainError(_("Rôle de partenaire inconnu : %(role)s.") % {"role": role})
    if organization.fabrique_id != target.fabrique_id or organization.is_deleted:
        raise DomainError(_("Le partenaire doit figurer dans l'annuaire de la fabrique."))
    if target.is_deleted:
        raise DomainError(_("« %(target)s » a été supprimé.") % {"target": target})
    note = (note or "").strip()
    with transaction.atomic():
        locked = type(target)._base_manager.select_for_update().get(pk=target.pk)
        if partners_of(locked).filter(organization=organization, role=role).exists():
            raise DomainError(
                _("« %(organization)s » est déjà partenaire (%(role)s).")
                % {"organization": organization, "role": PartnerRole(role).label}
            )
        partnership = Partnership(
            fabrique_id=locked.fabrique_id,
            organization=organization,
            role=role,
            note=note,
            **_target_kwargs(locked),
        )
        partnership.full_clean()
        partnership.save()
        audit_log(
            actor=actor,
            fabrique=locked.fabrique,
            target=locked,
            action=_action(locked, "partner_added"),
            new={"partenaire": str(partnership), **({"précisions": note} if note else {})},
        )
    return partnership


def partner_remove(*, partnership: Partnership, actor: User) -> Partnership:
    """The organisation is no longer a partner in that role (the row stays, soft-deleted, in the log)."""
    with transaction.atomic():
        locked = Partnership._base_manager.select_for_update().get(pk=partnership.pk)
        if locked.deleted_at is not None:
            return locked
        locked.deleted_at = timezone.now()
        locked.save(update_fields=["deleted_at", "updated_at"])
        target = locked.target
        audit_log(
            actor=actor,
            fabrique=target.fabrique,  # type: ignore[attr-defined]
            target=target,
            action=_action(target, "partner_removed"),  # type: ignore[arg-type]
            old={"partenaire": str(locked)},
        )
    return locked


class PartnerAddForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Rôle"), choices=PartnerRole.choices)
    note = forms.CharField(
        label=gettext_lazy("Précisions (facultatif)"),
        required=False,
        max_length=300,
        help_text=gettext_lazy(
            "Par exemple : « finance l'étude de marché », « met un local à disposition »."
        ),
    )

    def __init__(self, *args: Any, fabrique: Fabrique, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"] = RecordChoiceField(
            kind="organization", fabrique=fabrique, label=gettext_lazy("Structure de l'annuaire")
        )
        self.order_fields(["organization", "role", "note"])
