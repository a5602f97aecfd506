"""Benchmarks of education and community service (``python scripts/bench.py --only education``).

Builds (once per bench database) a province of 100 counties x 4 squadrons with 35,000 persons in correction,
156 held sessions and 156 held activities per county in the year with their rosters, then measures:

- ``BENCH P5``: every education and community measure for the whole province and for one county (the
  indicator layer computes these for KPI pages and the annual report);
- ``BENCH P6``: median time and query count of the module's main pages for a province-level user
  (sessions list, calendar, statistics, hours and shortfalls of one squadron, community activities).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from decimal import Decimal
from typing import Any

COUNTIES = 100
SQUADRONS = 4
PERSONS = 35_000
EVENTS = 156  # sessions and activities per county and year
ROSTER = 20  # persons on each event's roster in the bench data
PROVINCE = "基准省（教育服务）"


def _build() -> dict[str, Any]:
    from django.db import transaction

    from jiaozheng.audit.context import acting_as
    from jiaozheng.community.models import Activity, Participation
    from jiaozheng.education.models import Attendance, Session
    from jiaozheng.orgs.models import OrgUnit, User
    from jiaozheng.orgs.services import system_user
    from jiaozheng.people.models import Person

    province = OrgUnit.objects.filter(kind=OrgUnit.Kind.PROVINCE, name=PROVINCE).first()
    from django.utils import timezone

    year = timezone.localdate().year - 1
    if province is not None:
        user = User.objects.get(username="bench_edu_admin")
        return {"province": province, "user": user, "year": year}
    rng = random.Random(5)
    system = system_user()
    with acting_as(system, "cli"), transaction.atomic():
        province = OrgUnit.objects.create(kind=OrgUnit.Kind.PROVINCE, name=PROVINCE, code="990000")
        city = OrgUnit.objects.create(kind=OrgUnit.Kind.CITY, name="基准市", parent=province)
        squadrons = []
        for c in range(COUNTIES):
            county = OrgUnit.objects.create(kind=OrgUnit.Kind.COUNTY, name=f"基准县{c:03d}", parent=city)
            for s in range(SQUADRONS):
                squadrons.append(
                    OrgUnit.objects.create(kind=OrgUnit.Kind.SQUADRON, name=f"第{s + 1}中队", parent=county)
                )
        start = dt.date(year, 1, 1)
        persons = []
        for n in range(PERSONS):
            squadron = squadrons[n % len(squadrons)]
            intake = start - dt.timedelta(days=rng.randrange(0, 300))
            persons.append(
                Person(
                    case_number=f"BENCH-EDU-{n:06d}",
                    name=f"对象{n}",
                    gender="male",
                    birth_date=dt.date(1980, 1, 1),
                    id_number=f"99000019800101{n % 10000:04d}",
                    education="junior_secondary",
                    employment="farming",
                    address="基准地址",
                    county_id=squadron.county_id,
                    squadron=squadron,
                    correction_type="probation",
                    offence_category=rng.choice(
                        ["dangerous_driving", "theft", "fraud", "intentional_injury"]
                    ),
                    term_start=intake,
                    term_end=intake + dt.timedelta(days=900),
                    intake_on=intake,
                    status="in_correction",
                    supervision_class=rng.choice(["ordinary", "ordinary", "lenient", "strict"]),
                )
            )
        Person.objects.bulk_create(persons, batch_size=2000)
        by_squadron: dict[int, list[Person]] = {}
        for person in persons:
            by_squadron.setdefault(person.squadron_id, []).append(person)
        sessions, activities, links_s, links_a = [], [], [], []
        for i in range(COUNTIES * EVENTS):
            squadron = squadrons[i % len(squadrons)]
            day = start + dt.timedelta(days=(i * 7) % 360)
            sessions.append(
                Session(
                    county_id=squadron.county_id,
                    title="基准教育",
                    category="law",
                    mode="centralised",
                    date=day,
                    start_time=dt.time(9),
                    end_time=dt.time(12),
                    place="教育室",
                    lecturer_name="社工",
                    hours=Decimal("3"),
                    status="held",
                )
            )
            activities.append(
                Activity(
                    county_id=squadron.county_id,
                    theme="基准公益",
                    kind="cleaning",
                    place="街道",
                    date=day,
                    start_time=dt.time(8),
                    end_time=dt.time(12),
                    hours=Decimal("4"),
                    organiser_name="社工",
                    status="held",
                )
            )
            links_s.append(squadron.pk)
            links_a.append(squadron.pk)
        Session.objects.bulk_create(sessions, batch_size=2000)
        Activity.objects.bulk_create(activities, batch_size=2000)
        Session.squadrons.through.objects.bulk_create(
            [
                Session.squadrons.through(session_id=s.pk, orgunit_id=u)
                for s, u in zip(sessions, links_s, strict=True)
            ],
            batch_size=5000,
        )
        Activity.squadrons.through.objects.bulk_create(
            [
                Activity.squadrons.through(activity_id=a.pk, orgunit_id=u)
                for a, u in zip(activities, links_a, strict=True)
            ],
            batch_size=5000,
        )
        rows, parts = [], []
        for session, activity, unit in zip(sessions, activities, links_s, strict=True):
            for person in rng.sample(by_squadron[unit], ROSTER):
                present = rng.random() < 0.9
                rows.append(
                    Attendance(
                        session=session,
                        county_id=session.county_id,
                        person=person,
                        status="present" if present else "absent",
                        hours=Decimal("3") if present else 0,
                    )
                )
                parts.append(
                    Participation(
                        activity=activity,
                        county_id=activity.county_id,
                        kind="subject",
                        person=person,
                        name=person.name,
                        status="present",
                        hours=Decimal("4"),
                    )
                )
        Attendance.objects.bulk_create(rows, batch_size=5000)
        Participation.objects.bulk_create(parts, batch_size=5000)
        user = User.objects.create(username="bench_edu_admin", role="bureau_admin", full_name="基准管理员")
        from jiaozheng.orgs.models import Assignment

        Assignment.objects.create(user=user, unit=province)
    return {"province": province, "user": user, "year": year}


def _time(func: Any, repeat: int = 3) -> float:
    values = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        values.append(time.perf_counter() - started)
    return statistics.median(values)


def bench(report: Any) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from jiaozheng.core.measures import MeasureContext, all_measures
    from jiaozheng.education.models import Attendance, Session
    from jiaozheng.orgs.models import OrgUnit

    started = time.perf_counter()
    data = _build()
    built = time.perf_counter() - started
    if connection.vendor == "postgresql":  # fresh bulk-loaded tables: give the planner statistics
        with connection.cursor() as cursor:
            for table in (
                "people_person",
                "education_session",
                "education_session_squadrons",
                "education_attendance",
                "community_activity",
                "community_activity_squadrons",
                "community_participation",
            ):
                cursor.execute(f"ANALYZE {table}")
    province, user, year = data["province"], data["user"], data["year"]
    counties = tuple(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY, path__startswith=province.path).values_list(
            "pk", flat=True
        )
    )
    measures = {
        code: m for code, m in all_measures().items() if code.startswith(("education.", "community."))
    }
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    db = connection.vendor
    for scale, ids in (("province", counties), ("county", counties[:1])):
        ctx = MeasureContext(ids, start, end)
        seconds = _time(lambda ctx=ctx: [m.compute(ctx) for m in measures.values()])
        report(
            f"BENCH P5 db={db} scale={scale} measures={len(measures)} kpi_s={seconds:.3f} "
            f"sessions={Session.objects.filter(county_id__in=ids).count()} "
            f"attendances={Attendance.objects.filter(county_id__in=ids).count()} build_s={built:.1f}"
        )
    client = Client()
    client.force_login(user)
    squadron = OrgUnit.objects.filter(kind=OrgUnit.Kind.SQUADRON, path__startswith=province.path).first()
    month = f"{year}-06"
    pages = {
        "education_sessions": "/education/sessions/",
        "education_calendar": f"/education/calendar/?month={month}",
        "education_stats": f"/education/stats/?year={year}",
        "education_hours_squadron": f"/education/hours/?month={month}&squadron={squadron.pk}&show=all",
        "education_plan_helper": f"/education/plans/helper/?squadron={squadron.pk}&month={month}",
        "community_activities": "/community/activities/",
    }
    for name, url in pages.items():
        times, queries = [], 0
        for _ in range(5):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        report(
            f"BENCH P6 db={db} persons={PERSONS} page={name} median_ms={statistics.median(times):.0f} queries={queries}"
        )
