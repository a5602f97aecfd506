"""Progress of a contract-year: month-by-month cumulative actuals against the planned curve, a forecast of
the year end, warnings, and concrete suggestions per squadron.

- Planned curve: the indicator's ``PlanMonth`` rows (planned quantity per month) when it has them,
  otherwise linear in days over the contract-year (target × elapsed days ÷ days of the period).
- Forecast: the figure to date plus the recent pace (records of the last ``indicators.pace_window_days``
  days, or since the start if fewer have passed) times the days left.
- Behind: the figure to date lags the planned figure by more than ``indicators.behind_tolerance_pct`` %.
  At risk: the forecast misses the target.
- Suggestions: the figure is split by squadron with the ``squadron`` path of the measure's records; each
  squadron's share of the plan follows its share of the persons in correction; a squadron short of its
  share is asked to schedule the difference before the end of this month (or of the next month if fewer
  than ``indicators.min_days_to_act`` days remain).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import logging
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from jiaozheng.core.measures import Measure, MeasureContext
from jiaozheng.core.rules import rule
from jiaozheng.indicators.choices import Direction, IndicatorKind
from jiaozheng.indicators.evaluation import Evaluation, Outcome
from jiaozheng.indicators.models import PlanMonth
from jiaozheng.indicators.scoring import format_number

ZERO = Decimal(0)
log = logging.getLogger(__name__)
STATUS_LABELS = {
    "done": gettext_lazy("Target reached"),
    "on_track": gettext_lazy("On track"),
    "behind": gettext_lazy("Behind plan"),
    "at_risk": gettext_lazy("At risk"),
    "short": gettext_lazy("Target missed"),
    "not_measured": gettext_lazy("No figure"),
}


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months_between(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of each calendar month touching [start, end], clipped to it."""
    out = []
    first = start
    while first <= end:
        last = min(month_end(first), end)
        out.append((first, last))
        first = last + dt.timedelta(days=1)
    return out


def human_date(day: dt.date) -> str:
    if (get_language() or "").startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


@dataclass
class MonthPoint:
    first: dt.date
    last: dt.date
    planned_cum: Decimal
    actual_cum: Decimal | None = None  # None for months not yet reached
    forecast_cum: Decimal | None = None

    @property
    def label(self) -> str:
        return (
            f"{self.first.month}月"
            if (get_language() or "").startswith("zh")
            else self.first.strftime("%Y-%m")
        )

    @property
    def key(self) -> str:
        return self.first.strftime("%Y-%m")


@dataclass
class SquadronRow:
    squadron: Any
    share: Decimal
    month_done: int
    cum_done: int
    expected: Decimal  # the squadron's share of the plan by the act-by date
    need: int  # to schedule before the act-by date


@dataclass
class Suggestion:
    text: str
    squadron: Any = None
    quantity: int = 0
    by: dt.date | None = None


