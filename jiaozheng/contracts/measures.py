"""Fund measures: what was spent and received, and the execution rates, computed from the fund records.

With ``ctx.contract_id`` (an indicator of one contract) the figures are that contract's, counted from the
start of its records up to ``ctx.end`` (a contract's money is not split by calendar year). Without it,
they cover every contract serving the counties and only records dated within the period.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from jiaozheng.contracts.models import Contract, Expenditure, Payment
from jiaozheng.core.measures import MeasureContext, measure


def _contracts(ctx: MeasureContext) -> QuerySet[Contract]:
    if ctx.contract_id is not None:
        return Contract.objects.filter(pk=ctx.contract_id)
    serving = Contract.objects.filter(
        counties__in=ctx.county_ids, start_on__lte=ctx.end, end_on__gte=ctx.start
    ).values("pk")
    return Contract.objects.filter(pk__in=serving)


def expenditures(ctx: MeasureContext) -> QuerySet[Expenditure]:
    qs = Expenditure.objects.filter(contract__in=_contracts(ctx).values("pk"), spent_on__lte=ctx.end)
    if ctx.contract_id is None:
        qs = qs.filter(spent_on__gte=ctx.start)
    return qs


def payments(ctx: MeasureContext) -> QuerySet[Payment]:
    qs = Payment.objects.filter(contract__in=_contracts(ctx).values("pk"), paid_on__lte=ctx.end)
    if ctx.contract_id is None:
        qs = qs.filter(paid_on__gte=ctx.start)
    return qs


def _sum(qs: QuerySet, field: str = "amount") -> Decimal:
    return qs.aggregate(total=Sum(field))["total"] or Decimal("0")


@measure(
    "contracts.spent",
    label=_("Money spent"),
    unit=_("yuan"),
    description=_("Sum of the contract's expenditures up to the end of the period"),
    records=expenditures,
)
def spent(ctx: MeasureContext) -> Decimal:
    return _sum(expenditures(ctx))


@measure(
    "contracts.paid",
    label=_("Payments received"),
    unit=_("yuan"),
    description=_("Sum of the payments received from the buyer up to the end of the period"),
    records=payments,
)
def paid(ctx: MeasureContext) -> Decimal:
    return _sum(payments(ctx))


@measure(
    "contracts.budget_execution_rate",
    label=_("Budget execution rate"),
    unit="%",
    kind="rate",
    description=_("预算执行率: money spent ÷ the budget (财政预算)"),
    records=expenditures,
)
def budget_execution_rate(ctx: MeasureContext) -> Decimal:
    budget = _sum(_contracts(ctx), "budget_amount")
    return (spent(ctx) / budget) if budget else Decimal("0")


@measure(
    "contracts.price_execution_rate",
    label=_("Spending against the contract price"),
    unit="%",
    kind="rate",
    description=_("Money spent ÷ the contract price (中标价)"),
    records=expenditures,
)
def price_execution_rate(ctx: MeasureContext) -> Decimal:
    price = _sum(_contracts(ctx), "contract_amount")
    return (spent(ctx) / price) if price else Decimal("0")


@measure(
    "contracts.paid_rate",
    label=_("Funds received rate"),
    unit="%",
    kind="rate",
    description=_("资金到位率: payments received ÷ the contract price"),
    records=payments,
)
def paid_rate(ctx: MeasureContext) -> Decimal:
    price = _sum(_contracts(ctx), "contract_amount")
    return (paid(ctx) / price) if price else Decimal("0")
