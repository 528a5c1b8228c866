"""The audit cases, one module per app (each defines `CASES`)."""

from __future__ import annotations

import importlib
import pkgutil

from tests.audit.harness import Case


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        cases.extend(module.CASES)
    return cases
