"""Contract and funds pages: who sees what, read-only auditors, voucher upload and download, the API."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiaozheng.contracts import services
from jiaozheng.contracts.choices import FundCategory
from jiaozheng.contracts.models import Adjustment, Expenditure, Payment, Voucher
from jiaozheng.contracts.testing import TINY_PDF

pytestmark = pytest.mark.django_db


def test_auditors_read_the_funds_but_see_no_change_controls_and_are_refused_writes(world, login):
    line = services.fund_line_save(
        actor=world.bureau_admin,
        contract=world.contract_x,
        category=FundCategory.PERSONNEL,
        name="人员开支",
        amount=1000,
    )
    client = login(world.auditor)
    page = client.get(f"/contracts/{world.contract_x.pk}/funds/")
    html = page.content.decode()
    assert page.status_code == 200 and "人员开支" in html
    assert "只读" in html or "Read-only" in html
    assert "payments/add" not in html and f"/contracts/lines/{line.pk}/" not in html
    response = client.post(
        f"/contracts/{world.contract_x.pk}/funds/payments/add/",
        {"paid_on": timezone.localdate(), "amount": "10"},
    )
    assert response.status_code == 403 and not Payment.objects.exists()


def test_an_expenditure_with_its_voucher_is_recorded_flagged_and_its_voucher_downloaded(world, login):
    client = login(world.bureau_admin)
    response = client.post(
        f"/contracts/{world.contract_x.pk}/expenditures/new/",
        {
            "spent_on": timezone.localdate().isoformat(),
            "amount": "1860",
            "description": "办公用品",
            "voucher_no": "V-9",
            "vouchers": [SimpleUploadedFile("发票.pdf", TINY_PDF, content_type="application/pdf")],
        },
    )
    expenditure = Expenditure.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/expenditures/{expenditure.pk}/")
    voucher = Voucher.objects.get()
    download = client.get(f"/contracts/vouchers/{voucher.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == TINY_PDF
    funds = client.get(f"/contracts/{world.contract_x.pk}/funds/").content.decode()
    assert "1,860.00" in funds and "line=none" in funds  # unmapped: flagged with a link to the rows
    # a bad upload is refused on the form and nothing is saved
    response = client.post(
        f"/contracts/{world.contract_x.pk}/expenditures/new/",
        {
            "spent_on": timezone.localdate().isoformat(),
            "amount": "10",
            "description": "x",
            "vouchers": [SimpleUploadedFile("virus.pdf", b"MZ\x90not a pdf")],
        },
    )
    assert response.status_code == 200 and Expenditure.objects.count() == 1
    # another county's staff do not see it at all
    other = login(world.supervisor_y)
    assert other.get(f"/contracts/vouchers/{voucher.pk}/").status_code == 404
    assert other.get(f"/contracts/{world.contract_x.pk}/funds/").status_code == 404


def test_squadron_staff_do_not_open_contract_pages(world, login):
    for user in (world.social_worker, world.squadron_officer):
        assert login(user).get("/contracts/").status_code == 403


def test_the_supervisor_requests_and_the_bureau_approves_an_adjustment_on_the_pages(world, login, client):
    today = timezone.localdate().isoformat()
    supervisor = login(world.supervisor)
    response = supervisor.post(
        f"/contracts/{world.contract_x.pk}/adjustments/",
        {"kind": "pandemic", "title": "疫情调整", "reason": "疫情", "content": "顺延", "requested_on": today},
    )
    assert response.status_code == 302
    adjustment = Adjustment.objects.get()
    page = supervisor.get(f"/contracts/adjustments/{adjustment.pk}/").content.decode()
    assert 'name="decision"' not in page  # the provider does not decide
    client.force_login(world.bureau_admin)
    response = client.post(
        f"/contracts/adjustments/{adjustment.pk}/",
        {
            "decision": "approve",
            "decided_on": today,
            "approver": "局长",
            "opinion": "同意",
            "document_no": "溆司函1号",
        },
    )
    assert response.status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.status == "approved"


def test_api_lists_contracts_returns_funds_and_records_payments(world, api_client):
    supervisor = api_client(world.supervisor)
    contracts = supervisor.get("/api/v1/contracts").json()
    assert [c["code"] for c in contracts] == ["X-1"]
    funds = supervisor.get(f"/api/v1/contracts/{world.contract_x.pk}/funds").json()
    assert funds["contract_price"] == 890980.0 and funds["checks"][0]["code"] == "no_lines"
    created = supervisor.post(
        f"/api/v1/contracts/{world.contract_x.pk}/payments",
        data=json.dumps({"paid_on": timezone.localdate().isoformat(), "amount": "500.00"}),
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["amount"] == "500.00"
    bad = supervisor.post(
        f"/api/v1/contracts/{world.contract_x.pk}/payments",
        data=json.dumps({"paid_on": "2099-01-01", "amount": "5.00"}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "paid_on"
    auditor = api_client(world.auditor)
    refused = auditor.post(
        f"/api/v1/contracts/{world.contract_x.pk}/payments",
        data=json.dumps({"paid_on": timezone.localdate().isoformat(), "amount": "5.00"}),
        content_type="application/json",
    )
    assert refused.status_code == 403 and Payment.objects.count() == 1
    assert (
        api_client(world.supervisor_y).get(f"/api/v1/contracts/{world.contract_x.pk}/funds").status_code
        == 404
    )
