"""Import kind ``contracts``: contract-years with their budget lines and indicators (docs/imports.md).

One workbook, three sheets: the contract headers (first sheet), 预算科目 (budget lines) and 绩效指标
(indicators), joined by the contract code. A contract without rows in the other two sheets may name the
template (五条服务线) to take the seed programme's lines and indicators. Each contract-year is written by
the set-up service of the set-up page (indicators.services.contract_year_setup), so the same rules hold:
lines adding up to the price, registered measures only (named in plain words), no overlap with another
contract-year of the same provider for the same county, only the importer's own county.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from jiaozheng.contracts.choices import FundCategory
from jiaozheng.contracts.models import Contract
from jiaozheng.core.imports import Column, ImportKind, RowError, RowProblem, Sheet, Units, register_import
from jiaozheng.core.roles import CHANGE, Domain, Role, role_allows
from jiaozheng.core.scoping import scope_for, scoped
from jiaozheng.indicators.choices import Direction, IndicatorGroup
from jiaozheng.indicators.contract_templates import SEED, TEMPLATES, resolve_measure
from jiaozheng.orgs.models import OrgUnit, ServiceProvider

LINES_SHEET = "预算科目"
INDICATORS_SHEET = "绩效指标"


class TemplateChoice(models.TextChoices):
    SEED = "seed", "五条服务线"


CODE = Column("contract", "合同编号", required=True, max_length=40, example="HT-2026-001")

HEADER_COLUMNS = [
    CODE,
    Column("name", "合同名称", required=True, max_length=200, example="溆浦县2026年社区矫正购买服务项目"),
    Column(
        "county",
        "所属县（区）",
        required=True,
        max_length=100,
        example="溆浦县",
        help="购买方县（区）名称或区划代码",
    ),
    Column(
        "provider", "服务机构", required=True, max_length=120, example="湖南德馨社工", help="机构名称或简称"
    ),
    Column("start_on", "服务期开始", "date", required=True, example="2026-01-01"),
    Column("end_on", "服务期结束", "date", required=True, example="2026-12-31", help="与开始日期在同一年度"),
    Column("budget_amount", "财政预算（元）", "decimal", required=True, example="891000"),
    Column(
        "contract_amount",
        "中标价（元）",
        "decimal",
        required=True,
        example="890980",
        help="预算科目合计须等于中标价",
    ),
    Column("signed_on", "签订日期", "date", example="2025-12-18"),
    Column("procurement", "采购方式", max_length=100, example="公开招标"),
    Column(
        "template",
        "合同模板",
        "choice",
        choices=TemplateChoice,
        help="「五条服务线」：该合同在另两张表中没有行时，采用种子项目的预算科目和指标",
    ),
]

LINE_COLUMNS = [
    CODE,
    Column("category", "科目类别", "choice", required=True, choices=FundCategory),
    Column("name", "科目名称", required=True, max_length=120),
    Column("amount", "金额（元）", "decimal", required=True),
    Column("note", "备注", max_length=200),
]

INDICATOR_COLUMNS = [
    CODE,
    Column(
        "measure",
        "统计内容",
        required=True,
        max_length=80,
        help="指标由哪项记录统计得出，填平台登记的统计项名称（如 教育学习场次、定位服务（APP安装）人次）",
    ),
    Column("name", "指标名称", max_length=100, help="空则为统计项名称"),
    Column("group", "指标分组", "choice", choices=IndicatorGroup, help="空则为 产出：数量"),
    Column("direction", "方向", "choice", choices=Direction, help="空则为 越高越好"),
    Column("target", "目标值", "decimal", required=True),
    Column("unit", "单位", max_length=20),
    Column("weight", "分值", "decimal", required=True),
]


def _zh(choice: Any) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(choice.label)


def _line_examples() -> list[dict[str, Any]]:
    return [
        {
            "contract": "HT-2026-001",
            "category": _zh(FundCategory(s.category)),
            "name": s.name,
            "amount": str(s.amount),
        }
        for s in SEED.lines
    ]


def _indicator_examples() -> list[dict[str, Any]]:
    from jiaozheng.indicators.registry import all_measures

    measures = all_measures()
    rows = []
    for s in SEED.indicators:
        if s.measure not in measures:
            continue
        rows.append(
            {
                "contract": "HT-2026-001",
                "measure": _zh(measures[s.measure]),
                "name": s.name,
                "group": _zh(IndicatorGroup(s.group)),
                "direction": _zh(Direction(s.direction)),
                "target": str(s.target.normalize()),
                "unit": s.unit,
                "weight": str(s.weight.normalize()),
            }
        )
    return rows


class _LazyRows:
    """Example rows computed when the template is written (measure names need the apps loaded)."""

    def __init__(self, build: Any) -> None:
        self.build = build

    def __iter__(self):
        return iter(self.build())

    def __bool__(self) -> bool:
        return True


def _begin(actor: Any, context: dict[str, Any]) -> None:
    scope = scope_for(actor)
    if not scope.unrestricted and not (
        role_allows(scope.role, Domain.FINANCE, CHANGE) and scope.role == Role.BUREAU_ADMIN
    ):
        raise PermissionDenied(_("Only the buyer's bureau administrator imports contracts."))
    counties = scoped(OrgUnit, actor).filter(kind=OrgUnit.Kind.COUNTY)
    if not scope.unrestricted:
        counties = counties.filter(pk__in=scope.county_ids)
    context["counties"] = {}
    for county in counties:
        context["counties"][county.name] = county
        if county.code:
            context["counties"][county.code] = county
    context["providers"] = list(ServiceProvider.objects.all())
    context["codes"] = set(Contract.objects.values_list("code", flat=True))
    context["seen"] = {}
    lines: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for row_number, row in context["sheets"].get(LINES_SHEET, []):
        lines.setdefault(row["contract"], []).append((row_number, row))
    indicators: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    problems = []
    for row_number, row in context["sheets"].get(INDICATORS_SHEET, []):
        code = resolve_measure(row["measure"])
        if code is None:
            problems.append(
                RowError(
                    row_number,
                    f"{INDICATORS_SHEET}·统计内容",
                    _("No module registers a measure named %(m)s.") % {"m": row["measure"]},
                )
            )
            continue
        indicators.setdefault(row["contract"], []).append((row_number, {**row, "measure": code}))
    context["lines"], context["indicators"], context["sheet_problems"] = lines, indicators, problems


def _prepare(actor: Any, row: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    code = row["contract"]
    if code in context["codes"]:
        raise RowProblem("contract", _("A contract with the code %(code)s already exists.") % {"code": code})
    if code in context["seen"]:
        raise RowProblem("contract", _("Same contract code as row %(r)s.") % {"r": context["seen"][code]})
    county = context["counties"].get(row["county"])
    if county is None:
        raise RowProblem("county", _("No county %(c)s in your area.") % {"c": row["county"]})
    found = [p for p in context["providers"] if row["provider"] in (p.name, p.short_name)]
    if len(found) != 1:
        raise RowProblem("provider", _("No service provider %(p)s.") % {"p": row["provider"]})
    provider = found[0]
    start, end = row["start_on"], row["end_on"]
    if end < start:
        raise RowProblem("end_on", _("The period cannot end before it starts."))
    if start.year != end.year:
        raise RowProblem("end_on", _("A contract-year starts and ends in the same calendar year."))
    clash = Contract.objects.filter(
        provider=provider, counties=county, start_on__lte=end, end_on__gte=start
    ).first()
    if clash is not None:
        raise RowProblem(
            "start_on",
            _("The period overlaps contract %(code)s of the same provider for the same county.")
            % {"code": clash.code},
        )
    lines = [r for _n, r in context["lines"].get(code, [])]
    indicators = [r for _n, r in context["indicators"].get(code, [])]
    template = TEMPLATES.get(row.get("template") or "")
    if template is not None and not lines:
        lines = [{"category": s.category, "name": s.name, "amount": s.amount} for s in template.lines]
    if template is not None and not indicators:
        indicators = [
            {
                "measure": s.measure,
                "name": s.name,
                "group": s.group,
                "direction": s.direction,
                "target": s.target,
                "unit": s.unit,
                "weight": s.weight,
            }
            for s in template.indicators
        ]
    if not lines:
        raise RowProblem("contract", _("No budget lines for %(code)s (sheet 预算科目).") % {"code": code})
    if not indicators:
        raise RowProblem("contract", _("No indicators for %(code)s (sheet 绩效指标).") % {"code": code})
    total = sum((Decimal(str(line["amount"])) for line in lines), Decimal(0))
    if total != row["contract_amount"]:
        raise RowProblem(
            "contract_amount",
            _("The budget lines add up to ¥%(total)s; the contract price is ¥%(price)s.")
            % {"total": f"{total:,.2f}", "price": f"{row['contract_amount']:,.2f}"},
        )
    context["seen"][code] = True
    return {
        "contract": {
            "code": code,
            "name": row["name"],
            "buyer": county,
            "provider": provider,
            "start_on": start,
            "end_on": end,
            "budget_amount": row["budget_amount"],
            "contract_amount": row["contract_amount"],
            "signed_on": row.get("signed_on"),
            "procurement": row.get("procurement") or "",
        },
        "lines": lines,
        "indicators": [
            {
                **i,
                "group": i.get("group") or IndicatorGroup.OUTPUT_QUANTITY,
                "direction": i.get("direction") or Direction.HIGHER,
            }
            for i in indicators
        ],
        "period": (provider.pk, county.pk, start, end),
    }


def _check_all(actor: Any, prepared: list[tuple[int, Any]], context: dict[str, Any]) -> list[RowError]:
    errors = list(context.get("sheet_problems", []))
    codes = {item["contract"]["code"] for _n, item in prepared} | set(context["seen"])
    for sheet, rows in ((LINES_SHEET, context["lines"]), (INDICATORS_SHEET, context["indicators"])):
        for code, items in rows.items():
            if code not in codes and code not in context["codes"]:
                errors.extend(
                    RowError(
                        n, f"{sheet}·合同编号", _("No contract %(code)s on the first sheet.") % {"code": code}
                    )
                    for n, _r in items
                )
    periods: list[tuple[int, tuple[int, int, dt.date, dt.date]]] = []
    for row_number, item in prepared:
        provider, county, start, end = item["period"]
        for other_row, (p, c, s, e) in periods:
            if p == provider and c == county and s <= end and e >= start:
                errors.append(
                    RowError(row_number, "服务期开始", _("The period overlaps row %(r)s.") % {"r": other_row})
                )
        periods.append((row_number, item["period"]))
    return errors


def _write(actor: Any, prepared: list[dict[str, Any]], context: dict[str, Any]) -> list[tuple[int, Any]]:
    from jiaozheng.indicators.services import contract_year_setup

    for item in prepared:
        contract_year_setup(
            actor=actor, contract=item["contract"], lines=item["lines"], indicators=item["indicators"]
        )
    return [
        (len(prepared), Units.CONTRACT_YEARS),
        (sum(len(item["lines"]) for item in prepared), Units.BUDGET_LINES),
        (sum(len(item["indicators"]) for item in prepared), Units.INDICATORS),
    ]


CONTRACTS = register_import(
    ImportKind(
        kind="contracts",
        label="购买服务合同（合同年度、预算科目、绩效指标）",
        unit=Units.CONTRACT_YEARS,
        columns=HEADER_COLUMNS,
        prepare=_prepare,
        write=_write,
        begin=_begin,
        check_all=_check_all,
        order=40,
        sheets=[
            Sheet(
                LINES_SHEET,
                LINE_COLUMNS,
                examples=_LazyRows(_line_examples),
                description="每个合同的预算科目，合计须等于中标价",
            ),
            Sheet(
                INDICATORS_SHEET,
                INDICATOR_COLUMNS,
                examples=_LazyRows(_indicator_examples),
                description="每个合同年度的绩效指标：统计内容用平台登记的统计项名称，不填代码",
            ),
        ],
        description=(
            "第一张表一行一个合同年度；「预算科目」「绩效指标」两张表按合同编号对应。"
            "预算科目合计不等于中标价、统计内容不存在、与同一机构同一县的其他合同年度重叠的，整个文件不导入。"
        ),
    )
)
