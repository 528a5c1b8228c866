"""The permission matrix: every back-office, API and network URL, every role, anonymous visitors,
a user of another fabrique and the network head — the right answer for each, and never a byte
of another fabrique's data.

URLs are discovered from the URL configuration. A URL that is not in MATRIX fails the test:
whoever adds a view must state who may use it (in tests/matrix/<module>.py). Each URL × actor is
one test case, so a failure names both (`test_access[backoffice:need_detail × reader]`); the world
they share is built once per module and rolled back at the end.
`test_the_matrix_catches_a_view_without_check` shows that a view forgetting its access check is caught.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

from fabrique.fabriques.models import Permission
from tests.conftest import make_team, make_user
from tests.world import World, build_world

from . import full_matrix
from .rules import AUTHENTICATED, NETWORK, PUBLIC, Rule, V

pytestmark = pytest.mark.django_db

ROLES = ("admin", "officer", "committee", "reader", "partner")
ACTORS = ("anonymous", *ROLES, "other_fabrique_admin", "network_head")
ROLE_PERMS = {
    Permission.REPORT: {"admin", "officer", "committee", "reader", "partner"},
    Permission.VIEW: {"admin", "officer", "committee", "reader"},
    Permission.DECIDE: {"admin", "officer", "committee"},
    Permission.EDIT: {"admin", "officer"},
    Permission.MANAGE: {"admin"},
}
SCANNED_NAMESPACES = ("backoffice", "api", "network")
MATRIX = full_matrix()


def discover(
    resolver=None, prefix: str = "", namespace: str = "", namespaces=SCANNED_NAMESPACES
) -> list[tuple[str, str, list[str]]]:
    """(qualified name, route, kwargs) of every named URL under the scanned namespaces."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found += discover(entry, prefix + str(entry.pattern), ns, namespaces)
        elif isinstance(entry, URLPattern) and entry.name:
            route = prefix + str(entry.pattern)
            if namespace.split(":")[0] in namespaces:
                name = f"{namespace}:{entry.name}"
                kwargs = sorted(set(entry.pattern.converters) | set(_route_kwargs(route)))
                found.append((name, route, kwargs))
    return found


def _route_kwargs(route: str) -> list[str]:
    import re

    return re.findall(r"<(?:\w+:)?(\w+)>", route)


def actors(world: World) -> dict[str, object]:
    return {
        "anonymous": None,
        **{role: world.a.team.user(role) for role in ROLES},
        "other_fabrique_admin": world.b.team.admin,
        "network_head": world.network_head,
    }


def expected_status(rule: Rule, actor: str, is_api: bool) -> set[int]:
    if rule.access == PUBLIC:
        return {200}
    if actor == "anonymous":
        return {401, 403} if is_api else {302}
    if rule.access == AUTHENTICATED:
        return {200, 302}
    if rule.access == NETWORK:
        return {200} if actor == "network_head" else {403}
    if actor in ("other_fabrique_admin", "network_head"):
        return {404}
    if rule.owner and actor in ROLE_PERMS[rule.access] and actor != rule.owner:
        return {404}
    return {rule.ok} if actor in ROLE_PERMS[rule.access] else {403}


def check_url(name: str, rule: Rule, world: World, kwargs_names: list[str]) -> list[str]:
    """Every violation of `rule` for URL `name`, for every actor, as readable lines."""
    return [p for actor in ACTORS for p in check_actor(name, rule, world, kwargs_names, actor)]


