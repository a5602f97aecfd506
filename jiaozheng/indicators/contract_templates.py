"""Contract templates: the budget lines and indicators a new contract-year starts from.

The one shipped template is the seed programme (docs: shared domain notes, "Service lines"): the five
service lines — education, psychological assessment and counselling, community service, visits, location —
with the seed contract's targets, its eight budget lines (adding up to its price of ¥890,980) and the
budget-execution rate. The set-up page and the ``contracts`` import start from it; every value is edited
afterwards. Indicators name their measure by the code the module registers; the page shows the measure's
plain label, never the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jiaozheng.contracts.choices import FundCategory
from jiaozheng.indicators.choices import Direction, IndicatorGroup


@dataclass(frozen=True)
class LineSpec:
    category: str
    name: str
    amount: Decimal


@dataclass(frozen=True)
class IndicatorSpec:
    measure: str
    name: str
    group: str
    target: Decimal
    unit: str
    weight: Decimal
    direction: str = Direction.HIGHER


@dataclass(frozen=True)
class ContractTemplate:
    key: str
    label: str
    budget: Decimal
    price: Decimal
    lines: list[LineSpec] = field(default_factory=list)
    indicators: list[IndicatorSpec] = field(default_factory=list)

    def lines_total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


Q = IndicatorGroup.OUTPUT_QUANTITY

SEED = ContractTemplate(
    key="seed",
    label="五条服务线（种子项目：教育学习、心理矫治、社区服务、走访调查、定位监管）",
    budget=Decimal("891000"),
    price=Decimal("890980"),
    lines=[
        LineSpec(FundCategory.PERSONNEL, "常驻司法局人员工资及五险一金", Decimal("339980")),
        LineSpec(FundCategory.ASSESSMENT, "心理测量评估费", Decimal("26000")),
        LineSpec(FundCategory.COUNSELLING, "团辅个案", Decimal("120000")),
        LineSpec(FundCategory.EDUCATION, "集中教育学习费", Decimal("120000")),
        LineSpec(FundCategory.COMMUNITY, "社区服务费用", Decimal("80000")),
        LineSpec(FundCategory.VISITS, "走访调查费用", Decimal("100000")),
        LineSpec(FundCategory.LOCATION, "定位服务费", Decimal("55000")),
        LineSpec(FundCategory.TRAVEL_ADMIN_TAX, "差旅管理及相关税费", Decimal("50000")),
    ],
    indicators=[
        IndicatorSpec(
            "contracts.budget_execution_rate",
            "预算执行率",
            IndicatorGroup.BUDGET_EXECUTION,
            Decimal(100),
            "%",
            Decimal(10),
        ),
        IndicatorSpec("education.sessions_held", "集中教育学习场次", Q, Decimal(156), "场次", Decimal(6)),
        IndicatorSpec(
            "assessments.persons_assessed", "心理测量评估人次", Q, Decimal(250), "人次", Decimal(5)
        ),
        IndicatorSpec("counselling.group_sessions", "团体心理辅导场次", Q, Decimal(6), "场次", Decimal(3)),
        IndicatorSpec("counselling.individual_cases", "个案心理咨询人次", Q, Decimal(20), "人次", Decimal(3)),
        IndicatorSpec(
            "community.activities_held", "社区服务（公益活动）场次", Q, Decimal(156), "场次", Decimal(6)
        ),
        IndicatorSpec("visits.routine_visits", "日常走访人次", Q, Decimal(330), "人次", Decimal(4)),
        IndicatorSpec("visits.focus_subjects", "重点走访对象人数", Q, Decimal(50), "人", Decimal(4)),
        IndicatorSpec("visits.special_subjects", "特殊走访对象人数", Q, Decimal(20), "人", Decimal(4)),
        IndicatorSpec("location.installs", "定位服务（APP安装）人次", Q, Decimal(250), "人次", Decimal(5)),
    ],
)

TEMPLATES: dict[str, ContractTemplate] = {SEED.key: SEED}


def indicator_code(measure: str) -> str:
    """The indicator's short identifier derived from its measure (never typed by the user)."""
    return measure.replace(".", "-").replace("_", "-")[:40]


def default_unit(measure: Any) -> str:
    """The unit shown for a measure: percent for rates, the measure's own unit otherwise."""
    if measure.kind == "rate":
        return "%"
    return str(measure.unit)


def measure_choices() -> list[tuple[str, str]]:
    """(code, plain label) of every registered measure, for the set-up page's select (label shown)."""
    from jiaozheng.indicators.registry import all_measures

    return sorted(((code, str(m.label)) for code, m in all_measures().items()), key=lambda cl: cl[0])


def resolve_measure(text: str) -> str | None:
    """The measure code named by ``text``: its plain label (Chinese or English) or, for scripts, its code."""
    from django.utils import translation

    from jiaozheng.indicators.registry import all_measures

    text = (text or "").strip()
    if not text:
        return None
    measures = all_measures()
    if text in measures:
        return text
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for code, m in measures.items():
                if str(m.label).strip().lower() == text.lower():
                    return code
    return None
