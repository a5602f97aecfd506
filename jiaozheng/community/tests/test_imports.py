"""Import of past community-service activities with participants."""

from __future__ import annotations

import pytest

from jiaozheng.community.models import Activity, Participation, Venue
from jiaozheng.core.imports import run_import

pytestmark = pytest.mark.django_db

HEADER = "活动编号,日期,开始时间,结束时间,主题,活动类型,中队,场所,场所类型,组织者,时长,状态,取消原因,参与者类型,身份证号,姓名,参与情况,参与时长"


def csv_file(rows):
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def good_rows(world):
    day = world.person_a.intake_on.isoformat()
    return [
        f"G1,{day},08:00,12:00,创文创卫主题清扫,创文创卫主题清扫,卢峰中队,县城步行街,县城街道,周婷,,已开展,,社区矫正对象,{world.person_a.id_number},甲某,已参加,",
        f"G1,{day},08:00,12:00,创文创卫主题清扫,创文创卫主题清扫,卢峰中队,县城步行街,县城街道,周婷,,已开展,,社区矫正对象,{world.subject_person.id_number},本人,已参加,3",
        f"G1,{day},08:00,12:00,创文创卫主题清扫,创文创卫主题清扫,卢峰中队,县城步行街,县城街道,周婷,,已开展,,社工,,周婷,已参加,",
        f"G2,{day},08:00,12:00,敬老院慰问,看望帮扶老人,卢峰中队,县敬老院,,周婷,,已取消,天气灾害,,,,,",
    ]


def test_a_good_file_creates_activities_participants_and_the_new_venue(world):
    result = run_import(
        actor=world.bureau_admin,
        kind="community_activities",
        name="g.csv",
        content=csv_file(good_rows(world)),
    )
    assert result.ok, result.errors
    g1 = Activity.objects.get(theme="创文创卫主题清扫")
    assert (g1.status, g1.hours, g1.venue.name, g1.venue.kind) == ("held", 4, "县城步行街", "street")
    hours = dict(
        Participation.objects.filter(activity=g1, person__isnull=False).values_list("person__name", "hours")
    )
    assert hours == {"甲某": 4, "本人": 3}
    assert Participation.objects.filter(activity=g1, kind="social_worker").count() == 1
    g2 = Activity.objects.get(theme="敬老院慰问")
    assert g2.status == "cancelled" and g2.venue is None and g2.place == "县敬老院"
    assert Venue.objects.count() == 1
    # reported in the kind's units: activities, participation records, the new venue
    assert [n for n, _unit in result.counts] == [2, 3, 1] and result.created == 6


def test_one_bad_row_imports_nothing(world):
    rows = good_rows(world)
    rows[1] = rows[1].replace(world.subject_person.id_number, "431224199001010000")
    result = run_import(
        actor=world.bureau_admin, kind="community_activities", name="g.csv", content=csv_file(rows)
    )
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "身份证号")]
    assert not Activity.objects.exists() and not Participation.objects.exists() and not Venue.objects.exists()
