"""Import of past education sessions with attendance: a good file, and a file with one bad row."""

from __future__ import annotations

import pytest
from django.utils import translation

from jiaozheng.core.imports import import_kinds, run_import
from jiaozheng.education.models import Attendance, Session

pytestmark = pytest.mark.django_db

HEADER = "场次编号,日期,开始时间,结束时间,主题,课程类别,形式,阶段,中队,地点,线上链接,授课人,授课人类型,学时,测试满分,状态,取消原因,身份证号,姓名,出勤,成绩"


def csv_file(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8-sig")


def good_rows(world) -> list[str]:
    a, s = world.person_a, world.subject_person
    day = a.intake_on.isoformat()
    return [
        f"S1,{day},09:00,11:30,学习雷锋精神,红色经典文化,集中教育,日常教育,卢峰中队,教育室,,周婷,社工,,100,已开展,,{a.id_number},甲某,出席,92",
        f"S1,{day},09:00,11:30,学习雷锋精神,红色经典文化,集中教育,日常教育,卢峰中队,教育室,,周婷,社工,,100,已开展,,{s.id_number},本人,缺席,",
        f"S2,{day},19:30,21:00,疫情防控知识,疾病预防,远程授课,日常教育,卢峰中队、龙潭中队,,https://live.example.cn/1,周婷,社工,1.5,,已开展,,{world.person_b.id_number},乙某,出席,",
        f"S3,{day},09:00,11:00,国学经典,国学文化,集中教育,,卢峰中队,教育室,,周婷,社工,,,已取消,疫情防控,,,,",
    ]


def test_the_import_kind_is_registered_with_a_template():
    kind = import_kinds()["education_sessions"]
    assert kind.template_xlsx()[:2] == b"PK"


def test_a_good_file_creates_sessions_and_attendance(world):
    # when the bureau imports three sessions with three roster rows
    result = run_import(
        actor=world.bureau_admin, kind="education_sessions", name="x.csv", content=csv_file(good_rows(world))
    )
    # then everything is stored: hours from the length (2.5 h) or the column, the score, the cancellation
    assert result.ok, result.errors
    assert result.created == 6
    s1 = Session.objects.get(title="学习雷锋精神")
    assert (s1.status, s1.hours, s1.category, s1.mode) == ("held", 2.5, "red_culture", "centralised")
    present = Attendance.objects.get(session=s1, person=world.person_a)
    assert (present.status, present.hours, present.score, present.method) == ("present", 2.5, 92, "import")
    s2 = Session.objects.get(title="疫情防控知识")
    assert s2.mode == "remote" and s2.squadrons.count() == 2 and s2.hours == 1.5
    assert Session.objects.get(title="国学经典").cancel_reason == "pandemic"
    # and importing the same file again is refused: the sessions are already on record
    again = run_import(
        actor=world.bureau_admin, kind="education_sessions", name="x.csv", content=csv_file(good_rows(world))
    )
    assert not again.ok and Session.objects.count() == 3


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(world):
    rows = good_rows(world)
    # row 4 (spreadsheet numbering): a person who was not yet in correction in 2019
    rows[2] = rows[2].replace(world.person_a.intake_on.isoformat(), "2019-01-05", 1)
    result = run_import(
        actor=world.bureau_admin, kind="education_sessions", name="x.csv", content=csv_file(rows)
    )
    assert not result.ok
    assert Session.objects.count() == 0 and Attendance.objects.count() == 0
    assert [(e.row, e.column) for e in result.errors] == [(4, "日期")]
    person = next(p for p in (world.person_a, world.person_b) if p.id_number in rows[2])
    start, end = person.correction_period()
    assert result.errors[0].message == (
        f"2019-01-05 lies outside {person.name}'s period of correction ({start} to {end})."
    )


def test_rows_of_one_session_must_agree_and_persons_outside_the_area_are_unknown(world):
    rows = good_rows(world)
    rows[1] = rows[1].replace("11:30", "12:00")
    result = run_import(
        actor=world.social_worker, kind="education_sessions", name="x.csv", content=csv_file(rows)
    )
    assert not result.ok
    messages = {(e.row, e.column) for e in result.errors}
    # row 4 names squadron B, outside the social worker's area; row 3 describes S1 differently
    assert (4, "中队") in messages and any(r == 3 for r, _c in messages)


def test_the_message_names_sessions_and_attendance_records_with_their_counts(world):
    # when three sessions with three roster rows are imported (the cancelled session has no roster)
    with translation.override("zh-hans"):
        result = run_import(
            actor=world.bureau_admin,
            kind="education_sessions",
            name="x.csv",
            content=csv_file(good_rows(world)),
        )
    # then the import reports in the kind's own units, not as six "records"
    assert result.ok, result.errors
    assert result.counts == [(3, "场教育活动"), (3, "条出勤记录")]
    assert result.message == "已导入：3 场教育活动、3 条出勤记录。"
    assert result.created == 6  # all units together, as before
    assert result.as_dict()["counts"] == [
        {"count": 3, "unit": "场教育活动"},
        {"count": 3, "unit": "条出勤记录"},
    ]
