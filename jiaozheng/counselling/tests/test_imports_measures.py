"""Counselling imports (cases, group sessions) and measures (group sessions, individual cases, closure)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiaozheng.core.imports import run_import
from jiaozheng.core.measures import MeasureContext, get_measure
from jiaozheng.counselling import services
from jiaozheng.counselling.models import CaseSession, CounsellingCase, CounsellingGroup, GroupSession

pytestmark = pytest.mark.django_db


def csv_bytes(rows):
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def test_cases_and_group_sessions_import(world):
    today = timezone.localdate()
    d = (today - dt.timedelta(days=30)).isoformat()
    cases = [
        [
            "身份证号",
            "姓名",
            "开案日期",
            "主诉问题",
            "辅导目标",
            "辅导日期",
            "每次时长（分钟）",
            "结案日期",
            "结案结果",
            "结案小结",
        ],
        [
            world.person_a.id_number,
            world.person_a.name,
            d,
            "失眠",
            "改善睡眠",
            f"{d};{(today - dt.timedelta(days=16)).isoformat()}",
            "50",
            (today - dt.timedelta(days=10)).isoformat(),
            "有所改善",
            "好转",
        ],
        [world.person_b.id_number, world.person_b.name, d, "焦虑", "放松", d, "", "", "", ""],
    ]
    result = run_import(
        actor=world.counsellor, kind="counselling_cases", name="c.csv", content=csv_bytes(cases)
    )
    assert result.ok, result.errors
    assert CounsellingCase.objects.filter(status="closed", outcome="improved").count() == 1
    assert CaseSession.objects.count() == 3
    assert [n for n, _unit in result.counts] == [2, 3]  # cases, their sessions
    sessions = [
        ["小组名称", "日期", "主题", "地点", "时长（分钟）", "出席人员身份证号", "活动小结"],
        [
            "导入小组",
            d,
            "认识情绪",
            "活动室",
            "90",
            f"{world.person_a.id_number};{world.person_b.id_number}",
            "",
        ],
    ]
    result = run_import(
        actor=world.counsellor, kind="group_sessions", name="g.csv", content=csv_bytes(sessions)
    )
    assert result.ok, result.errors
    group = CounsellingGroup.objects.get(name="导入小组")
    assert (
        group.members.count() == 2
        and GroupSession.objects.get(group=group).attendance.filter(present=True).count() == 2
    )
    # a session, its two attendances, the new group and its two new members
    assert [n for n, _unit in result.counts] == [1, 2, 1, 2]
    # a person of another county makes the whole file fail, nothing written
    bad = [sessions[0], ["导入小组", d, "x", "", "90", world.person_y.id_number, ""]]
    assert not run_import(
        actor=world.counsellor, kind="group_sessions", name="g.csv", content=csv_bytes(bad)
    ).ok
    assert GroupSession.objects.count() == 1


def test_counselling_measures(world):
    today = timezone.localdate()
    ctx = MeasureContext((world.county_x.pk,), today - dt.timedelta(days=30), today)
    a = services.case_open(
        actor=world.counsellor,
        person=world.person_a,
        presenting_problem="p",
        goals="g",
        opened_on=today - dt.timedelta(days=5),
    )
    services.case_close(actor=world.counsellor, case=a, closed_on=today, outcome="goals_met", summary="s")
    services.case_open(actor=world.counsellor, person=world.person_b, presenting_problem="p", goals="g")
    services.case_open(actor=world.counsellor, person=world.subject_person, presenting_problem="p", goals="g")
    assert get_measure("counselling.individual_cases").compute(ctx) == 3
    assert get_measure("counselling.closure_rate").compute(ctx) == pytest.approx(1 / 3)
    group = CounsellingGroup.objects.create(county=world.county_x, name="g")
    GroupSession.objects.create(group=group, held_on=today, topic="t", status="held")
    GroupSession.objects.create(group=group, held_on=today, topic="t", status="planned")
    GroupSession.objects.create(group=group, held_on=today - dt.timedelta(days=90), topic="t", status="held")
    assert get_measure("counselling.group_sessions").compute(ctx) == 1
