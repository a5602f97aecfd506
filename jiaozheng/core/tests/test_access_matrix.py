"""Every route x every persona x in/out-of-scope objects (see jiaozheng.core.testing.matrix).

One test per route, generated from the URL configuration and the API at import time; the standard world
is built once per test class and worker (setUpTestData) and every request runs in a savepoint that is
rolled back, so routes cannot affect each other.
"""

from __future__ import annotations

import re

from django.test import TestCase

from jiaozheng.core.testing.matrix import all_routes, check, discover
from jiaozheng.core.testing.world import make_world

discover()
ROUTES = all_routes()


def test_the_matrix_finds_ui_and_api_routes():
    kinds = {r.kind for r in ROUTES}
    assert kinds == {"ui", "api"}
    assert len(ROUTES) > 20
    names = [r.id for r in ROUTES]
    assert len(names) == len(set(names)), "two routes share a name: the matrix could not tell them apart"


class AccessMatrix(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = make_world()


def _make(route):
    def test(self):
        outcomes = check(route, self.world)
        failures = [o for o in outcomes if not o.ok]
        assert not failures, "\n".join(
            f"{o.persona} @ {o.where}: {o.method} {o.url} -> {o.status}, expected {o.expected}"
            for o in failures
        )

    test.__doc__ = f"{route.kind} {route.pattern}"
    return test


for _route in ROUTES:
    setattr(AccessMatrix, "test_" + re.sub(r"\W+", "_", _route.id), _make(_route))
