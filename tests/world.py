"""A small world of two fabriques with one object of every kind, used by the permission matrix
and the page smoke tests. Fabrique B's objects all carry `SECRET_B` in their names so that any
leak shows up in a response body."""

from __future__ import annotations

from dataclasses import dataclass, field

from fabrique.accounts.models import User

from .conftest import Team, make_team, make_user

SECRET_B = "ZZSECRETB"


@dataclass
class Side:
    team: Team
    secret: str = ""
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


@dataclass
class World:
    a: Side
    b: Side
    network_head: User


def populate(side: Side, label: str) -> None:
    """Create one object of every kind for `side` (each tests/matrix module adds its own)."""
    from .matrix import modules

    for module in modules():
        if hasattr(module, "populate"):
            module.populate(side, label)


def build_world() -> World:
    a = Side(team=make_team("fab-a", "Fabrique A"), secret="")
    b = Side(team=make_team("fab-b", "Fabrique B"), secret=SECRET_B)
    populate(a, "A")
    populate(b, f"B {SECRET_B}")
    head = make_user("tete@reseau.test", first_name="Tête", last_name="Réseau", is_network_head=True)
    return World(a=a, b=b, network_head=head)
