"""The vocabulary of the permission matrix (and of the query budgets written next to each URL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fabrique.fabriques.models import Permission

PUBLIC = "public"  # anyone; shows no private data of a fabrique
AUTHENTICATED = "authenticated"  # any logged-in user (sees only their own fabriques)
NETWORK = "network"  # network head only: aggregate figures
V, D, E, M, R = Permission.VIEW, Permission.DECIDE, Permission.EDIT, Permission.MANAGE, Permission.REPORT


@dataclass
class Rule:
    access: str
    # kwargs (besides fabrique_slug) pointing at objects of fabrique A
    params: Callable = field(default=lambda w: {})
    # the same URL pointing at an object of fabrique B (must be 404 for fabrique A's users)
    foreign: Callable | None = None
    # also POST an empty body: forbidden roles get 403, allowed ones a validation answer (200/400)
    # or a redirect (302) for actions without fields
    post: bool = False
    # query budget of a GET by an allowed user (tests/test_query_budgets.py): the page must not use more
    # queries than this, and must use the same number with ten times more data (no N+1)
    queries: int = 20
    # a row only its owner sees (one's own evaluation): the other allowed roles get 404
    owner: str | None = None
    # the answer of a GET by an allowed role (405 for a POST-only API action such as transitions/)
    ok: int = 200


def pk(name: str, kwarg: str = "pk"):
    """params builder: {kwarg: <object `name` of fabrique A>.pk}"""
    return lambda w: {kwarg: getattr(w.a, name).pk}


def foreign_pk(name: str, kwarg: str = "pk"):
    return lambda w: {kwarg: getattr(w.b, name).pk}
