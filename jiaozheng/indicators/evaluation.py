"""The live evaluation of a contract-year: every indicator's actual, ratio, score; the total and grade; funds.

``evaluate(contract, year)`` is the single source of the figures shown on the pages, returned by the API and
the CLI as KPI JSON, and written into the reports. Actual values come from the measures registered by the
modules that own the records; an indicator never stores its own actual (except a manual value for what no
record measures, with its source).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiaozheng.contracts.models import Contract
from jiaozheng.contracts.selectors import FundsSummary, funds_summary
from jiaozheng.core.measures import Measure, MeasureContext, all_measures
from jiaozheng.indicators.choices import (
    BAND_ZH,
    GRADE_ZH,
    Direction,
    Grade,
    IndicatorGroup,
    IndicatorKind,
    RateDisplay,
)
from jiaozheng.indicators.models import Indicator
from jiaozheng.indicators.scoring import (
    Score,
    Status,
    displayed_rate,
    format_number,
    format_percent,
    grade_for,
    score_qualitative,
    score_quantitative,
    to_decimal,
)

log = logging.getLogger(__name__)
HUNDRED = Decimal(100)
NOT_DUE = "未到评价期"
GROUP_ORDER = {g: i for i, g in enumerate(IndicatorGroup.values)}


class YearOutsideContract(ValueError):
    pass


def contract_year_period(contract: Contract, year: int) -> tuple[dt.date, dt.date]:
    """The part of the contract's service period that lies in ``year`` (both dates inclusive)."""
    start = max(contract.start_on, dt.date(year, 1, 1))
    end = min(contract.end_on, dt.date(year, 12, 31))
    if start > end:
        raise YearOutsideContract(f"{contract.code} does not cover {year}")
    return start, end


