"""Reactions to hand-overs (the events seam): the staff of each side are notified; once accepted, the
reporters who agreed to be informed are told that another fabrique now takes care of their report."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from fabrique.audit.labels import register_action_label
from fabrique.audit.models import AuditEntry
from fabrique.core.events import on_action
from fabrique.fabriques.models import Fabrique, Permission
from fabrique.needs.models import Need
from fabrique.notifications.outside import reporters_told
from fabrique.notifications.selectors import members_with
from fabrique.notifications.services import notify

from .models import HandOver, HandOverKind

for _action, _label in {
    "handover.handover.offered": _("Transmission proposée à une autre fabrique"),
    "handover.handover.accepted": _("Transmission acceptée"),
    "handover.handover.refused": _("Transmission refusée"),
    "handover.handover.withdrawn": _("Transmission retirée"),
    "needs.need.handover_offered": _("Proposé à une autre fabrique"),
    "needs.need.handed_over": _("Transmis par une autre fabrique"),
    "projects.project.handover_offered": _("Proposé à une autre fabrique"),
    "projects.project.handed_over": _("Transmis par une autre fabrique"),
}.items():
    register_action_label(_action, _label)


def _handover(entry: AuditEntry) -> HandOver | None:
    return HandOver.objects.select_related("from_fabrique", "to_fabrique").filter(pk=entry.target_id).first()


def _url(handover: HandOver, fabrique: Fabrique) -> str:
    return reverse("backoffice:handover_detail", kwargs={"fabrique_slug": fabrique.slug, "pk": handover.pk})


def _tell(handover: HandOver, fabrique: Fabrique, entry: AuditEntry, title: str, permission: str) -> None:
    notify(
        fabrique=fabrique,
        recipients=[m.user for m in members_with(fabrique=fabrique, permission=permission)],
        kind="handover",
        title=title,
        url=_url(handover, fabrique),
        key=f"event:{entry.pk}:{fabrique.pk}",
        exclude=entry.actor,
    )


@on_action("handover.handover.*")
def handover_news(entry: AuditEntry) -> None:
    """Each event is logged once per side: each side's entry notifies that side's staff."""
    handover = _handover(entry)
    if handover is None or entry.fabrique is None:
        return
    kind = str(HandOverKind(handover.kind).label)
    data = {
        "kind": kind,
        "title": handover.title,
        "from": handover.from_fabrique.name,
        "to": handover.to_fabrique.name,
    }
    receiving = entry.fabrique.pk == handover.to_fabrique_id
    verb = entry.action.rsplit(".", 1)[-1]
    titles = {
        ("offered", True): _("%(from)s vous propose un %(kind)s : %(title)s") % data,
        ("offered", False): _("%(kind)s « %(title)s » proposé à %(to)s") % data,
        ("accepted", True): _("%(kind)s « %(title)s » reçu de %(from)s") % data,
        ("accepted", False): _("%(to)s a accepté le %(kind)s « %(title)s »") % data,
        ("refused", True): _("Vous avez refusé le %(kind)s « %(title)s » de %(from)s") % data,
        ("refused", False): _("%(to)s a refusé le %(kind)s « %(title)s »") % data,
        ("withdrawn", True): _("%(from)s a retiré son offre : %(title)s") % data,
        ("withdrawn", False): _("Offre retirée : %(title)s") % data,
    }
    title = titles.get((verb, receiving))
    if title is None:
        return
    # the receiving admins decide; on the sending side the whole team hears of the answer
    permission = Permission.MANAGE if receiving and verb == "offered" else Permission.EDIT
    _tell(handover, entry.fabrique, entry, title, permission)


@on_action("handover.handover.accepted")
def reporters_handed_over(entry: AuditEntry) -> None:
    """The consenting reporters of the moved needs, once (on the receiver's entry)."""
    handover = _handover(entry)
    if handover is None or entry.fabrique_id != handover.to_fabrique_id:
        return
    target = handover.target
    if target is None:
        return
    needs = [target] if isinstance(target, Need) else list(target.needs.all())
    reporters_told(
        entry=entry,
        fabrique=handover.to_fabrique,
        needs=needs,
        subject=_("une autre fabrique prend le relais sur le besoin que vous avez signalé"),
        lines=[
            _(
                "La fabrique %(from)s a confié le besoin que vous aviez signalé à la fabrique %(to)s, mieux placée "
                "pour y répondre. Votre lien de suivi reste valable."
            )
            % {"from": handover.from_fabrique.name, "to": handover.to_fabrique.name},
        ],
    )