def check_actor(name: str, rule: Rule, world: World, kwargs_names: list[str], actor_name: str) -> list[str]:
    """Every violation of `rule` for URL `name` and one actor, as readable lines."""
    problems = []
    is_api = name.startswith("api:")
    kwargs = rule.params(world)
    if "fabrique_slug" in kwargs_names:
        kwargs = {"fabrique_slug": world.a.team.fabrique.slug, **kwargs}
    url = reverse(name, kwargs=kwargs)
    secret = world.b.secret
    user = actors(world)[actor_name]
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(url)
    allowed = expected_status(rule, actor_name, is_api)
    if response.status_code not in allowed:
        problems.append(f"{name} GET as {actor_name}: {response.status_code}, expected {sorted(allowed)}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if secret in body.decode(errors="ignore"):
        problems.append(f"{name} GET as {actor_name}: shows data of another fabrique")
    if rule.post:
        response = client.post(url, {})
        if rule.access in ROLE_PERMS and actor_name in ROLES:
            ok_roles = {200, 302, 400} if actor_name in ROLE_PERMS[rule.access] else {403}
        else:
            ok_roles = allowed - {200}
        if response.status_code not in ok_roles:
            problems.append(
                f"{name} POST as {actor_name}: {response.status_code}, expected {sorted(ok_roles)}"
            )
    if rule.foreign and user is not None and actor_name in ROLES:
        foreign_url = reverse(name, kwargs={**kwargs, **rule.foreign(world)})
        response = client.get(foreign_url)
        # a role allowed to use the view must get 404 (the object is not in its fabrique);
        # a role without the permission may be stopped earlier by the 403
        expected_foreign = {404} if actor_name in ROLE_PERMS.get(rule.access, ()) else {403, 404}
        if rule.owner and actor_name != rule.owner:
            expected_foreign = {403, 404}
        if response.status_code not in expected_foreign:
            problems.append(f"{name} with another fabrique's object as {actor_name}: {response.status_code}")
    return problems


def test_every_url_is_in_the_matrix():
    missing = [name for name, _route, _kw in discover() if name not in MATRIX]
    assert not missing, f"URLs missing from the permission matrix (add them to MATRIX): {missing}"


def test_every_matrix_entry_still_exists():
    names = {name for name, _route, _kw in discover()}
    assert set(MATRIX) - names == set()


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """One world for every URL × actor case of this module, rolled back when the module is done
    (each case runs in its own savepoint, so a POST of one case never leaks into another)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


CASES = [
    pytest.param(name, kwargs_names, actor, id=f"{name} × {actor}")
    for name, _route, kwargs_names in discover()
    if name in MATRIX
    for actor in ACTORS
]


@pytest.mark.parametrize(("name", "kwargs_names", "actor"), CASES)
def test_access(shared_world, db, name, kwargs_names, actor):
    problems = check_actor(name, MATRIX[name], shared_world, kwargs_names, actor)
    assert not problems, "\n".join(problems)


# --- the matrix catches a forgotten check ----------------------------------------------------------


def leaky_view(request, fabrique_slug):
    """A view that forgot the access layer: it finds the fabrique by slug for anybody."""
    from fabrique.fabriques.models import Fabrique

    fabrique = Fabrique.objects.get(slug=fabrique_slug)
    return HttpResponse(f"{fabrique.name} {fabrique.memberships.count()}")


leaky_urlpatterns = [
    path(
        "espace/",
        __import__("django.urls", fromlist=["include"]).include(
            ([path("<slug:fabrique_slug>/fuite/", leaky_view, name="leaky")], "backoffice")
        ),
    ),
]


@override_settings(ROOT_URLCONF=__name__ + "_leaky")
def test_the_matrix_catches_a_view_without_check(shared_world, db):
    world = shared_world
    import sys
    import types

    module = types.ModuleType(__name__ + "_leaky")
    module.urlpatterns = leaky_urlpatterns
    sys.modules[module.__name__] = module
    try:
        discovered = discover(get_resolver(module.__name__))
        assert [name for name, _r, _k in discovered] == ["backoffice:leaky"]
        # not in MATRIX -> test_every_url_is_in_the_matrix would fail
        assert "backoffice:leaky" not in MATRIX
        # and even if someone declares it, the checks catch the missing access control
        problems = check_url("backoffice:leaky", Rule(V), world, ["fabrique_slug"])
        assert any("anonymous" in p for p in problems)
        assert any("other_fabrique_admin" in p for p in problems)
    finally:
        del sys.modules[module.__name__]


def test_a_view_without_declared_permission_refuses_to_run(rf, shared_world, db):
    world = shared_world
    from django.core.exceptions import ImproperlyConfigured
    from django.views.generic import TemplateView

    from fabrique.backoffice.views.base import FabriqueViewMixin

    class Forgotten(FabriqueViewMixin, TemplateView):
        template_name = "base.html"

    request = rf.get("/")
    request.user = world.a.team.admin
    with pytest.raises(ImproperlyConfigured):
        Forgotten.as_view()(request, fabrique_slug=world.a.team.fabrique.slug)


def test_make_team_helpers_are_isolated():
    # sanity: two teams never share users
    a = make_team("aa", "A")
    b = make_team("bb", "B")
    assert not set(a.fabrique.memberships.values_list("user", flat=True)) & set(
        b.fabrique.memberships.values_list("user", flat=True)
    )
    assert make_user("x@y.test").memberships.count() == 0
