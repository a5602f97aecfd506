"""Import templates of the funds: payments received and expenditures (docs/imports.md).

``jiaozheng import payments FILE --as USER`` / ``jiaozheng import expenditures FILE --as USER``. All or nothing
per file: any bad row imports nothing and every problem is listed with its row, column and reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiaozheng.contracts.choices import FundCategory
from jiaozheng.contracts.models import Contract, Expenditure, FundLine, Payment
from jiaozheng.contracts.services import expenditure_build, payment_build
from jiaozheng.core.imports import Column, ImportKind, RowError, RowProblem, Units, register_import
from jiaozheng.core.roles import CHANGE, Domain, role_allows
from jiaozheng.core.scoping import scope_for, scoped

CONTRACT = Column(
    "contract",
    "合同编号",
    required=True,
    max_length=40,
    example="HT-2026-001",
    help="本单位可见的购买服务合同编号",
)

PAYMENT_COLUMNS = [
    CONTRACT,
    Column(
        "paid_on",
        "拨付日期",
        "date",
        required=True,
        example="2026-01-15",
        help="不早于合同签订日期，不晚于今天",
    ),
    Column(
        "amount",
        "金额（元）",
        "decimal",
        required=True,
        example="267294.00",
        help="大于0；累计拨付不得超过中标价",
    ),
    Column("payer", "拨付单位", max_length=100, example="溆浦县司法局", help="空则为合同的购买方"),
    Column("reference", "凭证号", max_length=60, example="溆财拨〔2026〕01号", help="拨款文号或银行回单号"),
    Column("note", "备注", max_length=200),
]

EXPENDITURE_COLUMNS = [
    CONTRACT,
    Column("spent_on", "支出日期", "date", required=True, example="2026-01-25", help="不晚于今天"),
    Column("amount", "金额（元）", "decimal", required=True, example="28331.00", help="大于0"),
    Column(
        "line",
        "预算科目",
        max_length=120,
        example="常驻司法局人员工资及五险一金",
        help="合同预算科目名称，或科目类别（如 人员、心理测量评估）且该类别只有一个科目；空则为未对应科目（将被标记）",
    ),
    Column("description", "用途", required=True, max_length=200, example="1月驻点社工工资"),
    Column("payee", "收款方", max_length=100, example="项目驻点社工（工资表）"),
    Column(
        "voucher_no",
        "记账凭证号",
        max_length=40,
        example="2026-记-001",
        help="同一合同内不得重复；凭证扫描件在支出明细页上传",
    ),
]


def _begin(actor: Any, context: dict[str, Any]) -> None:
    scope = scope_for(actor)
    if not scope.unrestricted and not role_allows(scope.role, Domain.FINANCE, CHANGE):
        raise PermissionDenied(_("Your role may not import fund records."))
    contracts = scoped(Contract, actor, CHANGE).select_related("buyer")
    if context.get("contract") is not None:
        contracts = contracts.filter(pk=getattr(context["contract"], "pk", context["contract"]))
    context["contracts"] = {c.code: c for c in contracts}
    lines: dict[int, list[FundLine]] = {}
    for line in FundLine.objects.filter(contract__in=list(context["contracts"].values())):
        lines.setdefault(line.contract_id, []).append(line)
    context["lines"] = lines
    context["voucher_nos"] = set(
        Expenditure.objects.filter(contract__in=list(context["contracts"].values()))
        .exclude(voucher_no="")
        .values_list("contract_id", "voucher_no")
    )


def _contract(row: dict[str, Any], context: dict[str, Any]) -> Contract:
    contract = context["contracts"].get(row["contract"])
    if contract is None:
        raise RowProblem("contract", _("No contract %(code)s in your area.") % {"code": row["contract"]})
    return contract


def _prepare_payment(actor: Any, row: dict[str, Any], context: dict[str, Any]) -> Payment:
    contract = _contract(row, context)
    return payment_build(
        contract=contract,
        paid_on=row["paid_on"],
        amount=row["amount"],
        payer=row.get("payer") or "",
        reference=row.get("reference") or "",
        note=row.get("note") or "",
        actor=actor,
    )


def _check_payments(
    actor: Any, prepared: list[tuple[int, Payment]], context: dict[str, Any]
) -> list[RowError]:
    """Cumulative payments per contract may not exceed its price: the row that crosses it is named."""
    errors = []
    paid: dict[int, Decimal] = {}
    for row_number, payment in sorted(prepared, key=lambda rp: (rp[1].paid_on, rp[0])):
        contract = payment.contract
        if contract.pk not in paid:
            paid[contract.pk] = sum(
                Payment.objects.filter(contract=contract).values_list("amount", flat=True), Decimal(0)
            )
        paid[contract.pk] += payment.amount
        if contract.contract_amount and paid[contract.pk] > contract.contract_amount:
            errors.append(
                RowError(
                    row_number,
                    "金额（元）",
                    _(
                        "With this row payments to %(code)s reach ¥%(paid)s, above its contract price ¥%(price)s."
                    )
                    % {
                        "code": contract.code,
                        "paid": f"{paid[contract.pk]:,.2f}",
                        "price": f"{contract.contract_amount:,.2f}",
                    },
                )
            )
    return errors


def _write_payments(actor: Any, payments: list[Payment], context: dict[str, Any]) -> int:
    from jiaozheng.contracts.services import payments_bulk_record

    return payments_bulk_record(actor=actor, payments=payments)


def _line(contract: Contract, text: str, context: dict[str, Any]) -> FundLine | None:
    if not text:
        return None
    lines = context["lines"].get(contract.pk, [])
    for line in lines:
        if line.name == text:
            return line
    category = None
    for value, label in FundCategory.choices:
        if text in (value, str(label)):
            category = value
    if category is None:
        from django.utils import translation

        with translation.override("zh-hans"):
            for value, label in FundCategory.choices:
                if text == str(label):
                    category = value
    if category is not None:
        matching = [line for line in lines if line.category == category]
        if len(matching) == 1:
            return matching[0]
        if len(matching) > 1:
            raise RowProblem(
                "line", _("Several lines have the category %(c)s: give the line's name.") % {"c": text}
            )
    raise RowProblem("line", _("The contract has no budget line %(l)s.") % {"l": text})


def _prepare_expenditure(actor: Any, row: dict[str, Any], context: dict[str, Any]) -> Expenditure:
    contract = _contract(row, context)
    line = _line(contract, row.get("line") or "", context)
    expenditure = expenditure_build(
        contract=contract,
        line=line,
        spent_on=row["spent_on"],
        amount=row["amount"],
        description=row.get("description") or "",
        payee=row.get("payee") or "",
        voucher_no="",
        actor=actor,
    )
    expenditure.voucher_no = (row.get("voucher_no") or "").strip()
    if expenditure.voucher_no and (contract.pk, expenditure.voucher_no) in context["voucher_nos"]:
        raise RowProblem(
            "voucher_no", _("Voucher number %(no)s is already recorded.") % {"no": expenditure.voucher_no}
        )
    return expenditure


def _check_expenditures(
    actor: Any, prepared: list[tuple[int, Expenditure]], context: dict[str, Any]
) -> list[RowError]:
    seen: dict[tuple[int, str], int] = {}
    errors = []
    for row_number, expenditure in prepared:
        if not expenditure.voucher_no:
            continue
        key = (expenditure.contract_id, expenditure.voucher_no)
        if key in seen:
            errors.append(
                RowError(row_number, "记账凭证号", _("Same voucher number as row %(r)s.") % {"r": seen[key]})
            )
        else:
            seen[key] = row_number
    return errors


def _write_expenditures(actor: Any, expenditures: list[Expenditure], context: dict[str, Any]) -> int:
    from jiaozheng.contracts.services import expenditures_bulk_record

    return expenditures_bulk_record(actor=actor, expenditures=expenditures)


PAYMENTS = register_import(
    ImportKind(
        kind="payments",
        label="资金到位（拨款）",
        unit=Units.PAYMENTS,
        columns=PAYMENT_COLUMNS,
        prepare=_prepare_payment,
        write=_write_payments,
        begin=_begin,
        check_all=_check_payments,
        description="购买方拨付的项目资金，一行一笔。累计拨付超过中标价的行会被指出；任一行有错误则整个文件不导入。",
    )
)

EXPENDITURES = register_import(
    ImportKind(
        kind="expenditures",
        label="项目支出",
        unit=Units.EXPENDITURES,
        columns=EXPENDITURE_COLUMNS,
        prepare=_prepare_expenditure,
        write=_write_expenditures,
        begin=_begin,
        check_all=_check_expenditures,
        description=(
            "项目资金的每笔支出，对应合同预算科目（专款专用）。凭证扫描件导入后在支出明细页逐笔上传；"
            "未对应科目或无凭证的支出会在资金页标记。任一行有错误则整个文件不导入。"
        ),
    )
)
