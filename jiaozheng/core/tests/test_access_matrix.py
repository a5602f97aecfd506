"""Every route x every persona x in/out-of-scope objects (see jiaozheng.core.testing.matrix)."""

from __future__ import annotations

import pytest

from jiaozheng.core.testing.matrix import all_routes, check, discover

discover()
ROUTES = all_routes()


def test_the_matrix_finds_ui_and_api_routes():
    kinds = {r.kind for r in ROUTES}
    assert kinds == {"ui", "api"}
    assert len(ROUTES) > 20


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_route_answers_each_persona_as_declared(route, world):
    outcomes = check(route, world)
    failures = [o for o in outcomes if not o.ok]
    assert not failures, "\n".join(
        f"{o.persona} @ {o.where}: {o.method} {o.url} -> {o.status}, expected {o.expected}" for o in failures
    )
    assert outcomes or route.policy is not None
