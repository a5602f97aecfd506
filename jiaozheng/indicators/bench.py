"""P5: contract performance (``scripts/bench.py --only indicators``). Everything is rolled back afterwards.

A synthetic province (``people.synthetic``: 35,000 persons, 120 counties) gets a year of records in every
service module (per county about 160 education sessions and 160 community activities with a dozen
attendees each; per person ten visits, an assessment, an app install and a device; per county a group
with six sessions and twenty counselling cases), and two contracts with the 18 indicators of the demo and
the seed's spending lines.

- County scale: the contract of one county (about 290 persons) in that database. Measured: the KPI JSON
  of the year (``kpi_json_s``, target ≤ 1 s) and the annual report built and rendered to DOCX and PDF
  (``report_docx_pdf_s``, target ≤ 5 s).
- Province scale: one contract covering the 120 counties. Measured: the KPI JSON (target ≤ 10 s).

The records are bulk-inserted into the service modules' own tables (their models, not their services: a
benchmark fixture, never the way records are made in use).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from decimal import Decimal
from typing import Any


class _Rollback(Exception):
    pass


def bench(report: Any) -> None:
    from django.db import connection, transaction

    try:
        with transaction.atomic():
            _run(report, connection.vendor)
            raise _Rollback
    except _Rollback:
        pass


def _seconds(func: Any, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3)


def _run(report: Any, vendor: str) -> None:
    from django.utils import timezone

    from jiaozheng.indicators.evaluation import evaluate, kpi_json
    from jiaozheng.indicators.render_docx import render_docx
    from jiaozheng.indicators.render_pdf import render_pdf
    from jiaozheng.indicators.report import annual_report
    from jiaozheng.people.models import Person
    from jiaozheng.people.synthetic import generate_province

    year = timezone.localdate().year - 1
    started = time.perf_counter()
    province = generate_province(persons=35_000, counties=120, seed=12, name="基准省", code="960000")
    made = _records(province, year, sessions_per_county=160, attendance=12, visits_per_person=10)
    county = province.counties[0]
    county_contract = _contract(province, [county], year, "BENCH-C")
    province_contract = _contract(province, province.counties, year, "BENCH-P")
    for contract in (county_contract, province_contract):
        _funds(contract, year)
        _indicators(contract, year)
    _analyze()  # a database in use has planner statistics; a freshly bulk-loaded one has none
    prepared = round(time.perf_counter() - started, 1)
    county_persons = Person.objects.filter(county=county).count()

    kpi_json(county_contract, year)  # warm the measure registry and the connection
    kpi = _seconds(lambda: kpi_json(county_contract, year))

    def both() -> None:
        doc = annual_report(county_contract, year)
        render_docx(doc)
        render_pdf(doc)

    both()  # the first rendering loads fonts and matplotlib
    docs = _seconds(both, runs=2)
    report(
        f"BENCH P5 kpi_json_s={kpi} report_docx_pdf_s={docs} scale=county persons={county_persons} "
        f"db={vendor} targets=1/5"
    )
    evaluations: list[Any] = []

    def province() -> None:  # kpi_json, keeping the evaluation to name its slowest measures below
        evaluations.append(evaluate(province_contract, year))
        evaluations[-1].as_dict()

    province_kpi = _seconds(province, runs=2)
    report(
        f"BENCH P5 kpi_json_s={province_kpi} scale=province persons=35000 counties=120 records={made} "
        f"db={vendor} target=10 setup_s={prepared}"
    )
    slowest = sorted(evaluations[-1].figures.seconds.items(), key=lambda kv: -kv[1])[:5]
    report(
        "BENCH P5 scale=province slowest_measures="
        + ",".join(f"{code}:{seconds:.2f}s" for code, seconds in slowest)
        + f" db={vendor}"
    )


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _contract(world: Any, counties: list[Any], year: int, code: str) -> Any:
    from jiaozheng.contracts.models import Contract
    from jiaozheng.orgs.models import ServiceProvider

    provider, _created = ServiceProvider.objects.get_or_create(
        name=f"{code} 社会工作服务中心", defaults={"short_name": code}
    )
    contract = Contract.objects.create(
        code=code,
        name=f"{code}购买服务项目",
        buyer=counties[0],
        provider=provider,
        start_on=dt.date(year, 1, 1),
        end_on=dt.date(year, 12, 31),
        budget_amount=Decimal("891000") * len(counties),
        contract_amount=Decimal("890980") * len(counties),
        signed_on=dt.date(year - 1, 12, 1),
    )
    contract.counties.set(counties)
    return contract


def _funds(contract: Any, year: int) -> None:
    from jiaozheng.audit.context import acting_as
    from jiaozheng.contracts import services as funds
    from jiaozheng.indicators.demo import SEED_LINES, _split
    from jiaozheng.orgs.services import system_user

    system = system_user()
    scale = contract.contract_amount / Decimal("890980")
    with acting_as(system, "job"):
        rows = []
        total = Decimal(0)
        for order, (category, name, amount, months) in enumerate(SEED_LINES):
            value = (Decimal(amount) * scale).quantize(Decimal(1))
            if order == len(SEED_LINES) - 1:
                value = contract.contract_amount - total
            total += value
            line = funds.fund_line_save(
                actor=system, contract=contract, category=category, name=name, amount=value, sort_order=order
            )
            for month, part in _split(int(value), months):
                rows.append(
                    funds.expenditure_build(
                        contract=contract,
                        line=line,
                        spent_on=dt.date(year, month, 25),
                        amount=part,
                        description=name,
                    )
                )
        funds.expenditures_bulk_record(actor=system, expenditures=rows)


def _indicators(contract: Any, year: int) -> None:
    from jiaozheng.audit.context import acting_as
    from jiaozheng.indicators.demo import _indicators as demo_indicators
    from jiaozheng.orgs.services import system_user

    system = system_user()
    with acting_as(system, "job"):
        demo_indicators(system, contract, year, yl=False)


def _records(
    world: Any, year: int, *, sessions_per_county: int, attendance: int, visits_per_person: int
) -> int:
    """A year of service records for every person of the synthetic counties, in bulk."""
    from django.apps import apps

    from jiaozheng.people.models import Person

    rng = random.Random(year)
    first = dt.date(year, 1, 1)

    def day() -> dt.date:
        return first + dt.timedelta(days=rng.randrange(0, 365))

    county_ids = [c.pk for c in world.counties]
    persons = list(
        Person.objects.filter(pk__in=world.person_ids, county_id__in=county_ids).values_list(
            "pk", "county_id", "squadron_id"
        )
    )
    by_county: dict[int, list[tuple[int, int]]] = {}
    for pk, county_id, squadron_id in persons:
        by_county.setdefault(county_id, []).append((pk, squadron_id))
    squadrons_of: dict[int, list[int]] = {}
    for squadron in world.squadrons:
        squadrons_of.setdefault(squadron.county_id, []).append(squadron.pk)
    made = 0

    def bulk(model: Any, rows: list[Any]) -> list[Any]:
        nonlocal made
        made += len(rows)
        return model.objects.bulk_create(rows, batch_size=2000)

    # education: held sessions for the squadrons, with attendance
    Session = apps.get_model("education", "Session")
    Attendance = apps.get_model("education", "Attendance")
    sessions = []
    for county_id in by_county:
        for i in range(sessions_per_county):
            sessions.append(
                Session(
                    county_id=county_id,
                    title=f"主题教育{i}",
                    category="law",
                    mode="centralised",
                    date=day(),
                    start_time=dt.time(9),
                    end_time=dt.time(11),
                    hours=Decimal("2"),
                    status="held",
                )
            )
    sessions = bulk(Session, sessions)
    links = Session.squadrons.through
    bulk(
        links,
        [links(session_id=s.pk, orgunit_id=rng.choice(squadrons_of[s.county_id])) for s in sessions],
    )
    rows = []
    for s in sessions:
        for pk, _squadron in rng.sample(by_county[s.county_id], min(attendance, len(by_county[s.county_id]))):
            rows.append(
                Attendance(
                    session_id=s.pk, county_id=s.county_id, person_id=pk, status="present", hours=Decimal("2")
                )
            )
    bulk(Attendance, rows)

    # community service: held activities with participants
    Activity = apps.get_model("community", "Activity")
    Participation = apps.get_model("community", "Participation")
    activities = bulk(
        Activity,
        [
            Activity(
                county_id=county_id,
                place="敬老院",
                theme=f"公益活动{i}",
                kind="cleaning",
                date=day(),
                start_time=dt.time(8),
                end_time=dt.time(11),
                hours=Decimal("3"),
                status="held",
            )
            for county_id in by_county
            for i in range(sessions_per_county)
        ],
    )
    participation_fields = {f.name for f in Participation._meta.concrete_fields}
    rows = []
    for a in activities:
        for pk, _squadron in rng.sample(by_county[a.county_id], min(attendance, len(by_county[a.county_id]))):
            data = {"activity_id": a.pk, "county_id": a.county_id, "kind": "subject", "status": "present"}
            if "person" in participation_fields:
                data["person_id"] = pk
            rows.append(Participation(**data))
    bulk(Participation, rows)

    # assessments: one completed assessment per person, a report for the valid ones
    Assessment = apps.get_model("assessments", "Assessment")
    Report = apps.get_model("assessments", "Report")
    assessments = bulk(
        Assessment,
        [
            Assessment(
                person_id=pk,
                scale_code="SCL-90",
                status="completed",
                administered_on=day(),
                validity="valid" if rng.random() < 0.97 else "invalid",
                risk_level="low",
            )
            for pk, _county, _squadron in persons
        ],
    )
    bulk(
        Report,
        [
            Report(assessment_id=a.pk, number=f"R{a.pk}", issued_on=a.administered_on)
            for a in assessments
            if a.validity == "valid"
        ],
    )

    # counselling: a group with six sessions and twenty cases per county
    Group = apps.get_model("counselling", "GroupSession")._meta.get_field("group").related_model
    GroupSession = apps.get_model("counselling", "GroupSession")
    Case = apps.get_model("counselling", "CounsellingCase")
    groups = bulk(Group, [Group(county_id=county_id) for county_id in by_county])
    bulk(
        GroupSession,
        [
            GroupSession(group_id=g.pk, held_on=day(), topic="团体辅导", status="held")
            for g in groups
            for _ in range(6)
        ],
    )
    cases = []
    for members in by_county.values():
        for pk, _squadron in rng.sample(members, min(20, len(members))):
            opened = day()
            closed = opened + dt.timedelta(days=60)
            cases.append(
                Case(
                    person_id=pk,
                    opened_on=opened,
                    status="closed" if closed.year == year else "open",
                    closed_on=closed if closed.year == year else None,
                )
            )
    bulk(Case, cases)

    # location: an installation and a device per person
    Install = apps.get_model("location", "InstallRecord")
    Device = apps.get_model("location", "Device")
    bulk(
        Install,
        [
            Install(person_id=pk, county_id=c, installed_on=day(), kind="first", source="import")
            for pk, c, _s in persons
        ],
    )
    device_fields = {f.name for f in Device._meta.concrete_fields}
    enrolled = dt.datetime(year, 1, 2, 9, tzinfo=dt.UTC)
    devices = []
    for pk, c, _s in persons:
        data = {"person_id": pk, "county_id": c, "platform": "jz_app", "status": "active"}
        if "enrolled_at" in device_fields:
            data["enrolled_at"] = enrolled
        devices.append(Device(**data))
    bulk(Device, devices)

    # visits: routine and focus visits through the year
    Visit = apps.get_model("visits", "Visit")
    visits = []
    for pk, _c, _s in persons:
        for _ in range(visits_per_person):
            on = day()
            focus = rng.random() < 0.25
            visits.append(
                Visit(
                    person_id=pk,
                    visit_type="focus" if focus else "routine",
                    method="field_visit" if focus else "phone_check",
                    field_target="home" if focus else "",
                    outcome="completed",
                    visited_on=on,
                    visited_at=dt.datetime.combine(on, dt.time(2), tzinfo=dt.UTC),
                )
            )
    bulk(Visit, visits)
    return made
