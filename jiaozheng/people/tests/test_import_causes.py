"""A file with many bad rows is reported in one pass, grouped by cause (issue 18)."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from jiaozheng.core.imports import ERRORS_LISTED, run_import
from jiaozheng.people.models import Person
from jiaozheng.people.tests.test_imports import _csv, _rows

pytestmark = pytest.mark.django_db


def _bad_file(bad_dates: int, bad_genders: int, good: int) -> bytes:
    rows = _rows(bad_dates + bad_genders + good)
    # the same cause with different values: an impossible month, words, an impossible day
    values = ["2026-13-{:02d}", "去年{}", "2026/02/3{}"]
    for i in range(bad_dates):
        rows[i]["矫正起始日期"] = values[i % 3].format(i % 9 + 1)
    for i in range(bad_dates, bad_dates + bad_genders):
        rows[i]["性别"] = "未知"
    return _csv(rows)


def test_1500_bad_dates_and_a_few_other_problems_come_in_one_pass_as_two_causes(world):
    before = Person.objects.count()
    with translation.override("en"):
        result = run_import(
            actor=world.squadron_officer, kind="persons", name="x.csv", content=_bad_file(1500, 3, 5)
        )
    # then nothing is written, every row was checked (none stops the check at 1,000)
    assert not result.ok and Person.objects.count() == before
    assert result.errors_total == 1503 and len(result.errors) == ERRORS_LISTED
    # and the problems are two causes: the date on 1,500 rows, the gender on 3
    causes = [(c.column, c.rows, c.first_rows) for c in result.causes or []]
    assert causes == [("矫正起始日期", 1500, [2, 3, 4, 5, 6]), ("性别", 3, [1502, 1503, 1504])]
    assert result.message == "Nothing was imported: 1503 problems in 1503 rows, 2 causes."
    # and the job's result (JSON) carries them for the progress page
    stored = json.loads(json.dumps(result.as_dict()))
    assert stored["errors_total"] == 1503 and [c["rows"] for c in stored["causes"]] == [1500, 3]


def test_the_message_of_a_failed_import_is_in_chinese(world):
    with translation.override("zh-hans"):
        result = run_import(
            actor=world.squadron_officer, kind="persons", name="x.csv", content=_bad_file(4, 1, 2)
        )
    assert result.message == "未导入任何数据：5 行共有 5 处问题，归为 2 类原因。"


def test_a_good_file_reports_persons(world):
    with translation.override("zh-hans"):
        result = run_import(
            actor=world.squadron_officer, kind="persons", name="x.csv", content=_csv(_rows(3))
        )
    assert result.ok and result.created == 3
    assert result.message == "已导入：3 名社区矫正对象。"


def test_the_command_prints_the_causes(world, tmp_path, capsys):
    path = tmp_path / "persons.csv"
    path.write_bytes(_bad_file(12, 2, 1))
    with translation.override("en"), pytest.raises(CommandError, match="14 problems in 14 rows, 2 causes"):
        call_command("import", "persons", str(path), "--as", world.squadron_officer.username)
    err = capsys.readouterr().err
    assert "problems by cause:" in err
    assert (
        "12 rows, column 矫正起始日期: Not a date (YYYY-MM-DD): 2026-13-01 (rows 2, 3, 4, 5, 6, ...)" in err
    )
    assert "2 rows, column 性别: " in err and "(rows 14, 15)" in err
