"""Import kind ``visits``: all or nothing, with row errors."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook

from jiaozheng.audit.models import TimelineEvent
from jiaozheng.core.imports import run_import
from jiaozheng.visits.imports import COLUMNS
from jiaozheng.visits.models import Visit

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in COLUMNS]


def workbook(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append([row.get(h, "") for h in HEADERS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def good_rows(world):
    day = (timezone.localdate() - dt.timedelta(days=20)).isoformat()
    a, b = world.person_a, world.person_b
    return [
        {
            "案件编号": a.case_number,
            "姓名": a.name,
            "走访类型": "日常走访",
            "走访方式": "电话问询",
            "走访日期": day,
            "走访时间": "10:15",
            "走访人员": "social_worker",
            "思想动态": "稳定",
        },
        {
            "身份证号": a.id_number,
            "姓名": a.name,
            "走访类型": "重点走访",
            "走访方式": "实地走访",
            "走访对象": "家庭",
            "走访日期": day,
            "走访人员": "social_worker、李村长",
            "走访地点": "家中",
        },
        {
            "案件编号": b.case_number,
            "姓名": b.name,
            "走访类型": "特殊走访",
            "走访方式": "实地走访",
            "走访对象": "单位",
            "走访日期": day,
            "走访人员": "张三",
        },
    ]


def test_a_good_file_imports_every_row_with_visitors_matched_to_accounts(world):
    # given a workbook of three visits in county X, read by the bureau officer
    content = workbook(good_rows(world))
    # when it is imported
    result = run_import(actor=world.bureau_officer, kind="visits", name="visits.xlsx", content=content)
    # then all three visits exist, marked as imported, with matched and unmatched visitors
    assert result.ok, result.as_dict()
    assert result.created == 3
    assert Visit.objects.filter(imported=True).count() == 3
    field = Visit.objects.get(visit_type="focus")
    assert list(field.visitors.all()) == [world.social_worker]
    assert field.other_visitors == "李村长"
    assert field.field_target == "home"
    phone = Visit.objects.get(visit_type="routine")
    assert timezone.localtime(phone.visited_at).strftime("%H:%M") == "10:15"
    assert TimelineEvent.objects.filter(verb="visit.imported").count() == 3


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row_and_column(world):
    # given the good rows plus a row with a field visit without its target
    rows = good_rows(world)
    rows.insert(1, {**rows[0], "走访方式": "实地走访"})
    content = workbook(rows)
    # when it is imported
    result = run_import(actor=world.bureau_officer, kind="visits", name="visits.xlsx", content=content)
    # then nothing was written and the error names row 3
    assert not result.ok
    assert not Visit.objects.exists()
    assert [(e.row, e.column) for e in result.errors] == [(3, "走访对象")]


BAD_ROWS = [
    ({"姓名": "别人"}, "姓名"),
    ({"案件编号": "NOPE-1"}, "案件编号"),
    ({"走访日期": "2099-01-01"}, "走访日期"),
    ({"走访日期": "2001-01-01"}, "走访日期"),
    ({"走访类型": "随便"}, "走访类型"),
    ({"走访时间": "25:00"}, "走访时间"),
    ({"走访方式": "电话问询", "走访对象": "家庭"}, "走访对象"),
]


def test_each_kind_of_bad_row_is_reported(world):
    for change, column in BAD_ROWS:
        rows = good_rows(world)[:1]
        rows[0].update(change)
        result = run_import(actor=world.bureau_officer, kind="visits", name="v.xlsx", content=workbook(rows))
        assert not result.ok, change
        assert result.errors[0].column == column, (change, result.as_dict())
        assert not Visit.objects.exists()


def test_persons_outside_the_importers_area_are_not_found(world):
    # given a file about a person of squadron B, imported by the social worker of squadron A
    rows = good_rows(world)[2:]
    result = run_import(actor=world.social_worker, kind="visits", name="v.xlsx", content=workbook(rows))
    assert not result.ok and not Visit.objects.exists()


def test_the_same_visit_twice_is_refused(world):
    rows = good_rows(world)[:1]
    assert run_import(actor=world.bureau_officer, kind="visits", name="v.xlsx", content=workbook(rows)).ok
    again = run_import(actor=world.bureau_officer, kind="visits", name="v.xlsx", content=workbook(rows))
    assert not again.ok
    assert Visit.objects.count() == 1
