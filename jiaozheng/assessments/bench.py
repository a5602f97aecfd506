"""Benchmarks of psychological correction (``scripts/bench.py --only assessments``).

Everything runs inside one transaction that is rolled back, so the bench database is left as found.

- P4 score: SCL-90 scorings per second (the exact scorer with validity and screening).
- P4 batch: scoring and bulk-writing 1,000 completed assessments (an import or a county's year).
- P4 list: the results query page (first page with filters) and the four assessment measures over them.
- P4 report: rendering one individual report as PDF (WeasyPrint + chart) and as DOCX.
- P4 grouping: proposing groups for 300 candidates (strata, sort-and-chunk, swap improvement).
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any


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


def _run(report: Any, vendor: str) -> None:
    import datetime as dt

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from jiaozheng.assessments.choices import AssessmentStatus, Mode
    from jiaozheng.assessments.demo import scl90_answers
    from jiaozheng.assessments.models import Assessment
    from jiaozheng.assessments.scales import get_scale
    from jiaozheng.assessments.scoring import ScoreOptions, score
    from jiaozheng.assessments.services import apply_result, report_issue
    from jiaozheng.audit.context import acting_as
    from jiaozheng.audit.services import record_bulk
    from jiaozheng.core.measures import MeasureContext, get_measure
    from jiaozheng.core.testing.world import make_world, person_data
    from jiaozheng.counselling.grouping import Candidate, Params, form_groups
    from jiaozheng.people.services import person_create

    rng = random.Random(4)
    scale = get_scale("scl90")
    samples = [scl90_answers(rng) for _ in range(200)]
    n = 2000
    start = time.perf_counter()
    for i in range(n):
        score(scale, samples[i % len(samples)], ScoreOptions(total_seconds=600))
    elapsed = time.perf_counter() - start
    report(
        f"BENCH P4 psych.score db={vendor} scale=scl90 n={n} per_s={n / elapsed:.0f} ms_each={elapsed * 1000 / n:.2f}"
    )

    world = make_world()
    with acting_as(world.counsellor, "cli"):
        persons = [world.person_a, world.person_b, world.subject_person]
        for i in range(37):
            persons.append(
                person_create(
                    actor=world.bureau_admin,
                    data=person_data(squadron=world.squadron_a if i % 2 else world.squadron_b, age=20 + i),
                )
            )
        today = timezone.localdate()
        start = time.perf_counter()
        rows = []
        for i in range(1000):
            result = score(scale, samples[i % len(samples)], ScoreOptions(total_seconds=600))
            a = Assessment(
                person=persons[i % len(persons)],
                scale_code="scl90",
                scale_version=scale.version,
                scale_hash=scale.definition_hash,
                status=AssessmentStatus.COMPLETED,
                mode=Mode.IMPORTED,
                administered_on=today - dt.timedelta(days=i % 300),
                answers=result["answers"],
            )
            apply_result(a, result)
            rows.append(a)
        created = Assessment.objects.bulk_create(rows)
        record_bulk(created)
        report(f"BENCH P4 psych.batch db={vendor} assessments=1000 ms={_ms(start)}")

        client = Client()
        client.force_login(world.counsellor)
        url = reverse("assessments:result_list") + "?scale=scl90&screen=positive"
        client.get(url)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            response = client.get(url)
            times.append(_ms(start))
        assert response.status_code == 200
        report(f"BENCH P4 psych.list db={vendor} rows=1000 page_ms_median={statistics.median(times)}")
        ctx = MeasureContext((world.county_x.pk,), today - dt.timedelta(days=365), today)
        start = time.perf_counter()
        values = {
            code: get_measure(code).compute(ctx)
            for code in (
                "assessments.persons_assessed",
                "assessments.valid_persons",
                "assessments.reports_issued",
                "assessments.new_entrant_rate",
            )
        }
        report(
            f"BENCH P4 psych.measures db={vendor} ms={_ms(start)} persons={values['assessments.persons_assessed']}"
        )

        valid = next(a for a in created if a.validity == "valid")
        rep = report_issue(actor=world.counsellor, assessment=valid, comments="测评显示总体良好。")
        from jiaozheng.assessments.reports import render_docx, render_pdf

        render_pdf(rep)  # warm-up: fonts and matplotlib
        start = time.perf_counter()
        pdf = render_pdf(rep)
        pdf_ms = _ms(start)
        start = time.perf_counter()
        docx = render_docx(rep)
        report(
            f"BENCH P4 psych.report db={vendor} pdf_ms={pdf_ms} pdf_kb={len(pdf) // 1024} docx_ms={_ms(start)} docx_kb={len(docx) // 1024}"
        )

    candidates = [
        Candidate(
            person_id=i,
            name=str(i),
            gender="male" if i % 7 else "female",
            offence_group=rng.choice(["traffic", "property", "violent", "other"]),
            level=round(rng.uniform(1.6, 3.4), 3),
            age=rng.randint(19, 70),
            education=rng.randint(0, 6),
        )
        for i in range(300)
    ]
    start = time.perf_counter()
    proposal = form_groups(candidates, Params(offence_stratum=True))
    report(
        f"BENCH P4 psych.grouping db={vendor} candidates=300 groups={len(proposal.groups)} waiting={len(proposal.waitlist)} ms={_ms(start)}"
    )
