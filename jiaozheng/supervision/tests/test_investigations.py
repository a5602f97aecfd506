"""调查评估 commissions: due dates, the steps, refusals, late ones, the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiaozheng.audit.models import AuditEntry
from jiaozheng.supervision import selectors, services
from jiaozheng.supervision.choices import InvestigationStatus
from jiaozheng.supervision.models import Investigation


def _register(world, **kw):
    data = {
        "actor": world.bureau_officer,
        "commissioner": "court",
        "commissioner_name": "县人民法院",
        "defendant_name": "张某",
        "commissioned_on": dt.date(2024, 9, 27),
        "squadron": world.squadron_a,
    }
    data.update(kw)
    return services.investigation_register(**data)


def test_due_dates_in_working_days(world):
    # given commissions before National Day 2024, one ordinary and one 速裁
    ordinary = _register(world)
    summary = _register(world, summary_procedure=True)
    # then the opinion is due 10 and 5 working days later, skipping 1-7 Oct
    assert ordinary.due_on == dt.date(2024, 10, 16)
    assert summary.due_on == dt.date(2024, 10, 10)
    assert ordinary.county == world.county_x


def test_whole_procedure_is_audited_and_copied(world):
    inv = _register(world, commissioned_on=timezone.localdate() - dt.timedelta(days=1))
    services.investigation_assign(
        actor=world.bureau_officer, investigation=inv, assignee=world.squadron_officer
    )
    inv = services.investigation_answer(
        actor=world.bureau_officer,
        investigation=inv,
        findings="居住稳定，家庭支持",
        conclusion="suitable",
        opinion="建议适用社区矫正",
    )
    assert inv.status == InvestigationStatus.ANSWERED
    assert inv.procuratorate_copied_on == timezone.localdate()
    assert not inv.is_late()
    assert AuditEntry.objects.filter(model="supervision.Investigation", object_id=str(inv.pk)).count() >= 3


def test_decision_on_closed_commission_changes_nothing(world):
    inv = _register(world, commissioned_on=timezone.localdate() - dt.timedelta(days=1))
    services.investigation_assign(
        actor=world.bureau_officer, investigation=inv, assignee=world.squadron_officer
    )
    services.investigation_answer(
        actor=world.bureau_officer, investigation=inv, findings="f", conclusion="suitable", opinion="o"
    )
    with pytest.raises(ValidationError, match="closed"):
        services.investigation_answer(
            actor=world.bureau_officer, investigation=inv, findings="x", conclusion="unsuitable", opinion="y"
        )
    inv.refresh_from_db()
    assert inv.conclusion == "suitable" and inv.opinion == "o"


def test_bad_input_is_refused(world):
    with pytest.raises(ValidationError):
        _register(world, commissioned_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        _register(world, squadron=world.squadron_c)  # a squadron of another county
    inv = _register(world)
    with pytest.raises(ValidationError, match="Assign"):
        services.investigation_answer(
            actor=world.bureau_officer, investigation=inv, findings="f", conclusion="suitable", opinion="o"
        )
    services.investigation_assign(
        actor=world.bureau_officer, investigation=inv, assignee=world.squadron_officer
    )
    with pytest.raises(ValidationError):
        services.investigation_answer(
            actor=world.bureau_officer,
            investigation=inv,
            findings="f",
            conclusion="suitable",
            opinion="o",
            answered_on=dt.date(2024, 9, 1),  # before the commission
        )
    assert Investigation.objects.count() == 1


def test_social_worker_sees_but_does_not_decide(world):
    inv = _register(world)
    assert selectors.investigation_list(actor=world.social_worker).filter(pk=inv.pk).exists()
    assert not selectors.investigation_list(actor=world.social_worker_b).filter(pk=inv.pk).exists()
    with pytest.raises(PermissionDenied):
        services.investigation_assign(
            actor=world.social_worker, investigation=inv, assignee=world.social_worker
        )


def test_late_ones_are_listed(world):
    # given an old open commission and a fresh one
    old = _register(world, commissioned_on=dt.date(2024, 9, 27))
    fresh = _register(world, commissioned_on=timezone.localdate())
    late = selectors.investigation_list(actor=world.bureau_officer, late=True)
    assert old in late and fresh not in late


def test_api_register_and_late_filter(world, api_client):
    client = api_client(world.bureau_officer)
    resp = client.post(
        "/api/v1/supervision/investigations",
        {
            "commissioner": "procuratorate",
            "commissioner_name": "县人民检察院",
            "defendant_name": "李某",
            "commissioned_on": "2024-02-08",
        },
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["due_on"] == "2024-02-28"
    assert resp.json()["late"] is True
    listed = client.get("/api/v1/supervision/investigations?late=true").json()
    assert [i["defendant_name"] for i in listed] == ["李某"]
    # a social worker may not register
    denied = api_client(world.social_worker).post(
        "/api/v1/supervision/investigations",
        {
            "commissioner": "court",
            "commissioner_name": "法院",
            "defendant_name": "王某",
            "commissioned_on": "2024-02-08",
        },
        content_type="application/json",
    )
    assert denied.status_code == 403


def test_pages(world, login):
    inv = _register(world)
    client = login(world.bureau_officer)
    assert "张某" in client.get("/supervision/investigations/").content.decode()
    page = client.get(f"/supervision/investigations/{inv.pk}/").content.decode()
    assert "县人民法院" in page
    resp = client.post(
        f"/supervision/investigations/{inv.pk}/do/assign/",
        {"assignee": world.squadron_officer.pk},
        follow=True,
    )
    inv.refresh_from_db()
    assert inv.status == InvestigationStatus.INVESTIGATING
    assert resp.status_code == 200
