"""A file's problems grouped by cause (issue 18): the grouping, and the job page that shows it."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from jiaozheng.core.imports import (
    ImportResult,
    RowError,
    Units,
    cause_of,
    counts_text,
    problem_causes,
    written_counts,
)
from jiaozheng.core.models import Job


def test_a_cause_is_the_message_without_the_rows_own_values():
    # the cell's text, numbers and quoted text are not part of the cause
    assert cause_of("Not a date (YYYY-MM-DD): 2026-13-45", "2026-13-45") == cause_of(
        "Not a date (YYYY-MM-DD): 去年", "去年"
    )
    assert cause_of("The period overlaps row 12.") == cause_of("The period overlaps row 7.")
    assert cause_of("No squadron “卢峰中队”") == cause_of("No squadron “龙潭中队”")
    assert cause_of("This column is required.") != cause_of("Not a number: x", "x")


def test_errors_are_grouped_by_column_and_cause_the_most_rows_first():
    errors = [RowError(r, "日期", f"Not a date (YYYY-MM-DD): 2026-13-{r}") for r in range(2, 12)]
    errors += [
        RowError(r, "性别", f"Unknown value X{r}", cause=cause_of(f"Unknown value X{r}", f"X{r}"))
        for r in (30, 20)
    ]
    errors += [RowError(40, "日期", "This column is required.")]
    causes = problem_causes(errors)
    assert [(c.column, c.rows, c.first_rows) for c in causes] == [
        ("日期", 10, [2, 3, 4, 5, 6]),
        ("性别", 2, [20, 30]),
        ("日期", 1, [40]),
    ]
    assert causes[0].message == "Not a date (YYYY-MM-DD): 2026-13-2"  # the first row's message as example


def test_a_result_without_explicit_causes_counts_and_groups_its_errors():
    result = ImportResult(False, errors=[RowError(0, None, "The file is empty.")])
    assert result.errors_total == 1 and [c.rows for c in result.causes or []] == [1]
    assert result.as_dict()["causes"] == [
        {"column": None, "message": "The file is empty.", "rows": 1, "first_rows": [0]}
    ]


def test_counts_are_told_in_the_kinds_units_in_the_active_language():
    with translation.override("zh-hans"):
        counts = written_counts([(140, Units.EDUCATION_SESSIONS), (2725, Units.ATTENDANCE)], Units.RECORDS)
        assert counts_text(counts) == "140 场教育活动、2725 条出勤记录"
        assert written_counts(5, Units.PERSONS) == [(5, "名社区矫正对象")]
    with translation.override("en"):
        counts = written_counts([(140, Units.EDUCATION_SESSIONS), (2725, Units.ATTENDANCE)], Units.RECORDS)
        assert counts_text(counts) == "140 education sessions, 2725 attendance records"


def test_the_job_page_shows_the_problems_by_cause_above_the_rows():
    errors = [RowError(r, "日期", f"Not a date (YYYY-MM-DD): {r}") for r in range(2, 1502)]
    errors += [RowError(r, "性别", "Unknown value ?") for r in (1502, 1503)]
    result = ImportResult(
        False, errors=errors[:1000], errors_total=len(errors), causes=problem_causes(errors), message="x"
    )
    job = Job(kind="people.import", title="t", status=Job.Status.FAILED, result=result.as_dict())
    with translation.override("zh-hans"):
        html = render_to_string("core/job_progress.html", {"job": job})
    assert html.index("按原因汇总的问题") < html.index("发现的问题（共 1502 处，仅列出前 1000 处）")
    causes = html[html.index('data-testid="import-causes"') : html.index("发现的问题（")]
    assert "<td>1500</td>" in causes and "<td>2, 3, 4, 5, 6 …</td>" in causes
    assert "<td>2</td><td>1502, 1503</td>" in causes


def test_a_job_page_of_an_older_result_without_causes_still_lists_the_rows():
    job = Job(
        kind="people.import",
        title="t",
        status=Job.Status.FAILED,
        result={"errors": [{"row": 3, "column": "性别", "message": "Unknown value ?"}]},
    )
    html = render_to_string("core/job_progress.html", {"job": job})
    assert "Unknown value ?" in html and "import-causes" not in html
