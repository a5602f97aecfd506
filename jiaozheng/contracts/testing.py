"""Access-matrix factories and API bodies for contracts and funds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from jiaozheng.contracts.choices import AdjustmentKind, FundCategory
from jiaozheng.contracts.models import Adjustment, Expenditure, FundLine, Payment, Voucher
from jiaozheng.core.testing.matrix import api_body, object_factory

TINY_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def contract_at(world, where):
    """Contracts are county-level: squadrons A and B share county X's contract."""
    return world.contract_y if where == "Y" else world.contract_x


@object_factory("contracts.Contract")
def make_contract(world, where):
    return contract_at(world, where)


@object_factory("contracts.FundLine")
def make_line(world, where):
    contract = contract_at(world, where)
    return FundLine.objects.create(
        contract=contract,
        category=FundCategory.EDUCATION,
        name=f"教育{FundLine.objects.count()}",
        amount=Decimal("1000"),
    )


@object_factory("contracts.Payment")
def make_payment(world, where):
    return Payment.objects.create(
        contract=contract_at(world, where),
        paid_on=timezone.localdate(),
        amount=Decimal("100"),
        payer="县司法局",
    )


@object_factory("contracts.Expenditure")
def make_expenditure(world, where):
    return Expenditure.objects.create(
        contract=contract_at(world, where),
        spent_on=timezone.localdate(),
        amount=Decimal("50"),
        description="测试支出",
    )


@object_factory("contracts.Voucher")
def make_voucher(world, where):
    voucher = Voucher(
        expenditure=make_expenditure(world, where),
        original_name="voucher.pdf",
        content_type="application/pdf",
        size=len(TINY_PDF),
        sha256="0" * 64,
    )
    voucher.file.save("matrix.pdf", ContentFile(TINY_PDF), save=False)
    voucher.save()
    return voucher


@object_factory("contracts.Adjustment")
def make_adjustment(world, where):
    return Adjustment.objects.create(
        contract=contract_at(world, where),
        kind=AdjustmentKind.PANDEMIC,
        title="疫情调整",
        reason="疫情",
        content="顺延",
        requested_on=timezone.localdate() - dt.timedelta(days=1),
    )


@api_body("contracts_payment_create")
def payment_body(world, obj):
    return {"paid_on": timezone.localdate().isoformat(), "amount": "100.00", "reference": "测试"}


@api_body("contracts_expenditure_create")
def expenditure_body(world, obj):
    return {"spent_on": timezone.localdate().isoformat(), "amount": "10.00", "description": "测试"}
