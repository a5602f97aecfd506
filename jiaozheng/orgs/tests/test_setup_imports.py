"""Import kinds of the set-up: org_units, providers, staff, contracts (all or nothing)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from jiaozheng.audit.context import acting_as
from jiaozheng.contracts.models import Contract, FundLine
from jiaozheng.core.imports import import_kinds, run_import
from jiaozheng.indicators.models import Indicator
from jiaozheng.orgs.models import OrgUnit, ServiceProvider, User

pytestmark = pytest.mark.django_db


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


def _run(actor, kind, content, name="f.xlsx"):
    with acting_as(actor, "cli"):
        return run_import(actor=actor, kind=kind, name=name, content=content)


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password="Root-pass-2026")


def test_the_set_up_kinds_come_first_in_dependency_order():
    kinds = list(import_kinds())
    assert kinds[:4] == ["org_units", "providers", "staff", "contracts"]
    assert kinds.index("persons") > kinds.index("contracts")


def test_the_templates_set_a_county_up_in_an_empty_database(root):
    for kind in ("org_units", "providers", "staff", "contracts"):
        result = _run(root, kind, import_kinds()[kind].template_xlsx())
        assert result.ok, (kind, [e.as_dict() for e in result.errors])
    county = OrgUnit.objects.get(kind="county")
    assert (county.name, county.boundary_code) == ("溆浦县", "431224")
    assert OrgUnit.objects.filter(county=county, kind="squadron").count() == 2
    assert ServiceProvider.objects.count() == 1
    sw = User.objects.get(username="xp_sw1")
    assert sw.must_change_password and not sw.has_usable_password()
    assert [a.unit.name for a in sw.assignments.all()] == ["卢峰中队"]
    contract = Contract.objects.get(code="HT-2026-001")
    assert FundLine.objects.filter(contract=contract).count() == 8
    assert Indicator.objects.filter(contract=contract).count() >= 5


HEAD = ["所属县（区）", "单位类型", "名称", "上级单位"]


def test_a_squadron_outside_the_county_is_refused(world):
    content = _xlsx({"data": [HEAD, [world.county_y.name, "中队/司法所", "越权中队", ""]]})
    result = _run(world.bureau_admin, "org_units", content)
    assert not result.ok and result.errors[0].column == "所属县（区）"
    assert not OrgUnit.objects.filter(name="越权中队").exists()


def test_a_county_administrator_cannot_create_counties(world):
    result = _run(world.bureau_admin, "org_units", _xlsx({"data": [HEAD, ["431223", "县（区）", "", ""]]}))
    assert not result.ok
    assert not OrgUnit.objects.filter(code="431223").exists()


def test_rows_refer_to_units_of_rows_above_and_one_bad_row_imports_nothing(world):
    content = _xlsx(
        {
            "data": [
                HEAD,
                [world.county_x.name, "中队/司法所", "桥江中队", ""],
                [world.county_x.name, "乡镇", "桥江镇", "桥江中队"],
                [world.county_x.name, "乡镇", "无名镇", "不存在中队"],
            ]
        }
    )
    result = _run(world.bureau_admin, "org_units", content)
    assert not result.ok and [e.row for e in result.errors] == [4]
    assert not OrgUnit.objects.filter(name="桥江中队").exists()


STAFF = ["账号", "姓名", "角色", "任职单位", "所属县（区）", "服务机构"]


def test_a_taken_username_and_a_role_above_ones_own_are_refused(world):
    content = _xlsx(
        {
            "data": [
                STAFF,
                ["bureau_officer", "重名", "矫正局工作人员", world.county_x.name, "", ""],
                ["x_new", "越权", "社工", world.squadron_c.name, "", world.provider_1.name],
            ]
        }
    )
    result = _run(world.bureau_admin, "staff", content)
    assert not result.ok
    assert {(e.row, e.column) for e in result.errors} == {(2, "账号"), (3, "任职单位")}
    assert not User.objects.filter(username="x_new").exists()
    # a bureau officer grants nothing at all
    result = _run(
        world.bureau_officer, "staff", _xlsx({"data": [STAFF, ["x_up", "越级", "社工", "卢峰中队", "", ""]]})
    )
    assert not result.ok and not User.objects.filter(username="x_up").exists()


def _contract_book(
    world, price="100", lines=(("人员开支", "工资", "100"),), measure="教育学习场次", year=2019
):
    return _xlsx(
        {
            "data": [
                [
                    "合同编号",
                    "合同名称",
                    "所属县（区）",
                    "服务机构",
                    "服务期开始",
                    "服务期结束",
                    "财政预算（元）",
                    "中标价（元）",
                ],
                [
                    "X-NEW",
                    "新合同",
                    world.county_x.name,
                    world.provider_1.name,
                    f"{year}-01-01",
                    f"{year}-12-31",
                    "100",
                    price,
                ],
            ],
            "预算科目": [["合同编号", "科目类别", "科目名称", "金额（元）"]]
            + [["X-NEW", *line] for line in lines],
            "绩效指标": [["合同编号", "统计内容", "目标值", "分值"], ["X-NEW", measure, "10", "5"]],
        }
    )


def test_a_contract_is_imported_with_its_lines_and_indicators(world):
    result = _run(world.bureau_admin, "contracts", _contract_book(world))
    assert result.ok, [e.as_dict() for e in result.errors]
    contract = Contract.objects.get(code="X-NEW")
    assert Indicator.objects.get(contract=contract).measure_code == "education.sessions_held"


@pytest.mark.parametrize(
    ("kwargs", "column"),
    [
        ({"price": "90"}, "中标价（元）"),
        ({"measure": "不存在的统计"}, "绩效指标·统计内容"),
        ({"year": None}, "服务期开始"),  # overlaps the world's contract X-1 of the same provider and county
    ],
)
def test_incoherent_contracts_import_nothing(world, kwargs, column):
    if kwargs.get("year", 0) is None:
        kwargs["year"] = world.contract_x.start_on.year
    result = _run(world.bureau_admin, "contracts", _contract_book(world, **kwargs))
    assert not result.ok
    assert column in [e.column for e in result.errors]
    assert not Contract.objects.filter(code="X-NEW").exists()
