"""Every API endpoint × every method it answers × every actor (issue 13): the permission matrix of the
API's methods. tests/matrix/ checks the GET of every URL; here each write method too.

- anonymous: 401 (no credentials);
- an administrator of another fabrique: 404 (the fabrique is not theirs);
- a role without the permission (VIEW to read, EDIT / DECIDE / MANAGE to write, as the resource says): 403;
- a role with it: an answer of the resource itself (200, 201, 204, 400 for the empty body, 409), never
  401, 403, 404 or 5xx.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fabrique.fabriques.models import Permission
from tests.matrix.test_matrix import MATRIX, ROLE_PERMS, ROLES, shared_world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

ACTORS = ("anonymous", *ROLES, "other_fabrique_admin")
OWN = {200, 201, 204, 400, 409}


def api_routes(resolver=None, namespace=""):
    """(url name, view class, {method: action}) of every API URL under a fabrique."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found += api_routes(entry, ns)
        elif isinstance(entry, URLPattern) and namespace == "api" and entry.name:
            actions = getattr(entry.callback, "actions", None)
            if actions:
                found.append((f"api:{entry.name}", entry.callback.cls, dict(actions)))
    return found


CASES = [
    pytest.param(name, method, actor, id=f"{name} {method.upper()} × {actor}")
    for name, _cls, actions in api_routes()
    for method in sorted(actions)
    for actor in ACTORS
]


def needed(cls, method: str) -> str:
    if method in ("get", "head", "options"):
        return getattr(cls, "read_permission", Permission.VIEW)
    return getattr(cls, "write_permission", Permission.EDIT)


def test_every_api_endpoint_is_checked_here():
    names = {name for name, _c, _a in api_routes()}
    assert "api:study-transitions" in names and "api:organization-list" in names
    assert names <= set(MATRIX), sorted(names - set(MATRIX))


@pytest.mark.parametrize(("name", "method", "actor"), CASES)
def test_api_method(shared_world, db, name, method, actor):  # noqa: F811
    world = shared_world
    routes = {n: (cls, actions) for n, cls, actions in api_routes()}
    cls, _actions = routes[name]
    rule = MATRIX[name]
    url = reverse(name, kwargs={"fabrique_slug": world.a.team.fabrique.slug, **rule.params(world)})
    client = Client()
    users = {role: world.a.team.user(role) for role in ROLES}
    users["other_fabrique_admin"] = world.b.team.admin
    if actor != "anonymous":
        client.force_login(users[actor], backend="django.contrib.auth.backends.ModelBackend")
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, data=json.dumps({}), content_type="application/json")
    if actor == "anonymous":
        expected = {401, 403}
    elif actor == "other_fabrique_admin":
        expected = {404}
    elif actor not in ROLE_PERMS[needed(cls, method)]:
        expected = {403}
    elif rule.owner and actor != rule.owner and name.endswith("-detail"):
        expected = {404}
    else:
        expected = OWN
    assert response.status_code in expected, (response.status_code, response.content[:300])
