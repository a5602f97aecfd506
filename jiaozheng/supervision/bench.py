"""BENCH P8: supervision's due lists and pages at 50 and at 5,000 persons in the officer's county.

Two synthetic one-county provinces (50 and 5,000 persons in correction) are made once and enriched so that
every list has rows: terms ending within the notice window, 暂予监外执行 persons due a re-examination,
and per person an assessment case, a trip, a visitor request and a change of residence. Each page is
requested through Django's test client as the county's bureau officer (median of 9 runs after a warm-up)
and printed as ``BENCH P8 db=... page=<name> persons_small=50 queries_small=... ms_small=...
persons_large=5000 queries_large=... ms_large=... constant=yes|no``; ``constant`` compares the query counts.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

RUNS = 9
SIZES = (("small", 50, "960000"), ("large", 5000, "950000"))
PAGES = {
    "release_due": "/supervision/releases/due/",
    "reexam_due": "/supervision/reexaminations/due/",
    "sanctions": "/supervision/sanctions/?open=1",
    "approvals": "/supervision/approvals/?open=1",
    "travel": "/supervision/travel/",
    "missed_reports": "/supervision/missed-reports/",
    "investigations": "/supervision/investigations/",
    "home": "/",
}


def _county(persons: int, code: str) -> tuple[Any, Any]:
    """The county of a synthetic province with ``persons`` persons and its bureau officer (made once)."""
    from jiaozheng.core.synthetic import generate_province
    from jiaozheng.orgs.models import OrgUnit, User

    province = OrgUnit.objects.filter(kind="province", code=code).first()
    if province is None:
        generate_province(persons=persons, counties=1, name=f"P8省{persons}", code=code, seed=15)
        province = OrgUnit.objects.get(kind="province", code=code)
        _enrich(province)
    county = OrgUnit.objects.get(kind="county", path__startswith=province.path)
    officer = User.objects.get(username=f"bench_{code}_officer_0")
    return county, officer


def _enrich(province: Any) -> None:
    from jiaozheng.people.models import Person
    from jiaozheng.supervision.models import (
        PermitRequest,
        Reexamination,
        Relocation,
        SanctionCase,
        TravelRequest,
    )

    today = timezone_today()
    people = list(Person.objects.filter(county__path__startswith=province.path).order_by("pk"))
    cases, trips, permits, moves, exams = [], [], [], [], []
    for n, p in enumerate(people):
        changed = False
        if n % 3 == 0:
            p.term_end = today + dt.timedelta(days=n % 40 - 5)  # some ended, most within the notice window
            changed = True
        if n % 4 == 1:
            p.correction_type = "temporary_outside_execution"
            changed = True
        if changed:
            p.save(update_fields=["term_end", "correction_type"])
        if p.correction_type == "temporary_outside_execution" and n % 8 == 1:
            exams.append(
                Reexamination(person=p, examined_on=today - dt.timedelta(days=80), hospital="县医院")
            )
        cases.append(
            SanctionCase(
                person=p,
                kind="admonition",
                ground="minor_breach",
                facts="基准",
                occurred_on=today - dt.timedelta(days=3),
                proposed_on=today - dt.timedelta(days=2),
                decision_due_on=today + dt.timedelta(days=n % 9 - 4),
            )
        )
        trips.append(
            TravelRequest(
                person=p,
                destination="长沙市",
                reason="基准",
                start_on=today - dt.timedelta(days=10),
                end_on=today - dt.timedelta(days=n % 5),
                level="squadron",
                status="approved",
            )
        )
        permits.append(
            PermitRequest(
                person=p,
                kind="visitor",
                subject="基准",
                reason="基准",
                start_on=today + dt.timedelta(days=3),
                end_on=today + dt.timedelta(days=3),
                decision_due_on=today + dt.timedelta(days=n % 7 - 3),
            )
        )
        if n % 2 == 0:
            moves.append(
                Relocation(
                    person=p,
                    new_address="基准",
                    receiving_county="基准县",
                    reason="基准",
                    planned_on=today + dt.timedelta(days=30),
                    requested_on=today - dt.timedelta(days=6),
                    consult_due_on=today - dt.timedelta(days=n % 3),
                )
            )
    for model, rows in (
        (SanctionCase, cases),
        (TravelRequest, trips),
        (PermitRequest, permits),
        (Relocation, moves),
        (Reexamination, exams),
    ):
        model.objects.bulk_create(rows, batch_size=1000)


def timezone_today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def _measure(client: Any, path: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    times, queries = [], 0
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
        measured: dict[str, dict[str, tuple[int, float, int]]] = {}
        for label, persons, code in SIZES:
            county, officer = _county(persons, code)
            count = Person.objects.filter(county=county, status="in_correction").count()
            client = Client()
            client.force_login(officer)
            for name, path in PAGES.items():
                median, queries = _measure(client, path)
                measured.setdefault(name, {})[label] = (count, median, queries)
        for name, row in measured.items():
            (ps, ms, qs), (pl, ml, ql) = row["small"], row["large"]
            report(
                f"BENCH P8 db={connection.vendor} page={name} persons_small={ps} queries_small={qs} "
                f"ms_small={ms:.1f} persons_large={pl} queries_large={ql} ms_large={ml:.1f} "
                f"constant={'yes' if qs == ql else 'no'}"
            )
