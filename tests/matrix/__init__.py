"""Per-module parts of the permission matrix.

Each module here defines `MATRIX` (URL name -> Rule) and optionally `populate(side, label)` which
creates that module's objects for one side of the world (store them in `side.objects[...]`).
Modules are loaded in ORDER, so a module can use the objects of the modules before it.
"""

import importlib

ORDER = [
    "shell",
    "settings",
    "territories",
    "directory",
    "workstreams",
    "needs",
    "grouping",
    "committees",
    "studies",
    "projects",
    "recruitment",
    "support",
    "pipeline",
    "reporting",
    "intelligence",
    "imports",
    "notifications",
    "webhooks",
    "network",
    "api",
]


def modules():
    found = []
    for name in ORDER:
        try:
            found.append(importlib.import_module(f"{__name__}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    return found


def full_matrix() -> dict:
    matrix = {}
    for module in modules():
        overlap = set(matrix) & set(module.MATRIX)
        assert not overlap, f"URL declared twice in the matrix: {overlap}"
        matrix.update(module.MATRIX)
    return matrix
