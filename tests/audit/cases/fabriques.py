"""Fabriques: the fabrique itself, its method's words and its team."""

from __future__ import annotations

from fabrique.committees.models import CommitteeType
from fabrique.fabriques import services as s
from fabrique.fabriques.models import Role
from tests.audit.harness import case


def _invited(t):
    membership, _created = s.member_invite(
        fabrique=t.fabrique, actor=t.admin, email="nouvelle@ex.test", role=Role.READER
    )
    return membership


def _invited_user(t):
    return _invited(t).user


def _setup(t):
    s.fabrique_setup_defaults(fabrique=t.fabrique)
    return CommitteeType.objects.filter(fabrique=t.fabrique).first()


CASES = [
    case(
        s.fabrique_create,
        lambda t: s.fabrique_create(actor=t.admin, name="Fabrique de Saint-Nazaire", slug="saint-nazaire"),
        "fabriques.fabrique.created",
        {"name", "slug"},
        actor="admin",
        where="none",
    ),
    case(
        s.fabrique_setup_defaults, _setup, "committees.committeetype.created", {"kind", "label"}, actor=None
    ),
    case(
        s.fabrique_update,
        lambda t: s.fabrique_update(
            fabrique=t.fabrique, actor=t.admin, operator_name="Association Ouvre-Boîte"
        ),
        "fabriques.fabrique.updated",
        {"operator_name"},
        actor="admin",
        where="target",
    ),
    case(
        s.fabrique_configure_method,
        lambda t: s.fabrique_configure_method(
            fabrique=t.fabrique,
            actor=t.admin,
            stage_labels={"needs.need": {"new": "à regarder"}},
            milestone_templates={},
            email_texts={},
        ),
        "fabriques.fabrique.updated",
        {"stage_labels"},
        actor="admin",
        where="target",
    ),
    case(
        s.membership_set,
        lambda t: s.membership_set(fabrique=t.fabrique, actor=t.admin, user=t.reader, role=Role.OFFICER),
        "fabriques.membership.updated",
        {"role"},
        actor="admin",
    ),
    case(
        s.membership_deactivate,
        lambda t: s.membership_deactivate(
            membership=t.fabrique.memberships.get(user=t.reader), actor=t.admin
        ),
        "fabriques.membership.deactivated",
        actor="admin",
    ),
    case(s.member_invite, _invited, "fabriques.membership.created", {"role", "user"}, actor="admin"),
    case(
        s.member_invite,
        _invited_user,
        "accounts.user.invited",
        {"role"},
        actor="admin",
        variant="account",
    ),
    case(
        s.membership_change,
        lambda t: s.membership_change(
            membership=t.fabrique.memberships.get(user=t.reader),
            actor=t.admin,
            role=Role.OFFICER,
            is_active=True,
        ),
        "fabriques.membership.updated",
        {"role"},
        actor="admin",
    ),
]
