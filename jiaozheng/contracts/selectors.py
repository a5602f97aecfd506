"""Reads for contracts and funds. Every selector starts from the actor's scope.

``funds_summary`` is the one place where the fund figures are computed (budget lines with what was spent
on them, payments, execution rates) together with the earmarking checks (专款专用): the contract pages,
the KPI JSON and the annual report all read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from jiaozheng.contracts.choices import AdjustmentStatus
from jiaozheng.contracts.models import Adjustment, Contract, Expenditure, FundLine, Payment, Voucher
from jiaozheng.core.params import id_param, month_param
from jiaozheng.core.roles import VIEW, Domain
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, scoped

ZERO = Decimal("0.00")


def contract_list(*, actor: Any, domain: str = Domain.PERFORMANCE, q: str = "") -> QuerySet[Contract]:
    qs = scoped(Contract, actor, VIEW, domain).select_related("buyer", "provider")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs.order_by("-start_on", "code")


def contract_get(*, actor: Any, pk: Any, action: str = VIEW, domain: str = Domain.PERFORMANCE) -> Contract:
    return get_scoped_or_404(
        Contract.objects.select_related("buyer", "provider"), actor, action, domain, pk=pk
    )


def contract_by_code(*, actor: Any, code: str, domain: str = Domain.PERFORMANCE) -> Contract:
    return get_scoped_or_404(
        Contract.objects.select_related("buyer", "provider"), actor, VIEW, domain, code=code
    )


@dataclass
class Check:
    """One earmarking check result: ``level`` is "danger" (a breach), "warning" (to look at) or "ok"."""

    code: str
    level: str
    message: str
    count: int = 0
    amount: Decimal = ZERO
    filter: str = ""  # query string of the expenditure list showing the rows concerned

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "level": self.level,
            "message": self.message,
            "count": self.count,
            "amount": float(self.amount),
        }


@dataclass
class LineSummary:
    line: FundLine
    spent: Decimal
    count: int
    unvouchered: int

    @property
    def budget(self) -> Decimal:
        return self.line.amount

    @property
    def balance(self) -> Decimal:
        return self.budget - self.spent

    @property
    def rate(self) -> Decimal | None:
        return (self.spent / self.budget) if self.budget else None

    @property
    def overspent(self) -> bool:
        return self.spent > self.budget


@dataclass
class FundsSummary:
    contract: Contract
    until: dt.date | None
    lines: list[LineSummary]
    paid: Decimal
    payments: int
    spent: Decimal
    unmapped: Decimal
    unmapped_count: int
    expenditures: int
    checks: list[Check] = field(default_factory=list)

    @property
    def budget(self) -> Decimal:
        return self.contract.budget_amount

    @property
    def price(self) -> Decimal:
        return self.contract.contract_amount

    @property
    def lines_total(self) -> Decimal:
        return sum((s.budget for s in self.lines), ZERO)

    @property
    def lines_spent(self) -> Decimal:
        return sum((s.spent for s in self.lines), ZERO)

    @property
    def execution_rate(self) -> Decimal | None:
        """预算执行率: spent ÷ budget (财政预算)."""
        return (self.spent / self.budget) if self.budget else None

    @property
    def price_execution_rate(self) -> Decimal | None:
        """Spent ÷ contract price (中标价)."""
        return (self.spent / self.price) if self.price else None

    @property
    def paid_rate(self) -> Decimal | None:
        """资金到位率: paid ÷ contract price."""
        return (self.paid / self.price) if self.price else None

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if c.level != "ok"]

    def as_dict(self) -> dict[str, Any]:
        def num(value: Decimal | None) -> float | None:
            return None if value is None else float(value)

        return {
            "budget": num(self.budget),
            "contract_price": num(self.price),
            "paid": num(self.paid),
            "spent": num(self.spent),
            "unmapped": num(self.unmapped),
            "budget_execution_rate": num(self.execution_rate),
            "price_execution_rate": num(self.price_execution_rate),
            "paid_rate": num(self.paid_rate),
            "lines": [
                {
                    "category": s.line.category,
                    "name": s.line.name,
                    "budget": num(s.budget),
                    "spent": num(s.spent),
                    "balance": num(s.balance),
                    "execution_rate": num(s.rate),
                    "expenditures": s.count,
                    "overspent": s.overspent,
                }
                for s in self.lines
            ],
            "totals": {
                "lines_budget": num(self.lines_total),
                "lines_spent": num(self.lines_spent),
                "spent": num(self.spent),
                "paid": num(self.paid),
            },
            "checks": [c.as_dict() for c in self.checks],
        }


def funds_summary(contract: Contract, *, until: dt.date | None = None) -> FundsSummary:
    """The contract's fund figures (up to ``until`` inclusive, if given) and its earmarking checks.

    Computed for a contract the caller has already fetched within the actor's scope.
    """
    expenditures = Expenditure.objects.filter(contract=contract)
    payments = Payment.objects.filter(contract=contract)
    if until is not None:
        expenditures = expenditures.filter(spent_on__lte=until)
        payments = payments.filter(paid_on__lte=until)
    has_voucher = Exists(Voucher.objects.filter(expenditure=OuterRef("pk")))
    per_line = {
        row["line_id"]: row
        for row in expenditures.annotate(v=has_voucher)
        .values("line_id")
        .annotate(total=Sum("amount"), n=Count("id"), no_voucher=Count("id", filter=Q(v=False)))
    }
    lines = []
    for line in FundLine.objects.filter(contract=contract).order_by("sort_order", "id"):
        row = per_line.get(line.pk, {})
        lines.append(
            LineSummary(
                line=line,
                spent=row.get("total") or ZERO,
                count=row.get("n", 0),
                unvouchered=row.get("no_voucher", 0),
            )
        )
    unmapped_row = per_line.get(None, {})
    paid_row = payments.aggregate(total=Sum("amount"), n=Count("id"))
    spent = sum((row["total"] or ZERO for row in per_line.values()), ZERO)
    summary = FundsSummary(
        contract=contract,
        until=until,
        lines=lines,
        paid=paid_row["total"] or ZERO,
        payments=paid_row["n"],
        spent=spent,
        unmapped=unmapped_row.get("total") or ZERO,
        unmapped_count=unmapped_row.get("n", 0),
        expenditures=sum(row["n"] for row in per_line.values()),
    )
    summary.checks = earmark_checks(summary, expenditures)
    return summary


def earmark_checks(summary: FundsSummary, expenditures: QuerySet[Expenditure]) -> list[Check]:
    """专款专用: every expenditure mapped to a line, no line overspent, no spending beyond the price,
    a voucher behind every expenditure, dates within the service period (plus the settlement grace)."""
    contract = summary.contract
    checks: list[Check] = []
    if summary.unmapped_count:
        checks.append(
            Check(
                "unmapped",
                "danger",
                _("%(n)s expenditures (¥%(amount)s) are not mapped to a budget line.")
                % {"n": summary.unmapped_count, "amount": f"{summary.unmapped:,.2f}"},
                summary.unmapped_count,
                summary.unmapped,
                "line=none",
            )
        )
    for line_summary in summary.lines:
        if line_summary.overspent:
            over = line_summary.spent - line_summary.budget
            checks.append(
                Check(
                    "overspent",
                    "danger",
                    _("Line %(line)s is overspent by ¥%(amount)s (spent ¥%(spent)s of ¥%(budget)s).")
                    % {
                        "line": line_summary.line.name,
                        "amount": f"{over:,.2f}",
                        "spent": f"{line_summary.spent:,.2f}",
                        "budget": f"{line_summary.budget:,.2f}",
                    },
                    line_summary.count,
                    over,
                    f"line={line_summary.line.pk}",
                )
            )
    if summary.price and summary.spent > summary.price:
        checks.append(
            Check(
                "over_price",
                "danger",
                _("Spending (¥%(spent)s) exceeds the contract price (¥%(price)s).")
                % {"spent": f"{summary.spent:,.2f}", "price": f"{summary.price:,.2f}"},
                amount=summary.spent - summary.price,
            )
        )
    if summary.price and summary.paid > summary.price:
        checks.append(
            Check(
                "over_paid",
                "danger",
                _("Payments received (¥%(paid)s) exceed the contract price (¥%(price)s).")
                % {"paid": f"{summary.paid:,.2f}", "price": f"{summary.price:,.2f}"},
                amount=summary.paid - summary.price,
            )
        )
    if summary.lines and summary.price and summary.lines_total != summary.price:
        checks.append(
            Check(
                "lines_total",
                "warning",
                _("The budget lines add up to ¥%(total)s, the contract price is ¥%(price)s.")
                % {"total": f"{summary.lines_total:,.2f}", "price": f"{summary.price:,.2f}"},
                amount=abs(summary.lines_total - summary.price),
            )
        )
    if not summary.lines:
        checks.append(Check("no_lines", "warning", _("The contract has no budget lines yet.")))
    unvouchered = sum(s.unvouchered for s in summary.lines)
    unvouchered_unmapped = (
        expenditures.filter(line__isnull=True)
        .exclude(Exists(Voucher.objects.filter(expenditure=OuterRef("pk"))))
        .count()
        if summary.unmapped_count
        else 0
    )
    if unvouchered + unvouchered_unmapped:
        checks.append(
            Check(
                "no_voucher",
                "warning",
                _("%(n)s expenditures have no voucher attached.") % {"n": unvouchered + unvouchered_unmapped},
                unvouchered + unvouchered_unmapped,
                filter="voucher=none",
            )
        )
    grace = dt.timedelta(days=rule("contracts.settlement_grace_days", contract.buyer))
    outside = expenditures.filter(Q(spent_on__lt=contract.start_on) | Q(spent_on__gt=contract.end_on + grace))
    outside_row = outside.aggregate(n=Count("id"), total=Sum("amount"))
    if outside_row["n"]:
        checks.append(
            Check(
                "outside_period",
                "warning",
                _("%(n)s expenditures are dated outside the service period (and its settlement time).")
                % {"n": outside_row["n"]},
                outside_row["n"],
                outside_row["total"] or ZERO,
                "period=outside",
            )
        )
    if not [c for c in checks if c.level != "ok"]:
        checks.append(
            Check(
                "ok",
                "ok",
                _(
                    "All %(n)s expenditures are mapped to a budget line and backed by vouchers; "
                    "no line is overspent."
                )
                % {"n": summary.expenditures},
                summary.expenditures,
            )
        )
    return checks


# --- lists -----------------------------------------------------------------------------------------


def expenditure_list(*, actor: Any, contract: Contract, filters: dict[str, str] | None = None) -> QuerySet:
    filters = filters or {}
    qs = scoped(Expenditure, actor).filter(contract=contract).select_related("line")
    line = filters.get("line") or ""
    if line == "none":
        qs = qs.filter(line__isnull=True)
    elif id_param(line) is not None:
        qs = qs.filter(line_id=id_param(line))
    if filters.get("voucher") == "none":
        qs = qs.exclude(Exists(Voucher.objects.filter(expenditure=OuterRef("pk"))))
    if filters.get("period") == "outside":
        grace = dt.timedelta(days=rule("contracts.settlement_grace_days", contract.buyer))
        qs = qs.filter(Q(spent_on__lt=contract.start_on) | Q(spent_on__gt=contract.end_on + grace))
    month = filters.get("month") or ""
    first = month_param(month) if len(month) == 7 else None
    if first is not None:
        qs = qs.filter(spent_on__year=first.year, spent_on__month=first.month)
    return qs.annotate(vouchers_n=Count("vouchers")).order_by("-spent_on", "-id")


def payment_list(*, actor: Any, contract: Contract) -> QuerySet[Payment]:
    return scoped(Payment, actor).filter(contract=contract).order_by("-paid_on", "-id")


def adjustment_list(*, actor: Any, contract: Contract) -> QuerySet[Adjustment]:
    return (
        scoped(Adjustment, actor)
        .filter(contract=contract)
        .prefetch_related("decisions__decided_by")
        .select_related("requested_by")
    )


def approved_adjustments(contract: Contract) -> list[Adjustment]:
    return list(
        Adjustment.objects.filter(contract=contract, status=AdjustmentStatus.APPROVED)
        .prefetch_related("decisions")
        .order_by("requested_on", "id")
    )


def monthly_spending(contract: Contract, year: int) -> dict[int, Decimal]:
    """Spending per month of ``year`` (1..12)."""
    rows = (
        Expenditure.objects.filter(contract=contract, spent_on__year=year)
        .values_list("spent_on__month")
        .annotate(total=Sum("amount"))
    )
    return {month: total or ZERO for month, total in rows}
