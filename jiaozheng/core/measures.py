"""Measures: figures computed live from the records, registered by the module that owns the records.

Each service module declares its measures in its own ``measures.py``:

    @measure("education.sessions_held", label=_("Education sessions held"), unit=_("sessions"),
             records=lambda ctx: Session.objects.filter(...))
    def sessions_held(ctx: MeasureContext) -> int:
        return held_sessions(ctx).count()

``ctx`` gives the counties and the period (both dates inclusive). ``compute`` returns a number;
``records`` (optional) returns an unscoped queryset of the records behind the figure, for drill-down
pages (the page applies the viewer's scope). Contract indicators bind to measures by code.

Conventions the indicator layer relies on:

- ``kind="count"``: additive over time; the cumulative value to a month's end is ``compute(ctx.with_end(...))``
  and the month's own value is the difference of two cumulative values.
- ``kind="distinct"``: persons counted once over the whole period (cumulative distinct).
- ``kind="rate"``: a fraction between 0 and 1 (0.98 means 98 %), never a percentage.
- ``records`` returns rows of a model with a ``scope_rule``: its ``squadron`` path splits a figure by
  squadron (progress suggestions) and its domain decides who may open the drill-down.
- ``ctx.contract_id`` is set when the figure is computed for one contract (fund measures use it);
  service measures ignore it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Number = int | float | Decimal


@dataclass(frozen=True)
class MeasureContext:
    county_ids: tuple[int, ...]
    start: dt.date
    end: dt.date  # inclusive
    contract_id: int | None = None  # the contract the figure is computed for, when there is one

    def with_end(self, end: dt.date) -> MeasureContext:
        return MeasureContext(self.county_ids, self.start, end, self.contract_id)

    def with_start(self, start: dt.date) -> MeasureContext:
        return MeasureContext(self.county_ids, start, self.end, self.contract_id)


@dataclass(frozen=True)
class Measure:
    code: str
    label: Any
    unit: Any
    compute: Callable[[MeasureContext], Number]
    records: Callable[[MeasureContext], Any] | None = None
    kind: str = "count"  # "count" (additive over time) | "distinct" (persons) | "rate" (a fraction)
    description: Any = ""


_MEASURES: dict[str, Measure] = {}


def measure(
    code: str,
    *,
    label: Any,
    unit: Any,
    kind: str = "count",
    description: Any = "",
    records: Callable[[MeasureContext], Any] | None = None,
) -> Callable:
    def decorator(func: Callable[[MeasureContext], Number]) -> Callable[[MeasureContext], Number]:
        if code in _MEASURES and _MEASURES[code].compute is not func:
            raise ValueError(f"measure {code!r} is registered twice")
        _MEASURES[code] = Measure(
            code=code,
            label=label,
            unit=unit,
            compute=func,
            records=records,
            kind=kind,
            description=description or func.__doc__ or "",
        )
        return func

    return decorator


def _discover() -> None:
    from jiaozheng.core.registry import app_modules

    for _cfg, _module in app_modules("measures"):
        pass


def all_measures() -> dict[str, Measure]:
    _discover()
    return dict(sorted(_MEASURES.items()))


def get_measure(code: str) -> Measure:
    _discover()
    return _MEASURES[code]