@dataclass
class IndicatorProgress:
    outcome: Outcome
    points: list[MonthPoint]
    actual: Decimal | None
    planned: Decimal
    forecast: Decimal | None
    needed_per_month: Decimal | None
    months_left: int
    status: str  # done, on_track, behind, at_risk, short, not_measured
    warnings: list[str] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    squadrons: list[SquadronRow] = field(default_factory=list)
    act_by: dt.date | None = None
    month_done: Decimal | None = None
    late_months: list[MonthPoint] = field(default_factory=list)  # closed months behind the plan

    @property
    def indicator(self) -> Any:
        return self.outcome.indicator

    @property
    def gap(self) -> Decimal:
        return max(ZERO, self.planned - (self.actual or ZERO))

    @property
    def level(self) -> str:
        return {
            "done": "ok",
            "on_track": "ok",
            "behind": "warning",
            "at_risk": "danger",
            "short": "danger",
            "not_measured": "muted",
        }.get(self.status, "muted")

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def chart_json(self) -> str:
        return json.dumps(self.chart(), ensure_ascii=False)

    def chart(self) -> dict[str, Any]:
        return {
            "code": self.indicator.code,
            "name": self.indicator.name,
            "unit": self.indicator.unit,
            "target": float(self.indicator.target or 0),
            "labels": [p.label for p in self.points],
            "actual": [None if p.actual_cum is None else float(p.actual_cum) for p in self.points],
            "planned": [float(p.planned_cum) for p in self.points],
            "forecast": [None if p.forecast_cum is None else float(p.forecast_cum) for p in self.points],
        }

    def as_dict(self) -> dict[str, Any]:
        def num(v: Decimal | None) -> float | None:
            return None if v is None else float(v)

        return {
            "code": self.indicator.code,
            "name": self.indicator.name,
            "status": self.status,
            "actual": num(self.actual),
            "planned": num(self.planned),
            "forecast": num(self.forecast),
            "target": num(self.indicator.target),
            "needed_per_month": num(self.needed_per_month),
            "months_left": self.months_left,
            "warnings": self.warnings,
            "suggestions": [
                {
                    "text": s.text,
                    "squadron": getattr(s.squadron, "name", None),
                    "quantity": s.quantity,
                    "by": s.by.isoformat() if s.by else None,
                }
                for s in self.suggestions
            ],
            "months": [
                {
                    "month": p.key,
                    "planned": num(p.planned_cum),
                    "actual": num(p.actual_cum),
                    "forecast": num(p.forecast_cum),
                }
                for p in self.points
            ],
        }


class Plan:
    """The planned cumulative figure of one indicator at any day of the contract-year."""

    def __init__(self, target: Decimal, start: dt.date, end: dt.date, monthly: dict[int, Decimal]):
        self.target = target
        self.start = start
        self.end = end
        self.monthly = monthly

    @property
    def linear(self) -> bool:
        return not self.monthly

    def at(self, day: dt.date) -> Decimal:
        if day < self.start:
            return ZERO
        day = min(day, self.end)
        if self.linear:
            total = (self.end - self.start).days + 1
            return self.target * Decimal((day - self.start).days + 1) / Decimal(total)
        done = ZERO
        for first, last in months_between(self.start, self.end):
            planned = self.monthly.get(first.month, ZERO)
            if last <= day:
                done += planned
            elif first <= day:
                days = (last - first).days + 1
                done += planned * Decimal((day - first).days + 1) / Decimal(days)
                break
            else:
                break
        return done


def plan_for(outcome: Outcome, start: dt.date, end: dt.date, rows: dict[int, dict[int, Decimal]]) -> Plan:
    return Plan(outcome.target or ZERO, start, end, rows.get(outcome.indicator.pk, {}))


def _plan_rows(evaluation: Evaluation) -> dict[int, dict[int, Decimal]]:
    ids = [o.indicator.pk for o in evaluation.outcomes]
    rows: dict[int, dict[int, Decimal]] = {}
    for indicator_id, month, planned in PlanMonth.objects.filter(indicator_id__in=ids).values_list(
        "indicator_id", "month", "planned"
    ):
        rows.setdefault(indicator_id, {})[month] = planned
    return rows


def tracked(outcome: Outcome) -> bool:
    """Indicators whose figure accumulates over the year (counts of records or of persons)."""
    ind = outcome.indicator
    return (
        ind.kind == IndicatorKind.QUANTITATIVE
        and outcome.measure is not None
        and outcome.measure.kind in ("count", "distinct")
        and ind.direction == Direction.HIGHER
        and bool(ind.target)
    )


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


# --- squadron breakdown -----------------------------------------------------------------------------------


def squadron_counts(measure: Measure, ctx: MeasureContext) -> dict[int, int] | None:
    """The measure's records split by squadron, or None if its records carry no squadron."""
    if measure.records is None:
        return None
    try:
        qs = measure.records(ctx)
    except Exception:  # a broken records function only loses the breakdown
        return None
    model = getattr(qs, "model", None)
    rule_ = getattr(model, "scope_rule", None)
    if model is None or rule_ is None or not rule_.squadron:
        return None
    base = model._default_manager.filter(pk__in=qs.values("pk"))
    counted = rule_.person if (measure.kind == "distinct" and rule_.person) else "pk"
    rows = base.order_by().values(rule_.squadron).annotate(n=Count(counted, distinct=True))
    try:
        with transaction.atomic():  # a failing query must not poison the caller's transaction
            return {row[rule_.squadron]: row["n"] for row in rows if row[rule_.squadron] is not None}
    except Exception:  # the breakdown is an aid: without it the suggestion is county-wide
        log.exception("squadron breakdown of %s failed", measure.code)
        return None


