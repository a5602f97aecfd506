"""Incoherent set-up gets a clear message and changes nothing (issue 18), through the workbook import and
through the services behind the set-up pages alike: budget lines not summing to the price, a squadron
outside the county, a taken username, a role the importer may not grant, an indicator on an unknown
measure, a contract-year overlapping another for the same county and provider."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from jiaozheng.audit.context import acting_as
from jiaozheng.contracts.models import Contract, FundLine
from jiaozheng.core.imports import run_import
from jiaozheng.core.roles import Role
from jiaozheng.indicators import services
from jiaozheng.indicators.contract_templates import SEED
from jiaozheng.indicators.models import Indicator
from jiaozheng.orgs import services as orgs_services
from jiaozheng.orgs.models import Assignment, OrgUnit, ServiceProvider, User

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        model.__name__: model.objects.count()
        for model in (OrgUnit, User, Assignment, ServiceProvider, Contract, FundLine, Indicator)
    }


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _import(actor, kind, content):
    before = _snapshot()
    with acting_as(actor, "cli"):
        result = run_import(actor=actor, kind=kind, name="f.xlsx", content=content)
    assert not result.ok
    assert _snapshot() == before, "a refused file changed something"
    return " | ".join(f"{e.column}: {e.message}" for e in result.errors)


def _refused(call, exception=ValidationError):
    before = _snapshot()
    with pytest.raises(exception) as exc:
        call()
    assert _snapshot() == before, "a refused set-up changed something"
    value = exc.value
    return " ".join(value.messages) if isinstance(value, ValidationError) else str(value)


CONTRACT_HEAD = [
    "合同编号",
    "合同名称",
    "所属县（区）",
    "服务机构",
    "服务期开始",
    "服务期结束",
    "财政预算（元）",
    "中标价（元）",
]
LINE_HEAD = ["合同编号", "科目类别", "科目名称", "金额（元）"]
INDICATOR_HEAD = ["合同编号", "统计内容", "目标值", "分值"]


def _contract_row(world, code="X-NEW", year=2019, price="100"):
    return [
        code,
        "新合同",
        world.county_x.name,
        world.provider_1.name,
        f"{year}-01-01",
        f"{year}-12-31",
        price,
        price,
    ]


def _book(world, rows, lines=None, indicators=None):
    codes = [r[0] for r in rows]
    return _xlsx(
        {
            "data": [CONTRACT_HEAD, *rows],
            "预算科目": [LINE_HEAD, *(lines or [[c, "人员开支", "工资", "100"] for c in codes])],
            "绩效指标": [INDICATOR_HEAD, *(indicators or [[c, "教育学习场次", "10", "5"] for c in codes])],
        }
    )


def _header(world, **extra):
    data = {
        "code": "X-2019",
        "name": "X 县2019年购买服务",
        "buyer": world.county_x,
        "provider": world.provider_1,
        "start_on": dt.date(2019, 1, 1),
        "end_on": dt.date(2019, 12, 31),
        "budget_amount": SEED.budget,
        "contract_amount": SEED.price,
    }
    data.update(extra)
    return data


def _lines():
    return [{"category": s.category, "name": s.name, "amount": s.amount} for s in SEED.lines]


def _indicators():
    return [
        {
            "measure": s.measure,
            "name": s.name,
            "group": s.group,
            "target": s.target,
            "unit": s.unit,
            "weight": s.weight,
            "direction": s.direction,
        }
        for s in SEED.indicators
    ]


def _setup(world, header=None, lines=None, indicators=None):
    return lambda: services.contract_year_setup(
        actor=world.bureau_admin,
        contract=_header(world, **(header or {})),
        lines=_lines() if lines is None else lines,
        indicators=_indicators() if indicators is None else indicators,
    )


# --- budget lines not summing to the price -------------------------------------------------------------


def test_budget_lines_not_summing_to_the_price(world):
    lines = [["X-NEW", "人员开支", "工资", "60"], ["X-NEW", "人员开支", "五险一金", "30"]]
    message = _import(world.bureau_admin, "contracts", _book(world, [_contract_row(world)], lines=lines))
    assert "中标价（元）: The budget lines add up to ¥90.00" in message and "¥100" in message
    message = _refused(_setup(world, lines=_lines()[:-1]))
    assert "The budget lines add up to" in message and "890,980.00" in message


# --- a squadron outside the county ----------------------------------------------------------------------


def test_a_squadron_outside_the_county(world):
    head = ["所属县（区）", "单位类型", "名称", "上级单位"]
    content = _xlsx({"data": [head, [world.county_y.name, "中队/司法所", "越权中队", ""]]})
    message = _import(world.bureau_admin, "org_units", content)
    assert f"所属县（区）: No county {world.county_y.name} in your area" in message
    message = _refused(
        lambda: orgs_services.unit_add(actor=world.bureau_admin, parent=world.county_y, name="越权中队")
    )
    assert "You may only add units inside your own county." in message


# --- a taken username ---------------------------------------------------------------------------------

STAFF_HEAD = ["账号", "姓名", "角色", "任职单位", "所属县（区）", "服务机构"]


def test_a_taken_username(world):
    rows = [STAFF_HEAD, ["Bureau_Officer", "重名", "矫正局工作人员", world.county_x.name, "", ""]]
    message = _import(world.bureau_admin, "staff", _xlsx({"data": rows}))
    assert "账号: The account name bureau_officer is taken." in message
    # two rows of one file asking for the same new name
    rows = [
        STAFF_HEAD,
        ["x_twice", "甲", "矫正局工作人员", world.county_x.name, "", ""],
        ["x_twice", "乙", "矫正局工作人员", world.county_x.name, "", ""],
    ]
    assert "The account name x_twice is taken." in _import(world.bureau_admin, "staff", _xlsx({"data": rows}))
    message = _refused(
        lambda: orgs_services.account_create(
            actor=world.bureau_admin,
            username="BUREAU_OFFICER",
            full_name="重名",
            role=Role.BUREAU_OFFICER,
            units=[world.county_x],
        )
    )
    assert "The account name bureau_officer is taken." in message


# --- a role the importer may not grant ------------------------------------------------------------------


def test_a_role_the_importer_may_not_grant(world):
    rows = [STAFF_HEAD, ["x_subject", "对象", "社区矫正对象", world.county_x.name, "", ""]]
    message = _import(world.bureau_admin, "staff", _xlsx({"data": rows}))
    assert f"角色: You may not grant the role {Role.SUBJECT.label}." in message
    rows = [STAFF_HEAD, ["x_boss", "局长", "局长", world.county_x.name, "", ""]]
    assert "角色: Unknown role 局长." in _import(world.bureau_admin, "staff", _xlsx({"data": rows}))
    # a bureau officer grants no role at all, by workbook or by form
    rows = [STAFF_HEAD, ["x_sw", "社工", "社工", world.squadron_a.name, "", world.provider_1.name]]
    message = _import(world.bureau_officer, "staff", _xlsx({"data": rows}))
    assert "Your role may not import the organisation's set-up." in message
    _refused(
        lambda: orgs_services.account_create(
            actor=world.bureau_officer,
            username="x_sw",
            full_name="社工",
            role=Role.SOCIAL_WORKER,
            units=[world.squadron_a],
        ),
        PermissionDenied,
    )
    message = _refused(
        lambda: orgs_services.account_create(
            actor=world.bureau_admin, username="x_subject", full_name="对象", role=Role.SUBJECT, units=[]
        )
    )
    assert f"You may not grant the role {Role.SUBJECT.label}." in message


def test_an_importer_below_the_role_is_refused_row_by_row(world, monkeypatch):
    """An administrator whose own rank is below the role (ranks as ROLE_RANK says) may not grant it."""
    monkeypatch.setitem(orgs_services.ROLE_RANK, Role.BUREAU_ADMIN, 2)
    monkeypatch.setitem(orgs_services.ROLE_RANK, Role.AUDITOR, 3)
    rows = [STAFF_HEAD, ["x_auditor", "审计", "财务审计", world.county_x.name, "", ""]]
    message = _import(world.bureau_admin, "staff", _xlsx({"data": rows}))
    assert f"角色: You may not grant the role {Role.AUDITOR.label}." in message
    message = _refused(
        lambda: orgs_services.account_create(
            actor=world.bureau_admin,
            username="x_auditor",
            full_name="审计",
            role=Role.AUDITOR,
            units=[world.county_x],
        )
    )
    assert f"You may not grant the role {Role.AUDITOR.label}." in message


# --- an indicator on an unknown measure ------------------------------------------------------------------


def test_an_indicator_on_an_unknown_measure(world):
    indicators = [["X-NEW", "不存在的统计", "10", "5"]]
    message = _import(
        world.bureau_admin, "contracts", _book(world, [_contract_row(world)], indicators=indicators)
    )
    assert "绩效指标·统计内容: No module registers a measure named 不存在的统计." in message
    wrong = [{**_indicators()[0], "measure": "nosuch.measure"}]
    message = _refused(_setup(world, indicators=wrong))
    assert "no module registers the measure nosuch.measure" in message


# --- a contract-year overlapping another for the same county and provider --------------------------------


def test_a_contract_year_overlapping_another_for_the_same_county_and_provider(world):
    year = world.contract_x.start_on.year
    message = _import(world.bureau_admin, "contracts", _book(world, [_contract_row(world, year=year)]))
    assert "overlaps contract X-1 of the same provider for the same county" in message
    # two rows of one file for the same county, provider and year
    rows = [_contract_row(world, "X-A"), _contract_row(world, "X-B")]
    assert "服务期开始: The period overlaps row 2." in _import(
        world.bureau_admin, "contracts", _book(world, rows)
    )
    header = {"code": "X-dup", "start_on": dt.date(year, 3, 1), "end_on": dt.date(year, 12, 31)}
    message = _refused(_setup(world, header=header))
    assert "X-1" in message and "overlaps" in message
    # another provider for the same county and year is not an overlap
    other = {"code": "X-other", "provider": world.provider_2, "start_on": dt.date(year, 1, 1)}
    services.contract_year_setup(
        actor=world.bureau_admin,
        contract=_header(world, **other, end_on=dt.date(year, 12, 31)),
        lines=_lines(),
        indicators=_indicators(),
    )
    assert Contract.objects.filter(code="X-other").exists()
