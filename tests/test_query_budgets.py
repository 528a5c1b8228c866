"""Query budgets: every back-office, API, network head and public page is rendered at two data sizes
built here — the permission matrix's world plus a small volume in fabrique A, then ten times that volume
(`fabrique.demo.network.extend_fabrique`, the network generator) — and must

- use no more queries than its budget (`Rule.queries`, written next to the URL in tests/matrix/, 20 by
  default), and
- use the same number of queries at both sizes (an N+1 anywhere grows with the rows and fails here).

Pages are discovered from the URL configuration like the permission matrix does; a public page that is
not declared in tests/matrix/public.py fails `test_every_public_page_has_a_budget`.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fabrique.demo.network import extend_fabrique

from .matrix.public import PAGES
from .matrix.rules import NETWORK, PUBLIC, Rule
from .matrix.test_matrix import MATRIX, discover
from .world import build_world

pytestmark = pytest.mark.django_db

SMALL = {
    "organizations": 3,
    "people": 3,
    "needs": 3,
    "reports": 5,
    "studies": 2,
    "projects": 3,
    "plans": 2,
    "calls": 2,
    "applications": 3,
    "meetings": 2,
}
# pages that check at most N rows live (the duplicate queue's LIVE_REPORTS received reports) get
# that many in both sizes, so that a bounded loop does not look like an N+1
FIXED = {"received": 10}
# pages with a cache whose key follows the data: warmed again after the data grew
CACHED = {"backoffice:map", "backoffice:map_data"}
# a page may differ by this many queries between the two sizes without growing with the data
# (a "next page" link appearing, a first-time cache fill); an N+1 grows by at least nine per row kind
TOLERANCE = 2


def pages() -> list[tuple[str, Rule, list[str]]]:
    found = []
    for name, _route, kwargs in discover(namespaces=("backoffice", "api", "network", "public")):
        rule = MATRIX.get(name) or PAGES.get(name)
        if rule is not None:
            found.append((name, rule, kwargs))
    return found


def test_every_public_page_has_a_budget():
    public = [name for name, _r, _k in discover(namespaces=("public",))]
    assert public, "no public page discovered"
    missing = [name for name in public if name not in PAGES]
    assert not missing, (
        f"public pages without a query budget (declare them in tests/matrix/public.py): {missing}"
    )


def measure(world, clients, only=None) -> dict[str, tuple[int, int, list[str]]]:
    """{url name: (queries, status, sql)} of one GET of every page by a user allowed to see it."""
    found = {}
    for name, rule, kwargs_names in pages():
        if only is not None and name not in only:
            continue
        kwargs = rule.params(world)
        if "fabrique_slug" in kwargs_names:
            kwargs = {"fabrique_slug": world.a.team.fabrique.slug, **kwargs}
        url = reverse(name, kwargs=kwargs)
        client = clients[
            "network" if rule.access == NETWORK else "public" if rule.access == PUBLIC else "admin"
        ]
        if name.startswith("public:") or rule.access == PUBLIC:
            client = clients["public"]
        # one request first: process-wide caches (content types, settings, shapes) filled by whatever
        # test ran before must not make the count depend on the suite's order; the measured request
        # is the steady state a server sees
        warm = client.get(url)
        if warm.streaming:
            b"".join(warm.streaming_content)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        found[name] = (len(ctx), response.status_code, [q["sql"] for q in ctx.captured_queries])
    return found


def most_repeated(sql: list[str]) -> str:
    """The query shape run most often (numbers blanked), to point at the N+1."""
    shapes = Counter(re.sub(r"\b\d+\b", "?", q)[:160] for q in sql)
    shape, n = shapes.most_common(1)[0]
    return f"{n}× {shape}"


def test_pages_keep_their_query_budget_when_the_data_grows():
    world = build_world()
    fabrique = world.a.team.fabrique
    extend_fabrique(fabrique, volumes={**SMALL, **FIXED}, seed=1, actor=world.a.team.officer)
    clients = {"public": Client(), "admin": Client(), "network": Client()}
    clients["admin"].force_login(world.a.team.admin, backend="django.contrib.auth.backends.ModelBackend")
    clients["network"].force_login(world.network_head, backend="django.contrib.auth.backends.ModelBackend")
    measure(world, clients)  # warm the caches (content types, sessions) so both runs start equal
    small = measure(world, clients)
    extend_fabrique(
        fabrique, volumes={k: 9 * v for k, v in SMALL.items()}, seed=2, actor=world.a.team.officer
    )
    # caches keyed on the data (the map's shapes of the communes with needs) are filled again first
    measure(world, clients, only=CACHED)
    large = measure(world, clients)

    problems = []
    rules = {name: rule for name, rule, _k in pages()}
    for name, (n_small, status, _sql) in small.items():
        n_large, status_large, sql = large[name]
        budget = rules[name].queries
        if status >= 500 or status_large >= 500:
            problems.append(f"{name}: HTTP {status}/{status_large}")
        if n_large > n_small + TOLERANCE:
            problems.append(
                f"{name}: {n_small} queries with the small data, {n_large} with ten times more (N+1); "
                f"most repeated: {most_repeated(sql)}"
            )
        if max(n_small, n_large) > budget:
            problems.append(f"{name}: {max(n_small, n_large)} queries, budget {budget}")
    print("\n".join(f"{n}: {small[n][0]} -> {large[n][0]}" for n in sorted(small)))
    assert not problems, "\n".join(sorted(problems))