def squadron_shares(county_ids: tuple[int, ...], first: dt.date, last: dt.date) -> dict[Any, Decimal]:
    """Each squadron's share of the persons in correction between two days (the plan's split)."""
    from jiaozheng.indicators.measures import served
    from jiaozheng.orgs.models import OrgUnit

    squadrons = list(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.SQUADRON, county_id__in=county_ids, active=True).order_by(
            "county_id", "sort_order", "name"
        )
    )
    counts = dict(
        served(MeasureContext(county_ids, first, last))
        .order_by()
        .values_list("squadron_id")
        .annotate(n=Count("id"))
        .values_list("squadron_id", "n")
    )
    total = sum(counts.values())
    if not squadrons:
        return {}
    if not total:
        even = Decimal(1) / Decimal(len(squadrons))
        return dict.fromkeys(squadrons, even)
    return {s: Decimal(counts.get(s.pk, 0)) / Decimal(total) for s in squadrons}


# --- the computation ---------------------------------------------------------------------------------------


def act_by_date(as_of: dt.date, end: dt.date) -> dt.date:
    """This month's end if enough days remain to act, else next month's; never after the period end."""
    this_end = month_end(as_of)
    if (this_end - as_of).days >= rule("indicators.min_days_to_act"):
        return min(this_end, end)
    return min(month_end(this_end + dt.timedelta(days=1)), end)


def contract_progress(
    evaluation: Evaluation, *, with_squadrons: bool = True, as_of: dt.date | None = None
) -> list[IndicatorProgress]:
    """Progress of every accumulating indicator of the evaluated contract-year."""
    as_of = min(as_of or evaluation.as_of, evaluation.end)
    start, end = evaluation.start, evaluation.end
    rows = _plan_rows(evaluation)
    ctx = evaluation.figures.ctx
    months = months_between(start, end)
    month_first = as_of.replace(day=1) if as_of >= start else start
    shares: dict[Any, Decimal] = {}
    if with_squadrons and as_of >= start:
        shares = squadron_shares(ctx.county_ids, max(month_first, start), as_of)
    out = []
    for outcome in evaluation.outcomes:
        if not tracked(outcome):
            continue
        out.append(
            _progress_one(evaluation, outcome, plan_for(outcome, start, end, rows), months, as_of, shares)
        )
    return out


