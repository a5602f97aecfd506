"""BENCH P6: the main staff pages at provincial scale (35,000 persons in the database).

Each page is requested through Django's test client (server time only, no network) as a county bureau
officer of the synthetic province, after one warm-up request; the median of 9 runs and the query count
are printed as ``BENCH P6 persons=35000 page=<name> median_ms=... queries=...``. The home page is also
measured at 50 persons in the county to show that its time and queries do not grow with the caseload.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

PERSONS = 35000
RUNS = 9


def _province() -> Any:
    from jiaozheng.orgs.models import OrgUnit
    from jiaozheng.people.synthetic import generate_province

    existing = OrgUnit.objects.filter(kind="province", code="980000").first()
    if existing is not None:
        from jiaozheng.orgs.models import User

        return existing, User.objects.get(username="p6_officer")
    result = generate_province(persons=PERSONS, counties=120, name="基准省", code="980000", seed=6)
    from jiaozheng.orgs.models import Assignment, User

    officer = User.objects.create(username="p6_officer", role="bureau_officer", full_name="基准")
    Assignment.objects.create(user=officer, unit=result.counties[0])
    return result.province, officer


def _measure(client: Any, path: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    times = []
    queries = 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


def bench(report: Any) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from jiaozheng.people.models import Person

    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        province, officer = _province()
        total = Person.objects.count()
        county = officer.assignments.first().unit
        person = Person.objects.filter(county=county).first()
        client = Client()
        client.force_login(officer)
        pages = {
            "home": "/",
            "caseload": "/people/",
            "person": f"/people/{person.pk}/",
            "caseload_search": f"/people/?q={person.id_tail}",
            "alerts": "/location/alerts/",
            "map": "/location/",
            "due_visits": "/visits/due/",
            "sessions": "/education/sessions/",
            "assessments": "/assessments/",
            "contracts": "/contracts/",
        }
        from django.urls import Resolver404, resolve

        for name, path in pages.items():
            try:
                resolve(path.split("?")[0])
            except Resolver404:
                continue
            median, queries = _measure(client, path)
            report(
                f"BENCH P6 db={connection.vendor} persons={total} page={name} median_ms={median:.1f} queries={queries}"
            )
        # growth: the home page for a squadron's staff (~60 persons) and for a city's (thousands of persons)
        from jiaozheng.orgs.models import Assignment, OrgUnit, User

        squadron = OrgUnit.objects.filter(kind="squadron", county=county).first()
        city = county.parent
        small_user, _ = User.objects.get_or_create(
            username="p6_squadron", defaults={"role": "squadron_officer"}
        )
        large_user, _ = User.objects.get_or_create(username="p6_city", defaults={"role": "bureau_officer"})
        Assignment.objects.get_or_create(user=small_user, unit=squadron)
        Assignment.objects.get_or_create(user=large_user, unit=city)
        measured = {}
        for label, user, scope_q in (
            ("small", small_user, {"squadron": squadron}),
            ("large", large_user, {"county__parent": city}),
        ):
            c = Client()
            c.force_login(user)
            median, queries = _measure(c, "/")
            measured[label] = (
                Person.objects.filter(status="in_correction", **scope_q).count(),
                median,
                queries,
            )
        (ps, ms, qs), (pl, ml, ql) = measured["small"], measured["large"]
        report(
            f"BENCH P6 db={connection.vendor} page=home_growth persons_small={ps} ms_small={ms:.1f} "
            f"queries_small={qs} persons_large={pl} ms_large={ml:.1f} queries_large={ql} "
            f"time_ratio={ml / ms:.2f}"
        )
