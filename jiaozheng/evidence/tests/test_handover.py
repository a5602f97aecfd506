"""The monthly hand-over: the provider submits, the bureau acknowledges or returns; an acknowledged month is
read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiaozheng.audit.models import AuditEntry
from jiaozheng.evidence import services
from jiaozheng.evidence.models import MonthlySubmission

pytestmark = pytest.mark.django_db


def _month(world):
    today = timezone.localdate()
    contract = world.contract_x
    first = max(contract.start_on, today.replace(day=1) - dt.timedelta(days=40)).replace(day=1)
    return contract, first


def test_the_provider_submits_and_the_bureau_acknowledges(world):
    contract, month = _month(world)
    row = services.submission_submit(
        actor=world.supervisor, contract=contract, month=month, plan="计划：教育4场", summary="小结：完成4场"
    )
    assert (row.version, row.status) == (1, "submitted")
    # a second submission before the bureau answers is a new version; the first stays as it was
    second = services.submission_submit(
        actor=world.supervisor, contract=contract, month=month, plan="计划：教育4场（修订）", summary="小结"
    )
    row.refresh_from_db()
    assert second.version == 2 and row.status == "superseded" and row.plan == "计划：教育4场"
    # only the bureau acknowledges
    with pytest.raises(PermissionDenied):
        services.submission_acknowledge(actor=world.supervisor, submission=second)
    services.submission_acknowledge(actor=world.bureau_officer, submission=second, remarks="收到")
    second.refresh_from_db()
    assert second.status == "acknowledged" and second.reviewed_by == world.bureau_officer
    assert AuditEntry.objects.filter(model="evidence.MonthlySubmission", object_id=str(second.pk)).exists()


def test_an_acknowledged_month_cannot_be_submitted_again(world):
    contract, month = _month(world)
    row = services.submission_submit(
        actor=world.supervisor, contract=contract, month=month, plan="计划", summary="小结"
    )
    services.submission_acknowledge(actor=world.bureau_officer, submission=row)
    before = list(MonthlySubmission.objects.values_list("pk", "status", "plan"))
    with pytest.raises(ValidationError) as exc:
        services.submission_submit(
            actor=world.supervisor, contract=contract, month=month, plan="改", summary="改"
        )
    assert "已确认接收" in " ".join(exc.value.messages) or "acknowledged" in " ".join(exc.value.messages)
    assert list(MonthlySubmission.objects.values_list("pk", "status", "plan")) == before
    # and an acknowledged month is not acknowledged or returned again
    with pytest.raises(ValidationError):
        services.submission_return(actor=world.bureau_officer, submission=row, remarks="缺照片")


def test_a_returned_month_is_submitted_again_and_bad_input_is_refused(world):
    contract, month = _month(world)
    row = services.submission_submit(
        actor=world.supervisor, contract=contract, month=month, plan="计划", summary="小结"
    )
    with pytest.raises(ValidationError):
        services.submission_return(actor=world.bureau_officer, submission=row, remarks="  ")
    services.submission_return(actor=world.bureau_officer, submission=row, remarks="缺少签到表")
    again = services.submission_submit(
        actor=world.supervisor, contract=contract, month=month, plan="计划", summary="小结（补签到表）"
    )
    assert again.version == 2
    for bad in ({"plan": "", "summary": "x"}, {"plan": "x", "summary": 5}):
        with pytest.raises(ValidationError):
            services.submission_submit(actor=world.supervisor, contract=contract, month=month, **bad)
    with pytest.raises(ValidationError):
        services.submission_submit(
            actor=world.supervisor,
            contract=contract,
            month=timezone.localdate().replace(day=1) + dt.timedelta(days=70),
            plan="x",
            summary="x",
        )
    assert MonthlySubmission.objects.count() == 2


def test_the_pages_submit_and_acknowledge_with_clear_messages(world, login):
    contract, month = _month(world)
    provider = login(world.supervisor)
    url = f"/evidence/contracts/{contract.pk}/"
    assert provider.get(url).status_code == 200
    page = provider.post(
        url + "submit/", {"month": f"{month:%Y-%m}", "plan": "计划", "summary": "小结"}, follow=True
    )
    assert page.status_code == 200
    row = MonthlySubmission.objects.get()
    bureau = login(world.bureau_officer)
    bureau.post(f"/evidence/submissions/{row.pk}/acknowledge/", {"remarks": "收到"})
    row.refresh_from_db()
    assert row.status == "acknowledged"
    page = provider.post(
        url + "submit/", {"month": f"{month:%Y-%m}", "plan": "再交", "summary": "再交"}, follow=True
    )
    text = page.content.decode()
    assert "只读" in text or "read-only" in text
    assert MonthlySubmission.objects.count() == 1
    # another county's officer does not see the contract
    assert login(world.bureau_officer_y).get(url).status_code == 404
