"""Imports (COPA-PI with configurable dimensions, results at score level) and the indicator measures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiaozheng.assessments import services
from jiaozheng.assessments.imports import copa_pi_columns, copa_pi_template
from jiaozheng.assessments.models import Assessment, ExternalResult
from jiaozheng.assessments.testing import completed_assessment
from jiaozheng.core.imports import run_import
from jiaozheng.core.measures import MeasureContext, get_measure

pytestmark = pytest.mark.django_db


def csv_bytes(rows):
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def test_copa_pi_results_are_imported_as_printed_and_never_rescored(world):
    headers = [c.header for c in copa_pi_columns(world.counsellor)]
    assert (
        headers[:4] == ["身份证号", "姓名", "施测日期", "施测单位"]
        and "暴力倾向" in headers
        and "冲动原始分" in headers
    )
    row = dict.fromkeys(headers, "")
    row.update(
        {
            "身份证号": world.person_a.id_number,
            "姓名": world.person_a.name,
            "施测日期": "2024-05-01",  # in prison, before correction: a document, not a service record
            "施测单位": "湖南省网岭监狱",
            "版本": "正式版",
            "效度": "有效",
            "冲动": "63",
            "冲动解释": "冲动性偏高",
            "焦虑": "48.5",
        }
    )
    content = csv_bytes([headers, [row[h] for h in headers]])
    result = run_import(
        actor=world.counsellor,
        kind="copa_pi",
        name="copa.csv",
        content=content,
        context={"source_name": "copa.csv", "source_bytes": content},
    )
    assert result.ok, result.errors
    external = ExternalResult.objects.get(person=world.person_a)
    assert external.valid_as_printed is True and external.version == "formal"
    assert {s.dimension: str(s.standard) for s in external.scores.all()} == {"冲动": "63.00", "焦虑": "48.50"}
    assert external.scores.get(dimension="冲动").interpretation == "冲动性偏高"
    assert Assessment.objects.count() == 0  # nothing scored


def test_copa_pi_dimension_columns_follow_the_county_rule(world):
    from jiaozheng.core.models import RuleValue
    from jiaozheng.core.rules import clear_cache

    RuleValue.objects.create(
        key="assessments.copa_pi_dimensions", unit=world.county_x, value=["冲动", "攻击性"]
    )
    clear_cache()
    try:
        headers = [c.header for c in copa_pi_columns(world.counsellor)]
        assert "攻击性" in headers and "外倾" not in headers
        assert "攻击性原始分" in copa_pi_template(world.counsellor).decode("utf-8-sig")
    finally:
        clear_cache()


def test_a_bad_copa_pi_file_imports_nothing_and_names_row_and_column(world):
    headers = [c.header for c in copa_pi_columns()]
    row = dict.fromkeys(headers, "")
    row.update(
        {
            "身份证号": world.person_y.id_number,
            "姓名": world.person_y.name,
            "施测日期": "2024-05-01",
            "施测单位": "x",
            "冲动": "abc",
        }
    )
    result = run_import(
        actor=world.counsellor,
        kind="copa_pi",
        name="c.csv",
        content=csv_bytes([headers, [row[h] for h in headers]]),
    )
    assert not result.ok
    columns = {e.column for e in result.errors}
    assert "冲动" in columns or "身份证号" in columns
    assert ExternalResult.objects.count() == 0


def test_historical_results_import_scores_answers_and_keeps_score_only_rows(world):
    headers = ["身份证号", "姓名", "量表", "施测日期", "方式", "答案", "分数", "有效性", "作答用时（分钟）"]
    rows = [
        headers,
        [
            world.person_a.id_number,
            world.person_a.name,
            "phq9",
            (world.person_a.intake_on + dt.timedelta(days=3)).isoformat(),
            "纸笔",
            ",".join(["1"] * 9),
            "",
            "",
            "4",
        ],
        [
            world.person_b.id_number,
            world.person_b.name,
            "scl90",
            (world.person_b.intake_on + dt.timedelta(days=4)).isoformat(),
            "纸笔",
            "",
            "总分=170;阳性项目数=50;gsi=1.89",
            "有效",
            "",
        ],
    ]
    result = run_import(actor=world.counsellor, kind="assessments", name="a.csv", content=csv_bytes(rows))
    assert result.ok, result.errors
    phq = Assessment.objects.get(person=world.person_a)
    assert phq.result["metrics"]["total"] == 9 and phq.mode == "imported" and phq.urgent
    scl = Assessment.objects.get(person=world.person_b)
    assert scl.result["metrics"]["total"] == 170 and scl.screen_positive is True and scl.validity == "valid"
    assert scl.result["imported_scores"] is True


def test_the_measures_count_persons_validity_reports_and_the_new_entrant_rate(world):
    today = timezone.localdate()
    ctx = MeasureContext((world.county_x.pk,), today - dt.timedelta(days=400), today)
    # person_a twice (valid), person_b invalid only, person_y in the other county
    completed_assessment(world.person_a, "scl90", [1, 2] * 45)
    completed_assessment(world.person_a, "phq9")
    invalid = completed_assessment(world.person_b, "scl90", [3] * 80 + [None] * 10)
    assert invalid.validity == "invalid"
    completed_assessment(world.person_y, "phq9")
    valid = Assessment.objects.filter(person=world.person_a, scale_code="scl90").get()
    services.report_issue(actor=world.counsellor, assessment=valid, comments="良好")
    assert get_measure("assessments.persons_assessed").compute(ctx) == 2
    assert get_measure("assessments.valid_persons").compute(ctx) == 1
    assert get_measure("assessments.reports_issued").compute(ctx) == 1
    # intakes in the period: person_a, person_b, subject_person, juvenile_a (200 days ago); a, b assessed
    assert get_measure("assessments.new_entrant_rate").compute(ctx) == pytest.approx(2 / 4)
