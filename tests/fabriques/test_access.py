import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from fabrique.fabriques.access import access_fabrique, access_object
from fabrique.fabriques.models import Membership, Permission

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        ("admin", Permission.MANAGE, True),
        ("officer", Permission.MANAGE, False),
        ("officer", Permission.EDIT, True),
        ("committee", Permission.EDIT, False),
        ("committee", Permission.DECIDE, True),
        ("reader", Permission.DECIDE, False),
        ("reader", Permission.VIEW, True),
    ],
)
def test_role_permissions(team, role, permission, allowed):
    user = team.user(role)
    if allowed:
        assert access_fabrique(user, team.fabrique.slug, permission).fabrique == team.fabrique
    else:
        with pytest.raises(PermissionDenied):
            access_fabrique(user, team.fabrique.slug, permission)


def test_user_of_another_fabrique_gets_404_not_403(team, other_team):
    with pytest.raises(Http404):
        access_fabrique(other_team.admin, team.fabrique.slug, Permission.VIEW)


def test_inactive_membership_has_no_access(team):
    Membership.objects.filter(user=team.officer).update(is_active=False)
    with pytest.raises(Http404):
        access_fabrique(team.officer, team.fabrique.slug, Permission.VIEW)


def test_access_object_is_scoped_to_the_fabrique(team, other_team):
    own = team.fabrique.memberships.first()
    foreign = other_team.fabrique.memberships.first()
    assert access_object(Membership, fabrique=team.fabrique, pk=own.pk) == own
    with pytest.raises(Http404):
        access_object(Membership, fabrique=team.fabrique, pk=foreign.pk)
    with pytest.raises(Http404):
        access_object(Membership, fabrique=team.fabrique, pk="not-a-number")
