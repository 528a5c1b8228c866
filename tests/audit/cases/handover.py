"""Hand-overs between fabriques: a need or a project offered to another fabrique of the network."""

from __future__ import annotations

from fabrique.handover import services as s
from fabrique.needs.models import Need
from tests.audit.harness import case
from tests.conftest import make_team


def _need(fabrique, title="Atelier vélo à Clisson"):
    count = Need.all_objects.filter(fabrique=fabrique).count() + 1
    return Need.objects.create(fabrique=fabrique, title=title, reference=f"B-H{count:03d}")


def _offered(t):
    other = make_team("vendee", "Fabrique de test Vendée")
    return s.handover_offer(
        fabrique=t.fabrique,
        actor=t.admin,
        target=_need(t.fabrique),
        to_fabrique=other.fabrique,
        reason="Hors zone",
    )


def _received(t):
    """An offer from another fabrique to the test team's."""
    other = make_team("vendee", "Fabrique de test Vendée")
    return s.handover_offer(
        fabrique=other.fabrique,
        actor=other.admin,
        target=_need(other.fabrique),
        to_fabrique=t.fabrique,
        reason="Le besoin est dans votre territoire",
    )


def _withdrawn(t):
    return s.handover_withdraw(handover=_offered(t), actor=t.admin)


CASES = [
    case(s.handover_offer, _offered, "handover.handover.offered", {"objet", "motif"}, actor="admin"),
    case(
        s.handover_offer,
        lambda t: _offered(t).need,
        "needs.need.handover_offered",
        {"motif"},
        actor="admin",
        variant="on the need",
    ),
    case(s.handover_withdraw, _withdrawn, "handover.handover.withdrawn", actor="admin"),
    case(
        s.handover_refuse,
        lambda t: s.handover_refuse(
            handover=_received(t), actor=t.admin, reason="Pas les moyens cette année"
        ),
        "handover.handover.refused",
        {"motif"},
        actor="admin",
    ),
    case(
        s.handover_accept,
        lambda t: s.handover_accept(handover=_received(t), actor=t.admin, reason="Bienvenue"),
        "handover.handover.accepted",
        {"nouvelle référence"},
        actor="admin",
    ),
]
