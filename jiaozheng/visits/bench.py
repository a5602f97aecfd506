"""Benchmarks of visits (``scripts/bench.py --only visits``). Everything is rolled back afterwards.

- P5 visits.measures: the eight visit measures over a synthetic province (35,000 persons, a year of visits),
  of which the on-time rate evaluates every person's windows against the standards.
- P6 pages at that scale for a county administrator: the due list, the visit records and a person's page.
- P6 visits.route: planning a field day of 30 stops for three teams with OR-Tools.
- P6 visits.export: the provincial XLSX of a county's year of visits.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from typing import Any

PERSONS = 35_000


class _Rollback(Exception):
    pass


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def bench(report: Any) -> None:
    from django.db import connection, transaction

    try:
        with transaction.atomic():
            _run(report, connection.vendor)
            raise _Rollback
    except _Rollback:
        pass


def _visits_for(rng: random.Random, rows: list[tuple[int, str, dt.date]], today: dt.date) -> list[Any]:
    """A year of visits per person following the built-in cadence, about nine in ten windows met."""
    from django.utils import timezone

    from jiaozheng.visits.models import Visit

    visits = []
    start_year = today - dt.timedelta(days=365)
    per_class = {"strict": 30, "ordinary": 91, "lenient": 182}
    for person_id, cls, intake in rows:
        day = max(intake, start_year) + dt.timedelta(days=rng.randrange(0, 20))
        step = per_class[cls]
        while day < today:
            if rng.random() < 0.9:
                focus = cls == "strict" or (day - intake).days < 60
                visits.append(
                    Visit(
                        person_id=person_id,
                        visit_type="focus" if focus else "routine",
                        method="field_visit" if focus else "phone_check",
                        field_target="home" if focus else "",
                        visited_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))),
                        visited_on=day,
                        thinking="稳定",
                    )
                )
            day += dt.timedelta(days=step)
    return visits


def _run(report: Any, vendor: str) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from jiaozheng.core.measures import MeasureContext, get_measure
    from jiaozheng.people.models import Person
    from jiaozheng.people.synthetic import generate_province
    from jiaozheng.visits.models import Visit

    rng = random.Random(6)
    today = timezone.localdate()
    province = generate_province(persons=PERSONS)
    rows = list(
        Person.objects.filter(pk__in=province.person_ids).values_list("pk", "supervision_class", "intake_on")
    )
    started = time.perf_counter()
    visits = _visits_for(rng, rows, today)
    Visit.objects.bulk_create(visits, batch_size=2000)
    if vendor == "postgresql":
        # fresh statistics, as autovacuum would have them in production (the bench's rows are uncommitted)
        with connection.cursor() as cursor:
            for table in ("orgs_orgunit", "people_person", "people_classchange", "visits_visit"):
                cursor.execute(f"ANALYZE {table}")
    report(
        f"BENCH P5 visits.data db={vendor} persons={len(rows)} visits={len(visits)} "
        f"province_s={province.seconds:.1f} visits_s={time.perf_counter() - started:.1f}"
    )

    ctx = MeasureContext(tuple(c.pk for c in province.counties), today - dt.timedelta(days=365), today)
    timings = {}
    values = {}
    for code in (
        "visits.routine_visits",
        "visits.focus_visits",
        "visits.special_visits",
        "visits.routine_subjects",
        "visits.focus_subjects",
        "visits.special_subjects",
        "visits.interventions",
        "visits.on_time_rate",
    ):
        start = time.perf_counter()
        values[code] = get_measure(code).compute(ctx)
        timings[code] = time.perf_counter() - start
    counts_s = sum(t for c, t in timings.items() if c != "visits.on_time_rate")
    report(
        f"BENCH P5 visits.measures db={vendor} persons={len(rows)} counts_s={counts_s:.2f} "
        f"on_time_rate_s={timings['visits.on_time_rate']:.2f} on_time_rate={values['visits.on_time_rate']:.3f} "
        f"focus_subjects={values['visits.focus_subjects']}"
    )

    admin = province.users["admin"]
    county = province.counties[0]
    person = Person.objects.filter(county=county).order_by("pk").first()
    client = Client()
    client.force_login(admin)
    pages = {
        "visits.due": "/visits/due/",
        "visits.records": "/visits/records/",
        "visits.person": f"/visits/person/{person.pk}/",
    }
    county_persons = Person.objects.filter(county=county).count()
    for name, url in pages.items():
        client.get(url)  # warm-up
        times = []
        for _ in range(7):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                times.append(_ms(start))
            assert response.status_code == 200, (url, response.status_code)
        report(
            f"BENCH P6 persons={PERSONS} page={name} db={vendor} county_persons={county_persons} "
            f"median_ms={statistics.median(times)} queries={len(queries)}"
        )

    from jiaozheng.visits.exports import load_mapping, visits_xlsx

    county_visits = Visit.objects.filter(person__county=county)
    start = time.perf_counter()
    content = visits_xlsx(county_visits, actor=admin, mapping=load_mapping("hunan"))
    report(
        f"BENCH P6 visits.export db={vendor} rows={county_visits.count()} ms={_ms(start)} kb={len(content) // 1024}"
    )

    from jiaozheng.visits.routing import Place, Stop, TravelModel, solve

    depot = Place(27.9, 110.6, 1)
    model = TravelModel({"main": 45, "rural": 30, "mountain": 18}, 1.3, 1.8, 10, frozenset({9}))
    stops = [
        Stop(i, Place(27.9 + rng.uniform(-0.2, 0.2), 110.6 + rng.uniform(-0.2, 0.2), 9 if i % 4 == 0 else 2))
        for i in range(30)
    ]
    start = time.perf_counter()
    solution = solve(depot, stops, teams=3, model=model, day_minutes=480, service_minutes=30, time_limit_s=2)
    planned = sum(len(r.stops) for r in solution.routes)
    report(
        f"BENCH P6 visits.route db={vendor} stops=30 teams=3 planned={planned} dropped={len(solution.dropped)} "
        f"solve_s={time.perf_counter() - start:.2f} time_limit_s=2"
    )
