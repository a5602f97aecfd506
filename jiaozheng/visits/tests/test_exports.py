"""The provincial XLSX export: documented column layout, code values, masking, formula safety."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from jiaozheng.visits import services
from jiaozheng.visits.choices import HelpKind, InterventionKind
from jiaozheng.visits.exports import FIELDS, available_mappings, load_mapping, visits_xlsx
from jiaozheng.visits.models import Visit
from jiaozheng.visits.tests.conftest import visit_input

HUNAN_HEADERS = [
    "序号",
    "社区矫正对象姓名",
    "身份证号码",
    "矫正类别",
    "管理等级",
    "执行地司法所（中队）",
    "走访类型",
    "走访方式",
    "走访对象",
    "走访日期",
    "走访时间",
    "走访地点",
    "走访人员",
    "接谈人员",
    "走访结果",
    "思想动态",
    "现实表现",
    "家庭情况",
    "工作（学习）情况",
    "风险隐患",
    "处置措施",
    "后续跟进",
    "备注",
    "记录人",
    "记录时间",
]


def sheet(content):
    wb = load_workbook(io.BytesIO(content))
    ws = wb.active
    return ws.title, [[c.value for c in row] for row in ws.iter_rows()]


def test_every_shipped_mapping_is_valid_and_uses_documented_fields():
    assert {"hunan", "full"} <= set(available_mappings())
    for key in available_mappings():
        mapping = load_mapping(key)
        assert mapping.columns
        assert all(c.field in FIELDS for c in mapping.columns)


def test_the_documented_hunan_layout_is_the_mapping_file():
    # the column order documented in docs/visits.md is the shipped mapping
    assert [c.header for c in load_mapping("hunan").columns] == HUNAN_HEADERS


@pytest.mark.django_db
def test_the_hunan_export_writes_one_row_per_visit_in_the_documented_layout(world):
    # given a focus field visit with a talk and hardship help, and a task
    officer = world.squadron_officer
    visited_at = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() - dt.timedelta(days=1), dt.time(9, 30))
    )
    services.visit_create(
        actor=officer,
        person=world.person_a,
        data=visit_input(
            visitors=[officer, world.social_worker],
            other_visitors="村主任",
            visited_at=visited_at,
            people_met="本人、配偶",
            risk_signs=["financial"],
            risk_note="家中老人住院",
            interventions=[
                services.InterventionInput(InterventionKind.EDUCATION_TALK, "讲解报告规定"),
                services.InterventionInput(
                    InterventionKind.HARDSHIP_HELP,
                    "临时救助",
                    help_kind=HelpKind.CASH,
                    amount=Decimal(300),
                    given_by="司法局",
                ),
            ],
            tasks=[services.TaskInput("回访", timezone.localdate() + dt.timedelta(days=7))],
        ),
    )
    # when an officer exports it with the Hunan mapping
    title, rows = sheet(visits_xlsx(Visit.objects.all(), actor=officer, mapping=load_mapping("hunan")))
    # then the header row is the documented layout and the row holds Chinese values
    assert title == "走访记录"
    assert rows[0] == HUNAN_HEADERS
    row = dict(zip(HUNAN_HEADERS, rows[1], strict=True))
    person = world.person_a
    assert row["序号"] == 1
    assert row["社区矫正对象姓名"] == person.name
    assert row["身份证号码"] == person.id_number  # officers get full numbers for the provincial system
    assert row["走访类型"] == "重点走访"
    assert row["走访方式"] == "实地走访"
    assert row["走访对象"] == "家庭"
    assert row["走访日期"] == visited_at.date().isoformat()
    assert row["走访时间"] == "09:30"
    assert row["走访人员"] == f"{officer}、{world.social_worker}、村主任"
    assert row["走访结果"] == "已见到本人"
    assert "家中老人住院" in row["风险隐患"]
    assert "讲解报告规定" in row["处置措施"] and "临时救助" in row["处置措施"]
    assert row["后续跟进"].startswith("回访（")


@pytest.mark.django_db
def test_a_social_worker_gets_masked_id_numbers_and_text_never_becomes_a_formula(world):
    # given a visit whose remarks start like a spreadsheet formula
    services.visit_create(
        actor=world.social_worker,
        person=world.person_a,
        data=visit_input(visitors=[world.social_worker], summary='=HYPERLINK("http://x","y")'),
    )
    # when the social worker exports with the full mapping
    mapping = load_mapping("full")
    content = visits_xlsx(Visit.objects.all(), actor=world.social_worker, mapping=mapping)
    headers = [c.header for c in mapping.columns]
    _title, rows = sheet(content)
    row = dict(zip(headers, rows[1], strict=True))
    # then the ID number is masked and the formula is plain text
    assert row["身份证号码"] == world.person_a.id_number_masked != world.person_a.id_number
    wb = load_workbook(io.BytesIO(content))
    cell = wb.active.cell(row=2, column=headers.index("其他情况") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


@pytest.mark.django_db
def test_the_export_page_downloads_the_scoped_records_and_logs_the_export(world, login):
    from jiaozheng.audit.models import AccessLog

    # given visits in squadrons A and B
    services.visit_create(
        actor=world.social_worker, person=world.person_a, data=visit_input(visitors=[world.social_worker])
    )
    services.visit_create(
        actor=world.social_worker_b, person=world.person_b, data=visit_input(visitors=[world.social_worker_b])
    )
    # when the social worker of A downloads this month's export
    client = login(world.social_worker)
    today = timezone.localdate()
    response = client.get(f"/visits/export/?start={today.replace(day=1)}&end={today}&download=1")
    # then only A's visit is in the file and the export is logged
    assert response.status_code == 200
    _title, rows = sheet(response.content)
    assert [r[1] for r in rows[1:]] == [world.person_a.name]
    assert AccessLog.objects.filter(kind="export", actor=world.social_worker).exists()