def default_year(contract: Contract, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    years = contract.years()
    if today.year in years:
        return today.year
    return years[-1] if today.year > years[-1] else years[0]


def measure_context(contract: Contract, start: dt.date, end: dt.date) -> MeasureContext:
    county_ids = tuple(sorted(contract.counties.values_list("pk", flat=True)))
    return MeasureContext(county_ids, start, end, contract.pk)


class Figures:
    """Measure values over one context, computed once each. A failing measure yields None and a problem."""

    def __init__(self, ctx: MeasureContext):
        self.ctx = ctx
        self.measures = all_measures()
        self._values: dict[tuple[str, dt.date, dt.date], Any] = {}
        self.problems: dict[str, str] = {}
        self.seconds: dict[str, float] = {}  # time spent computing each measure (make bench reports it)

    def measure(self, code: str) -> Measure | None:
        return self.measures.get(code)

    def raw(self, code: str, ctx: MeasureContext | None = None) -> Any:
        ctx = ctx or self.ctx
        key = (code, ctx.start, ctx.end)
        if key in self._values:
            return self._values[key]
        measure = self.measures.get(code)
        value: Any = None
        if measure is None:
            self.problems[code] = "not registered"
        elif ctx.end < ctx.start:
            value = Decimal(0) if measure.kind != "rate" else None
        else:
            try:
                started = time.perf_counter()
                with transaction.atomic():  # a failing query must not poison the caller's transaction
                    value = measure.compute(ctx)
                self.seconds[code] = self.seconds.get(code, 0.0) + time.perf_counter() - started
            except Exception as exc:  # one broken measure must not take the whole report down
                log.exception("measure %s failed", code)
                self.problems[code] = f"{type(exc).__name__}: {exc}"[:300]
                value = None
        self._values[key] = value
        return value

    def value(self, code: str, ctx: MeasureContext | None = None) -> Decimal | None:
        """The figure in display units: rates as percentages (98.8), counts as numbers."""
        raw = self.raw(code, ctx)
        if raw is None:
            return None
        value = to_decimal(raw)
        measure = self.measures.get(code)
        if value is not None and measure is not None and measure.kind == "rate":
            value = value * HUNDRED
        return value


@dataclass
class Outcome:
    indicator: Indicator
    measure: Measure | None
    actual: Decimal | None
    score: Score
    problem: str = ""
    coverage: Decimal | None = None  # percentage, when the indicator names a coverage measure
    not_due: bool = False  # a year in progress: no figure is due yet (an assessment, an entered value)

    @property
    def target(self) -> Decimal | None:
        return self.indicator.target

    @property
    def weight(self) -> Decimal:
        return self.indicator.weight

    @property
    def unit(self) -> str:
        return self.indicator.unit

    @property
    def qualitative(self) -> bool:
        return self.indicator.kind == IndicatorKind.QUALITATIVE

    @property
    def rate_text(self) -> str:
        """The completion rate as reports show it (capped at 100 % unless the indicator says uncapped)."""
        if self.not_due:
            return NOT_DUE
        if self.qualitative:
            return BAND_ZH.get(self.indicator.band, "未评价")
        if self.indicator.direction == Direction.LOWER:
            return format_percent(self.score.capped)
        return displayed_rate(self.score.ratio, self.indicator.rate_display)

    @property
    def ratio_text(self) -> str:
        return format_percent(self.score.ratio)

    @property
    def uncapped(self) -> bool:
        """The rate is shown uncapped (actual ÷ target, may exceed 100 %): a per-indicator choice."""
        return (
            not self.qualitative
            and self.indicator.direction != Direction.LOWER
            and self.indicator.rate_display == RateDisplay.UNCAPPED
        )

    @property
    def rate_name(self) -> str:
        return self.indicator.rate_label or "完成率"

    @property
    def excess(self) -> Decimal | None:
        if self.qualitative or self.actual is None or self.target is None:
            return None
        if self.indicator.direction == Direction.HIGHER and self.actual > self.target:
            return self.actual - self.target
        return None

    @property
    def shortfall(self) -> Decimal | None:
        if self.qualitative or self.actual is None or self.target is None:
            return None
        if self.indicator.direction == Direction.HIGHER and self.actual < self.target:
            return self.target - self.actual
        if self.indicator.direction == Direction.LOWER and self.actual > self.target:
            return self.actual - self.target
        return None

    @property
    def actual_text(self) -> str:
        if self.not_due:
            return NOT_DUE
        if self.qualitative:
            return BAND_ZH.get(self.indicator.band, "未评价")
        if self.actual is None:
            return "未取得"
        if self.unit == "%":
            return format_percent(self.actual / HUNDRED)
        return f"{format_number(self.actual)}{self.unit}"

    @property
    def target_text(self) -> str:
        if self.qualitative:
            return self.indicator.description[:40] or "达成"
        if self.target is None:
            return "—"
        prefix = "≤" if self.indicator.direction == Direction.LOWER and self.target else ""
        if self.unit == "%":
            return f"{prefix}{format_percent(self.target / HUNDRED)}"
        return f"{prefix}{format_number(self.target)}{self.unit}"

    @property
    def lost(self) -> Decimal:
        return self.weight - self.score.score

    def as_dict(self) -> dict[str, Any]:
        ind = self.indicator

        def num(value: Decimal | None) -> float | None:
            return None if value is None else float(value)

        return {
            "code": ind.code,
            "name": ind.name,
            "group": ind.group,
            "kind": ind.kind,
            "measure": ind.measure_code or None,
            "direction": ind.direction,
            "unit": ind.unit,
            "target": num(ind.target),
            "actual": num(self.actual),
            "rate": num(self.score.ratio),
            "rate_shown": self.rate_text,
            "rate_capped": not self.uncapped,
            "rate_name": self.rate_name,
            "completion": num(self.score.capped),
            "weight": num(ind.weight),
            "score": num(self.score.score),
            "status": "not_due" if self.not_due else self.score.status,
            "excess": num(self.excess),
            "coverage_measure": ind.coverage_measure_code or None,
            "coverage": num(self.coverage),
            "band": ind.band or None,
            "manual_source": ind.manual_source or None,
            "problem": self.problem or None,
            "deviation_reason": ind.deviation_reason,
            "corrective_measure": ind.corrective_measure,
        }


@dataclass
class Evaluation:
    contract: Contract
    year: int
    start: dt.date
    end: dt.date
    as_of: dt.date  # figures count records up to this day (the period end for a past year)
    figures: Figures
    outcomes: list[Outcome]
    funds: FundsSummary
    generated_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def complete(self) -> bool:
        return self.as_of >= self.end

    @property
    def total(self) -> Decimal:
        return sum((o.score.score for o in self.outcomes), Decimal("0.00"))

    @property
    def max_total(self) -> Decimal:
        return sum((o.weight for o in self.outcomes), Decimal("0.00"))

    @property
    def normalised_total(self) -> Decimal:
        """The total on a 100-point scale (the weights should add up to 100; if not, scaled)."""
        if not self.max_total:
            return Decimal("0.00")
        if self.max_total == 100:
            return self.total
        return (self.total * HUNDRED / self.max_total).quantize(Decimal("0.01"))

    @cached_property
    def pro_rata(self) -> Any:
        """A year in progress against its plan to date (progress.ProRata)."""
        from jiaozheng.indicators.progress import contract_progress, pro_rata

        return pro_rata(self, contract_progress(self, with_squadrons=False))

    @cached_property
    def grade_bound(self) -> GradeBound | None:
        """The bound on the grade set by core indicators far short of their target (province rule)."""
        return grade_bound(self)

    @property
    def grade(self) -> str:
        grade = grade_for(self.normalised_total)
        bound = self.grade_bound
        if bound is not None and GRADE_RANK[grade] < GRADE_RANK[bound.grade]:
            return bound.grade
        return grade

    @property
    def grade_zh(self) -> str:
        """The grade of the year; a year still in progress has none yet (its total is a running score)."""
        if not self.complete:
            return NOT_DUE
        return GRADE_ZH[self.grade]

    @property
    def uncapped_names(self) -> list[str]:
        return [o.indicator.name for o in self.outcomes if o.uncapped]

    def capping_note(self) -> str:
        """The sentence every table of rates carries: which rows are capped at 100 % and which are not."""
        names = self.uncapped_names
        if not names:
            return "完成率超过100%的，按100%列示并注明超额完成量。"
        return (
            "完成率超过100%的，按100%列示并注明超额完成量；"
            f"{'、'.join(names)}按实际完成量÷合同约定量列示，不设上限。"
        )

    def outcome(self, code: str) -> Outcome | None:
        for outcome in self.outcomes:
            if outcome.indicator.code == code:
                return outcome
        return None

    def by_measure(self, measure_code: str) -> Outcome | None:
        for outcome in self.outcomes:
            if outcome.indicator.measure_code == measure_code:
                return outcome
        return None

    def as_dict(self) -> dict[str, Any]:
        contract = self.contract
        return {
            "contract": {
                "code": contract.code,
                "name": contract.name,
                "buyer": contract.buyer.bureau_name or contract.buyer.name,
                "provider": contract.provider.name,
                "counties": [c.name for c in contract.counties.all()],
                "period": {"start": contract.start_on.isoformat(), "end": contract.end_on.isoformat()},
                "signed_on": contract.signed_on.isoformat() if contract.signed_on else None,
            },
            "year": self.year,
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "as_of": self.as_of.isoformat(),
            "complete": self.complete,
            "indicators": [o.as_dict() for o in self.outcomes],
            "score": {
                "total": float(self.total),
                "max": float(self.max_total),
                "normalised": float(self.normalised_total),
                "grade": self.grade if self.complete else None,
                "grade_zh": self.grade_zh,
                "grade_bound": self.grade_bound.sentence if self.grade_bound else None,
            },
            "funds": self.funds.as_dict(),
            "measure_problems": dict(sorted(self.figures.problems.items())),
            "generated_at": self.generated_at.isoformat(),
        }


GRADE_RANK = {g: i for i, g in enumerate(Grade.values)}  # 优 0 … 差 3


@dataclass(frozen=True)
class GradeBound:
    grade: str  # the highest grade allowed
    floor_pct: Decimal
    outcomes: tuple[Outcome, ...]  # the core indicators below the floor
    source: str  # the document that sets the rule for the province or county ("" = platform default)

    @property
    def sentence(self) -> str:
        names = "、".join(f"“{o.indicator.name}”（{o.rate_text}）" for o in self.outcomes)
        basis = f"依据{self.source}" if self.source else "依据平台默认评价规则（省级评价办法未另行规定）"
        return (
            f"核心指标{names}完成率低于{format_number(self.floor_pct)}%，{basis}，"
            f"评价等级最高为{GRADE_ZH[self.grade]}。"
        )


def _rule_source(key: str, unit: Any) -> str:
    """The document behind the rule value in force for ``unit`` (county first, then province)."""
    from jiaozheng.core.models import RuleValue

    ids = [int(p) for p in (unit.path or "").strip("/").split("/") if p]
    candidates = [i for i in (unit.county_id, ids[0] if ids else None) if i is not None]
    for unit_id in candidates:
        row = RuleValue.objects.filter(key=key, unit_id=unit_id).values_list("source", flat=True).first()
        if row is not None:
            return row
    return ""


def grade_bound(ev: Evaluation) -> GradeBound | None:
    from jiaozheng.core.rules import rule

    unit = ev.contract.buyer
    floor = Decimal(str(rule("indicators.core_floor_pct", unit)))
    if floor <= 0:
        return None
    core = set(rule("indicators.core_measures", unit))
    short = tuple(
        o
        for o in ev.outcomes
        if o.indicator.measure_code in core
        and o.score.capped is not None
        and o.score.capped * HUNDRED < floor
    )
    if not short:
        return None
    source = _rule_source("indicators.core_floor_pct", unit) or _rule_source("indicators.core_measures", unit)
    return GradeBound(rule("indicators.core_floor_grade", unit), floor, short, source)


def indicators_for(contract: Contract, year: int) -> list[Indicator]:
    rows = list(Indicator.objects.filter(contract=contract, year=year))
    return sorted(rows, key=lambda i: (GROUP_ORDER.get(i.group, 99), i.sort_order, i.pk))


def outcome_for(indicator: Indicator, figures: Figures) -> Outcome:
    measure = figures.measure(indicator.measure_code) if indicator.measure_code else None
    problem = ""
    coverage = None
    if indicator.coverage_measure_code:
        coverage = figures.value(indicator.coverage_measure_code)
    if indicator.kind == IndicatorKind.QUALITATIVE:
        score = score_qualitative(
            band=indicator.band, percent=indicator.band_percent, weight=indicator.weight
        )
        if score.status == Status.NOT_ASSESSED:
            problem = "未评价"
        return Outcome(indicator, measure, None, score, problem, coverage)
    actual: Decimal | None
    if indicator.measure_code:
        actual = figures.value(indicator.measure_code)
        if actual is None:
            reason = figures.problems.get(indicator.measure_code, "")
            problem = (
                f"计量口径 {indicator.measure_code} 未安装"
                if reason == "not registered"
                else f"计算失败：{reason}"
            )
    else:
        actual = indicator.manual_actual
        if actual is None:
            problem = "未录入实际值"
    score = score_quantitative(
        actual=actual, target=indicator.target, weight=indicator.weight, direction=indicator.direction
    )
    return Outcome(indicator, measure, actual, score, problem, coverage)


def evaluate(contract: Contract, year: int, *, as_of: dt.date | None = None) -> Evaluation:
    """Every figure of the contract-year, computed from the records up to ``as_of`` (default: today)."""
    start, end = contract_year_period(contract, year)
    as_of = as_of or timezone.localdate()
    upto = min(end, as_of)
    figures = Figures(measure_context(contract, start, upto))
    outcomes = [outcome_for(indicator, figures) for indicator in indicators_for(contract, year)]
    if upto < end:
        for outcome in outcomes:
            # assessed and entered figures are given at the year end; until then they are not due
            outcome.not_due = outcome.score.status in (Status.NOT_ASSESSED, Status.NOT_MEASURED) and (
                outcome.qualitative or not outcome.indicator.measure_code
            )
    funds = funds_summary(contract, until=upto)
    return Evaluation(
        contract=contract,
        year=year,
        start=start,
        end=end,
        as_of=upto,
        figures=figures,
        outcomes=outcomes,
        funds=funds,
    )


def kpi_json(contract: Contract, year: int, *, as_of: dt.date | None = None) -> dict[str, Any]:
    return evaluate(contract, year, as_of=as_of).as_dict()


def rate_display_note(outcome: Outcome) -> str:
    """The sentence that explains a rate over 100 % (docs/performance-report.md)."""
    ind = outcome.indicator
    if outcome.excess is None:
        return ""
    if ind.rate_display == RateDisplay.CAPPED:
        return f"（实际完成{format_number(outcome.actual)}{ind.unit}，超额完成{format_number(outcome.excess)}{ind.unit}）"
    return (
        f"（{outcome.rate_name}按实际完成量÷合同约定量计算："
        f"{format_number(outcome.actual)}{ind.unit}÷{format_number(ind.target)}{ind.unit}）"
    )
