"""One rule for service records outside a person's term (docs/imports.md, "Records and the term"): every
kind of service record, entered in a form, sent through the API or imported, is dated within the person's
period of correction, and a refusal names that period. The person here reached the end of the term ten
days ago and waits for release: a record of yesterday is refused everywhere, one of the term accepted."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiaozheng.core.imports import run_import

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def ended(world):
    person = world.person_a
    person.term_end = TODAY() - dt.timedelta(days=10)
    person.save(update_fields=["term_end"])
    return person


def period_text(person) -> str:
    start, end = person.correction_period()
    return f"{person.name}'s period of correction ({start} to {end})"


def test_the_period_runs_from_the_earliest_start_to_release_or_the_term_end(world):
    from jiaozheng.people.choices import Status

    p = world.person_a
    p.judgment_effective_on = p.term_start - dt.timedelta(days=5)
    assert p.correction_period() == (p.judgment_effective_on, p.term_end)
    p.status, p.released_on = Status.RELEASED, p.term_end - dt.timedelta(days=1)
    assert p.correction_period()[1] == p.released_on
    assert p.outside_correction(p.term_end) and not p.outside_correction(p.released_on)
    assert not p.outside_correction(p.judgment_effective_on)
    assert p.outside_correction(p.judgment_effective_on - dt.timedelta(days=1))


def test_forms_and_the_api_refuse_a_record_after_the_term_with_the_period_named(world, ended):
    from jiaozheng.assessments.services import paper_form_enter
    from jiaozheng.counselling.services import case_open
    from jiaozheng.location.services import device_enrol
    from jiaozheng.visits.services import VisitInput, visit_create

    yesterday = TODAY() - dt.timedelta(days=1)
    attempts = {
        "visit": lambda: visit_create(
            actor=world.squadron_officer,
            person=ended,
            data=VisitInput(
                visit_type="routine",
                method="phone_check",
                visited_at=timezone.now() - dt.timedelta(days=1),
                thinking="稳定",
            ),
        ),
        "assessment": lambda: paper_form_enter(
            actor=world.counsellor,
            person=ended,
            scale_code="phq9",
            answers=[0] * 9,
            administered_on=yesterday,
        ),
        "counselling case": lambda: case_open(
            actor=world.counsellor,
            person=ended,
            presenting_problem="失眠",
            goals="改善睡眠",
            opened_on=yesterday,
        ),
        "app install": lambda: device_enrol(actor=world.bureau_officer, person=ended, platform="osmand"),
    }
    missed = []
    for name, attempt in attempts.items():
        try:
            attempt()
        except ValidationError as exc:
            if not any(period_text(ended) in m for m in exc.messages):
                missed.append(f"{name}: {exc.messages}")
        else:
            missed.append(f"{name}: accepted")
    assert not missed, missed


def test_the_same_records_within_the_term_are_accepted(world, ended):
    from jiaozheng.assessments.services import paper_form_enter
    from jiaozheng.counselling.services import case_open

    day = ended.term_end - dt.timedelta(days=3)
    paper_form_enter(
        actor=world.counsellor, person=ended, scale_code="phq9", answers=[0] * 9, administered_on=day
    )
    case_open(
        actor=world.counsellor, person=ended, presenting_problem="失眠", goals="改善睡眠", opened_on=day
    )


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def test_imports_refuse_rows_after_the_term_with_the_period_named(world, ended):
    yesterday = (TODAY() - dt.timedelta(days=1)).isoformat()
    files = {
        "assessments": (
            world.counsellor,
            [
                ["身份证号", "姓名", "量表", "施测日期", "方式", "答案"],
                [ended.id_number, ended.name, "phq9", yesterday, "纸笔", ",".join(["0"] * 9)],
            ],
        ),
        "counselling_cases": (
            world.counsellor,
            [
                ["身份证号", "姓名", "开案日期", "主诉问题", "辅导目标"],
                [ended.id_number, ended.name, yesterday, "失眠", "改善睡眠"],
            ],
        ),
        "location_installs": (
            world.bureau_officer,
            [["身份证号", "安装日期"], [ended.id_number, yesterday]],
        ),
        "visits": (
            world.squadron_officer,
            [
                ["身份证号", "姓名", "走访日期", "走访类型", "走访方式", "思想动态", "走访人员"],
                [ended.id_number, ended.name, yesterday, "日常走访", "电话问询", "稳定", "周婷"],
            ],
        ),
    }
    missed = []
    for kind, (actor, rows) in files.items():
        result = run_import(actor=actor, kind=kind, name=f"{kind}.csv", content=_csv(rows))
        messages = [e.message for e in result.errors]
        if result.ok or not any(period_text(ended) in m for m in messages):
            missed.append(f"{kind}: {messages or 'imported'}")
    assert not missed, missed


def test_figures_count_a_person_only_for_the_period_actually_in_correction(world, ended):
    """Point 5: a person whose term has ended and who awaits release is on the release due list, and the
    figures no longer count the person as in correction."""
    from jiaozheng.core.measures import MeasureContext
    from jiaozheng.indicators.measures import served
    from jiaozheng.location.sweeps import in_correction_q
    from jiaozheng.people.models import Person
    from jiaozheng.supervision.selectors import release_due_list

    county = (world.county_x.pk,)
    after = MeasureContext(county, ended.term_end + dt.timedelta(days=1), TODAY())
    spanning = MeasureContext(county, ended.term_end - dt.timedelta(days=5), TODAY())
    assert ended not in served(after) and ended in served(spanning)
    assert not Person.objects.filter(in_correction_q(TODAY()), pk=ended.pk).exists()
    assert Person.objects.filter(in_correction_q(ended.term_end), pk=ended.pk).exists()
    assert ended.pk in {p.pk for p in release_due_list(actor=world.bureau_officer)}