def _progress_one(
    evaluation: Evaluation,
    outcome: Outcome,
    plan: Plan,
    months: list[tuple[dt.date, dt.date]],
    as_of: dt.date,
    shares: dict[Any, Decimal],
) -> IndicatorProgress:
    figures = evaluation.figures
    code = outcome.indicator.measure_code
    base = figures.ctx
    start, end = evaluation.start, evaluation.end
    target = outcome.target or ZERO
    points = []
    for first, last in months:
        point = MonthPoint(first, last, plan.at(last))
        if last <= as_of:
            point.actual_cum = figures.value(code, base.with_end(last))
        elif first <= as_of:
            point.actual_cum = figures.value(code, base.with_end(as_of))
        points.append(point)
    started = as_of >= start
    actual = figures.value(code, base.with_end(as_of)) if started else ZERO
    planned = plan.at(as_of) if started else ZERO
    complete = as_of >= end
    elapsed = (as_of - start).days + 1 if started else 0
    remaining = (end - as_of).days if started else (end - start).days + 1
    forecast: Decimal | None = None
    if actual is not None:
        if complete:
            forecast = actual
        elif elapsed > 0:
            window = rule("indicators.pace_window_days")
            if elapsed > window:
                earlier = figures.value(code, base.with_end(as_of - dt.timedelta(days=window)))
                pace = ((actual - earlier) / Decimal(window)) if earlier is not None else actual / elapsed
            else:
                pace = actual / Decimal(elapsed)
            forecast = _round(actual + pace * Decimal(remaining))
        else:
            forecast = ZERO
    # the forecast line continues the actual line from the current month to the year end
    if forecast is not None and not complete:
        total_remaining = Decimal(max(1, remaining))
        for point in points:
            if point.last < as_of:
                continue
            days_ahead = Decimal(max(0, (point.last - as_of).days))
            point.forecast_cum = _round(
                (actual or ZERO) + (forecast - (actual or ZERO)) * days_ahead / total_remaining
            )
    months_left = sum(1 for first, last in months if last > as_of) if not complete else 0
    if as_of < month_end(as_of) and not complete:
        months_left = max(months_left, 1)
    needed = None
    if actual is not None and not complete and actual < target:
        needed = Decimal(math.ceil((target - actual) / Decimal(max(1, months_left))))
    month_done = None
    if actual is not None and started:
        before = as_of.replace(day=1) - dt.timedelta(days=1)
        earlier = figures.value(code, base.with_end(before)) if before >= start else ZERO
        month_done = actual - (earlier or ZERO)
    status = _status(actual, planned, forecast, target, complete)
    late = [
        p
        for p in points
        if p.last <= as_of and p.actual_cum is not None and _behind(p.actual_cum, p.planned_cum)
    ]
    progress = IndicatorProgress(
        outcome=outcome,
        points=points,
        actual=actual,
        planned=planned,
        forecast=forecast,
        needed_per_month=needed,
        months_left=months_left,
        status=status,
        month_done=month_done,
        late_months=late,
    )
    _explain(progress, evaluation, plan, as_of, shares)
    return progress


def _behind(actual: Decimal, planned: Decimal) -> bool:
    """The cumulative figure lags the plan by more than the tolerance (``indicators.behind_tolerance_pct``)."""
    tolerance = Decimal(str(rule("indicators.behind_tolerance_pct"))) / Decimal(100)
    return planned - actual >= 1 and (planned - actual) > planned * tolerance


def _status(
    actual: Decimal | None, planned: Decimal, forecast: Decimal | None, target: Decimal, complete: bool
) -> str:
    if actual is None:
        return "not_measured"
    if actual >= target:
        return "done"
    if complete:
        return "short"
    if forecast is not None and forecast < target:
        return "at_risk"
    if _behind(actual, planned):
        return "behind"
    return "on_track"


