"""Reactions to the library: the source fabrique's team hears that its model is reproduced elsewhere."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from fabrique.audit.labels import register_action_label
from fabrique.audit.models import AuditEntry
from fabrique.core.events import on_action
from fabrique.fabriques.models import Permission
from fabrique.notifications.selectors import members_with
from fabrique.notifications.services import notify

from .models import ModelSheet

register_action_label("essaimage.modelsheet.replicated", _("Modèle reproduit par une autre fabrique"))
register_action_label("essaimage.modelsheet.document_added", _("Document ajouté au modèle"))
register_action_label("essaimage.replication.created", _("Modèle de la bibliothèque reproduit ici"))


@on_action("essaimage.modelsheet.replicated")
def model_replicated(entry: AuditEntry) -> None:
    sheet = ModelSheet.all_objects.select_related("fabrique").filter(pk=entry.target_id).first()
    if sheet is None or entry.fabrique is None:
        return
    notify(
        fabrique=sheet.fabrique,
        recipients=[m.user for m in members_with(fabrique=sheet.fabrique, permission=Permission.EDIT)],
        kind="replication",
        title=_("Votre modèle « %(model)s » est reproduit par %(where)s")
        % {"model": sheet.title, "where": entry.new_values.get("fabrique", "")},
        url=reverse(
            "backoffice:model_sheet_detail", kwargs={"fabrique_slug": sheet.fabrique.slug, "pk": sheet.pk}
        ),
        key=f"event:{entry.pk}",
    )
