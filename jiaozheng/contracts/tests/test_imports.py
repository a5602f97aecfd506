"""Payments and expenditures imports: good files import, a file with a bad row imports nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from jiaozheng.contracts import services
from jiaozheng.contracts.choices import FundCategory
from jiaozheng.contracts.imports import EXPENDITURES, PAYMENTS
from jiaozheng.contracts.models import Expenditure, Payment
from jiaozheng.core.imports import run_import

pytestmark = pytest.mark.django_db


def _csv(rows):
    return ("\n".join(",".join(str(v) for v in row) for row in rows) + "\n").encode("utf-8-sig")


def _xlsx(rows):
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _day(days_ago):
    return (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()


def test_a_good_payments_file_imports_every_row_as_the_account_that_ran_it(world):
    headers = [c.header for c in PAYMENTS.columns]
    rows = [
        headers,
        ["X-1", _day(20), "267294.00", "溆浦县司法局", "溆财拨〔2026〕01号", ""],
        ["X-1", _day(2), "1,000", "", "", "尾款"],
    ]
    result = run_import(actor=world.bureau_admin, kind="payments", name="p.xlsx", content=_xlsx(rows))
    assert result.ok, result.errors
    assert result.created == 2
    payments = list(Payment.objects.order_by("paid_on"))
    assert [p.amount for p in payments] == [Decimal("267294.00"), Decimal("1000.00")]
    assert payments[1].payer == "溆浦县司法局"  # empty payer: the buyer bureau
    assert payments[0].recorded_by == world.bureau_admin


def test_a_payments_file_with_a_bad_row_imports_nothing_and_names_row_column_and_reason(world):
    headers = [c.header for c in PAYMENTS.columns]
    rows = [
        headers,
        ["X-1", _day(5), "100", "", "", ""],
        ["Y-1", _day(5), "100", "", "", ""],  # another county's contract
        ["X-1", "2099-01-01", "100", "", "", ""],  # future
        ["X-1", _day(5), "-3", "", "", ""],  # negative
        ["X-1", _day(5), "890980", "", "", ""],  # over the price with the first row
    ]
    result = run_import(actor=world.bureau_admin, kind="payments", name="p.csv", content=_csv(rows))
    assert not result.ok and Payment.objects.count() == 0
    problems = {(e.row, e.column) for e in result.errors}
    assert (3, "合同编号") in problems
    assert (4, "拨付日期") in problems
    assert (5, "金额（元）") in problems
    over = next(e for e in result.errors if e.row == 6)
    assert over.column == "金额（元）" and "890,980.00" in over.message  # the row that crosses the price


def test_a_good_expenditures_file_maps_lines_by_name_or_category(world):
    contract = world.contract_x
    services.fund_line_save(
        actor=world.bureau_admin,
        contract=contract,
        category=FundCategory.PERSONNEL,
        name="常驻人员工资",
        amount=339980,
    )
    services.fund_line_save(
        actor=world.bureau_admin,
        contract=contract,
        category=FundCategory.EDUCATION,
        name="集中教育学习费",
        amount=120000,
    )
    headers = [c.header for c in EXPENDITURES.columns]
    rows = [
        headers,
        ["X-1", _day(30), "28331", "常驻人员工资", "1月工资", "驻点社工", "2026-记-001"],
        ["X-1", _day(29), "10000", "集中教育学习", "1月授课", "讲师", "2026-记-002"],  # by category label
        ["X-1", _day(28), "500", "", "办公用品", "", ""],  # unmapped: allowed, flagged later
    ]
    result = run_import(actor=world.supervisor, kind="expenditures", name="e.csv", content=_csv(rows))
    assert result.ok, [e.as_dict() for e in result.errors]
    lines = dict(Expenditure.objects.values_list("voucher_no", "line__name"))
    assert lines == {"2026-记-001": "常驻人员工资", "2026-记-002": "集中教育学习费", "": None}


def test_an_expenditures_file_with_a_bad_row_imports_nothing(world):
    contract = world.contract_x
    services.fund_line_save(
        actor=world.bureau_admin, contract=contract, category=FundCategory.PERSONNEL, name="工资", amount=1000
    )
    services.expenditure_record(
        actor=world.bureau_admin,
        contract=contract,
        spent_on=timezone.localdate(),
        amount=1,
        description="x",
        voucher_no="V-1",
    )
    headers = [c.header for c in EXPENDITURES.columns]
    rows = [
        headers,
        ["X-1", _day(3), "100", "工资", "ok", "", "V-2"],
        ["X-1", _day(3), "100", "不存在的科目", "bad line", "", ""],
        ["X-1", _day(3), "100", "工资", "dup of existing", "", "V-1"],
        ["X-1", _day(3), "100", "工资", "", "", ""],  # purpose missing
        ["X-1", _day(3), "100", "工资", "dup in file", "", "V-2"],
    ]
    before = Expenditure.objects.count()
    result = run_import(actor=world.bureau_admin, kind="expenditures", name="e.xlsx", content=_xlsx(rows))
    assert not result.ok and Expenditure.objects.count() == before
    problems = {(e.row, e.column) for e in result.errors}
    assert {(3, "预算科目"), (4, "记账凭证号"), (5, "用途")} <= problems


def test_auditors_cannot_import_and_the_command_reports_every_problem(world, tmp_path):
    headers = [c.header for c in PAYMENTS.columns]
    path = tmp_path / "p.csv"
    path.write_bytes(_csv([headers, ["X-1", _day(3), "abc", "", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "payments", str(path), "--as", "bureau_admin", stderr=err)
    assert "row 2, column 金额（元）" in err.getvalue()
    path.write_bytes(_csv([headers, ["X-1", _day(3), "12.5", "", "", ""]]))
    with pytest.raises(CommandError, match="may not import"):
        call_command("import", "payments", str(path), "--as", "auditor", stderr=io.StringIO())
    assert not Payment.objects.exists()
    out = io.StringIO()
    call_command("import", "payments", str(path), "--as", "bureau_admin", stdout=out)
    assert Payment.objects.get().amount == Decimal("12.50")