def _explain(
    progress: IndicatorProgress,
    evaluation: Evaluation,
    plan: Plan,
    as_of: dt.date,
    shares: dict[Any, Decimal],
) -> None:
    ind = progress.indicator
    unit = ind.unit
    name = ind.name
    actual = progress.actual
    if progress.status == "not_measured":
        progress.warnings.append(
            _("%(name)s: no figure (%(problem)s).") % {"name": name, "problem": progress.outcome.problem}
        )
        return
    assert actual is not None
    gap = _round(progress.planned - actual)
    if progress.status == "short":
        progress.warnings.append(
            _("%(name)s ended the year at %(actual)s of %(target)s %(unit)s.")
            % {
                "name": name,
                "actual": format_number(actual),
                "target": format_number(ind.target),
                "unit": unit,
            }
        )
        return
    if progress.status in ("behind", "at_risk") and gap >= 1:
        progress.warnings.append(
            _("%(name)s is %(gap)s %(unit)s behind plan (%(actual)s done, %(planned)s planned by %(date)s).")
            % {
                "name": name,
                "gap": format_number(gap),
                "unit": unit,
                "actual": format_number(actual),
                "planned": format_number(_round(progress.planned)),
                "date": human_date(as_of),
            }
        )
    if progress.status == "at_risk" and progress.forecast is not None:
        progress.warnings.append(
            _(
                "At the current pace %(name)s will reach about %(forecast)s of %(target)s %(unit)s by the "
                "year end; %(needed)s %(unit)s a month are needed from now on."
            )
            % {
                "name": name,
                "forecast": format_number(progress.forecast),
                "target": format_number(ind.target),
                "unit": unit,
                "needed": format_number(progress.needed_per_month),
            }
        )
    if progress.status not in ("behind", "at_risk"):
        return
    act_by = act_by_date(as_of, evaluation.end)
    progress.act_by = act_by
    planned_by = plan.at(act_by)
    # what the plan needs by the act-by date; an at-risk indicator also needs the pace to the year end
    wanted_total = max(planned_by, actual + (progress.needed_per_month or ZERO))
    measure = progress.outcome.measure
    counts_cum = counts_month = None
    if measure is not None and shares:
        ctx = evaluation.figures.ctx.with_end(as_of)
        counts_cum = squadron_counts(measure, ctx)
        if counts_cum is not None:
            counts_month = squadron_counts(
                measure, ctx.with_start(max(as_of.replace(day=1), evaluation.start))
            )
    if counts_cum is None:
        need = int(math.ceil(wanted_total - actual))
        if need > 0:
            progress.suggestions.append(
                Suggestion(
                    _("Schedule %(need)s more %(unit)s of %(name)s before %(date)s.")
                    % {"need": need, "unit": unit, "name": name, "date": human_date(act_by)},
                    quantity=need,
                    by=act_by,
                )
            )
        return
    rows = []
    for squadron, share in shares.items():
        cum = counts_cum.get(squadron.pk, 0)
        done = (counts_month or {}).get(squadron.pk, 0)
        expected = wanted_total * share
        need = int(math.ceil(expected - cum - Decimal("0.0001")))
        rows.append(SquadronRow(squadron, share, done, cum, expected, max(0, need)))
    progress.squadrons = rows
    for row in sorted(rows, key=lambda r: (-r.need, r.squadron.sort_order))[:3]:
        if row.need <= 0:
            continue
        progress.suggestions.append(
            Suggestion(
                _(
                    "%(name)s: %(squadron)s did %(done)s %(unit)s this month; schedule %(need)s more "
                    "before %(date)s."
                )
                % {
                    "name": name,
                    "squadron": row.squadron.name,
                    "done": row.month_done,
                    "unit": unit,
                    "need": row.need,
                    "date": human_date(act_by),
                },
                squadron=row.squadron,
                quantity=row.need,
                by=act_by,
            )
        )


@dataclass
class ProRata:
    """A year in progress against its plan to date: each accumulating indicator's figure ÷ its planned
    figure by now (capped at 1) × weight, each rate or reverse indicator as scored to date; indicators with
    nothing planned yet, or whose figure is given at the year end, are not due and left out."""

    as_of: dt.date
    points: Decimal
    max_points: Decimal
    due: int
    not_due: list[Outcome]

    @property
    def percent(self) -> Decimal | None:
        if not self.max_points:
            return None
        return (self.points * 100 / self.max_points).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def pro_rata(evaluation: Evaluation, progress: list[IndicatorProgress]) -> ProRata:
    by_code = {p.indicator.code: p for p in progress}
    points = max_points = ZERO
    due = 0
    not_due: list[Outcome] = []
    for outcome in evaluation.outcomes:
        weight = outcome.weight
        p = by_code.get(outcome.indicator.code)
        if p is not None:
            if p.actual is None:  # the figure could not be computed: due, and scored 0
                max_points += weight
                due += 1
                continue
            if p.planned <= 0:
                not_due.append(outcome)
                continue
            share = min(p.actual / p.planned, Decimal(1))
            points += share * weight
        elif outcome.not_due or outcome.score.capped is None:
            not_due.append(outcome)
            continue
        else:
            points += outcome.score.score
        max_points += weight
        due += 1
    return ProRata(evaluation.as_of, points, max_points, due, not_due)


def warnings_count(progress: list[IndicatorProgress]) -> int:
    return sum(1 for p in progress if p.level in ("warning", "danger"))


def today() -> dt.date:
    return timezone.localdate()


def date_label(day: dt.date) -> str:
    return formats.date_format(day, "Y-m-d")
