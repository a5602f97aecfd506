"""Funds services: lines, payments, expenditures with vouchers, earmarking checks, adjustments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jiaozheng.audit.models import AuditEntry
from jiaozheng.contracts import services
from jiaozheng.contracts.choices import AdjustmentStatus, Decision, FundCategory
from jiaozheng.contracts.models import Expenditure, Payment, Voucher
from jiaozheng.contracts.selectors import funds_summary
from jiaozheng.contracts.testing import TINY_PDF
from jiaozheng.indicators.demo import voucher_pdf
from jiaozheng.indicators.models import Indicator

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _line(world, name="人员开支", amount=100000, category=FundCategory.PERSONNEL):
    return services.fund_line_save(
        actor=world.bureau_admin, contract=world.contract_x, category=category, name=name, amount=amount
    )


def _spend(world, amount, line=None, **extra):
    data = {"spent_on": timezone.localdate(), "amount": amount, "description": "支出", **extra}
    return services.expenditure_record(actor=world.bureau_admin, contract=world.contract_x, line=line, **data)


def test_checks_flag_unmapped_overspent_unvouchered_and_out_of_period_spending(world):
    # given two lines and four expenditures breaking the earmarking rules in different ways
    personnel = _line(world, amount=1000)
    _line(world, name="教育", amount=1000, category=FundCategory.EDUCATION)
    _spend(world, 1200, personnel, vouchers=[services.VoucherFile("a.pdf", voucher_pdf(["A"]))])  # overspent
    _spend(world, 300)  # unmapped, no voucher
    contract = world.contract_x
    old = Expenditure.objects.create(
        contract=contract,
        line=personnel,
        spent_on=contract.start_on - dt.timedelta(days=30),
        amount=10,
        description="早",
    )
    # when the funds are summarised
    summary = funds_summary(contract)
    codes = {c.code: c for c in summary.checks}
    # then each breach is flagged with its amount, and the totals are right
    assert codes["unmapped"].level == "danger" and codes["unmapped"].amount == 300
    assert codes["overspent"].amount == 210 and "人员开支" in codes["overspent"].message
    assert codes["no_voucher"].count == 2
    assert codes["outside_period"].count == 1
    assert codes["lines_total"].level == "warning"  # lines add up to 2,000, the price is 890,980
    assert summary.spent == Decimal("1510.00") and summary.unmapped == 300
    assert old.pk
    # and a clean contract says so
    assert funds_summary(world.contract_y).checks[-1].code in ("no_lines", "ok")


def test_a_clean_contract_passes_every_check(world):
    contract = world.contract_x
    line = services.fund_line_save(
        actor=world.bureau_admin,
        contract=contract,
        category=FundCategory.PERSONNEL,
        name="全部",
        amount=contract.contract_amount,
    )
    _spend(world, 5000, line, vouchers=[services.VoucherFile("scan.png", PNG)])
    (check,) = funds_summary(contract).checks
    assert check.level == "ok" and check.count == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.pdf", b"", "empty"),
        ("x.exe", b"MZ\x90\x00 not a scan", "not a PDF, JPEG or PNG"),
        ("x.pdf", b"%PDF-1.4 truncated", "incomplete"),
        ("renamed.pdf", PNG[:4] + b"garbage", "not a PDF"),
    ],
)
def test_bad_vouchers_are_refused_and_the_expenditure_is_not_saved(world, name, content, message):
    before = Expenditure.objects.count(), Voucher.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        _spend(world, 100, vouchers=[services.VoucherFile(name, content)])
    assert message in " ".join(excinfo.value.messages)
    assert (Expenditure.objects.count(), Voucher.objects.count(), AuditEntry.objects.count()) == before


def test_a_voucher_is_stored_with_its_digest_and_a_duplicate_is_refused(world):
    expenditure = _spend(world, 100)
    voucher = services.voucher_attach(
        actor=world.bureau_admin,
        expenditure=expenditure,
        upload=services.VoucherFile("../../etc/发票.pdf", TINY_PDF),
    )
    assert voucher.original_name == "发票.pdf" and voucher.content_type == "application/pdf"
    assert len(voucher.sha256) == 64 and voucher.file.read() == TINY_PDF
    with pytest.raises(ValidationError):
        services.voucher_attach(
            actor=world.bureau_admin,
            expenditure=expenditure,
            upload=services.VoucherFile("again.pdf", TINY_PDF),
        )


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"spent_on": dt.date(2099, 1, 1)}, "spent_on"),
        ({"description": "  "}, "description"),
    ],
)
def test_bad_expenditures_are_refused(world, fields, key):
    data = {"spent_on": timezone.localdate(), "amount": 100, "description": "支出"}
    data.update(fields)
    with pytest.raises(ValidationError) as excinfo:
        services.expenditure_record(actor=world.bureau_admin, contract=world.contract_x, **data)
    assert key in excinfo.value.message_dict
    assert not Expenditure.objects.exists()


def test_payments_cannot_exceed_the_contract_price_or_precede_the_signature(world):
    contract = world.contract_x
    contract.signed_on = timezone.localdate() - dt.timedelta(days=30)
    contract.save()
    services.payment_record(
        actor=world.bureau_admin, contract=contract, paid_on=timezone.localdate(), amount=890000
    )
    with pytest.raises(ValidationError) as excinfo:
        services.payment_record(
            actor=world.bureau_admin, contract=contract, paid_on=timezone.localdate(), amount=1000
        )
    assert "exceed" in " ".join(excinfo.value.messages)
    with pytest.raises(ValidationError):
        services.payment_record(
            actor=world.bureau_admin,
            contract=contract,
            paid_on=contract.signed_on - dt.timedelta(days=1),
            amount=10,
        )
    assert Payment.objects.count() == 1


def test_only_finance_changers_in_scope_write_and_auditors_only_read(world):
    with pytest.raises(PermissionDenied):
        services.payment_record(
            actor=world.auditor, contract=world.contract_x, paid_on=timezone.localdate(), amount=10
        )
    with pytest.raises(PermissionDenied):
        services.fund_line_save(
            actor=world.social_worker, contract=world.contract_x, category="other", name="x", amount=1
        )
    with pytest.raises(Http404):
        services.payment_record(
            actor=world.supervisor_y, contract=world.contract_x, paid_on=timezone.localdate(), amount=10
        )
    # the provider's supervisor records money of its own contract
    payment = services.payment_record(
        actor=world.supervisor, contract=world.contract_x, paid_on=timezone.localdate(), amount=10
    )
    assert payment.recorded_by == world.supervisor


def test_a_line_with_spending_cannot_be_deleted(world):
    line = _line(world)
    _spend(world, 10, line)
    with pytest.raises(ValidationError):
        services.fund_line_delete(actor=world.bureau_admin, line=line)


def test_an_approved_adjustment_applies_its_changes_and_keeps_the_old_values(world):
    # given an indicator of the current year and a request by the provider's supervisor
    contract = world.contract_x
    year = contract.start_on.year
    indicator = Indicator.objects.create(
        contract=contract,
        year=year,
        code="education",
        name="教育",
        group="output_quantity",
        measure_code="caseload.persons_served",
        target=Decimal("156"),
        unit="场次",
        weight=Decimal("10"),
    )
    today = timezone.localdate()
    adjustment = services.adjustment_submit(
        actor=world.supervisor,
        contract=contract,
        kind="pandemic",
        title="疫情调整",
        reason="疫情防控",
        content="教育场次调整为150场次",
        requested_on=today,
        target_changes=[(indicator, 150)],
        new_contract_amount="880000",
    )
    assert adjustment.status == AdjustmentStatus.PENDING
    # the provider cannot approve its own request
    with pytest.raises(PermissionDenied):
        services.adjustment_decide(
            actor=world.supervisor,
            adjustment=adjustment,
            decision=Decision.APPROVE,
            decided_on=today,
            approver="督导",
            opinion="同意",
        )
    # when the buyer's administrator approves it
    record = services.adjustment_decide(
        actor=world.bureau_admin,
        adjustment=adjustment,
        decision=Decision.APPROVE,
        decided_on=today,
        approver="县司法局局长",
        opinion="同意",
        document_no="溆司函〔2026〕1号",
    )
    # then the new target and price apply and the old values are on record
    adjustment.refresh_from_db()
    indicator.refresh_from_db()
    contract.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.APPROVED and record.document_no == "溆司函〔2026〕1号"
    assert indicator.target == 150 and contract.contract_amount == 880000
    assert adjustment.previous["contract_amount"] == "890980.00"
    assert adjustment.previous["targets"] == [{"indicator": indicator.pk, "target": "156.0000"}]
    # and it cannot be decided twice
    with pytest.raises(ValidationError):
        services.adjustment_decide(
            actor=world.bureau_admin,
            adjustment=adjustment,
            decision=Decision.REJECT,
            decided_on=today,
            approver="x",
            opinion="y",
        )


def test_an_incomplete_adjustment_is_refused_with_every_problem(world):
    with pytest.raises(ValidationError) as excinfo:
        services.adjustment_submit(
            actor=world.bureau_admin,
            contract=world.contract_x,
            kind="bogus",
            title="",
            reason="",
            content="",
            requested_on=timezone.localdate() + dt.timedelta(days=3),
        )
    assert set(excinfo.value.message_dict) == {"kind", "title", "reason", "content", "requested_on"}
