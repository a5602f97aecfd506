"""会客 / 进入特定场所, 迁居 / 变更执行地 and the 暂予监外执行 re-examination due list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiaozheng.people.choices import Status
from jiaozheng.supervision import selectors, services
from jiaozheng.supervision.choices import PermitStatus, RelocationStatus
from jiaozheng.supervision.models import PermitRequest, Reexamination, Relocation

TODAY = timezone.localdate


@pytest.fixture
def person(world):
    p = world.person_a
    p.status = Status.IN_CORRECTION
    p.judgment_effective_on = TODAY() - dt.timedelta(days=100)
    p.intake_on = TODAY() - dt.timedelta(days=95)
    p.term_end = max(p.term_end, TODAY() + dt.timedelta(days=365))
    p.save()
    return p


def _permit(world, person, **kw):
    data = {
        "kind": "visitor",
        "subject": "被害人",
        "reason": "调解赔偿",
        "start_on": TODAY() + dt.timedelta(days=3),
        "end_on": TODAY() + dt.timedelta(days=3),
    }
    data.update(kw)
    return services.permit_request(actor=world.squadron_officer, person=person, **data)


def test_permit_decided_by_the_county_only(world, person):
    req = _permit(world, person)
    assert req.decision_due_on > TODAY()
    with pytest.raises(PermissionDenied):
        services.permit_decide(actor=world.squadron_officer, permit=req, approve=True)
    req = services.permit_decide(actor=world.bureau_officer, permit=req, approve=True)
    assert req.status == PermitStatus.APPROVED and req.decided_role == "bureau_officer"
    with pytest.raises(ValidationError, match="closed"):
        services.permit_decide(actor=world.bureau_officer, permit=req, approve=False, note="撤回")
    req.refresh_from_db()
    assert req.status == PermitStatus.APPROVED


def test_permit_bad_dates(world, person):
    with pytest.raises(ValidationError, match="before the judgment"):
        _permit(world, person, start_on=TODAY() - dt.timedelta(days=200))
    with pytest.raises(ValidationError, match="before the step"):
        _permit(world, person, end_on=TODAY())
    assert not PermitRequest.objects.exists()


def test_relocation_steps_with_due_dates(world, person):
    rel = services.relocation_request(
        actor=world.squadron_officer,
        person=person,
        new_address="长沙市岳麓区某街1号",
        receiving_county="岳麓区社区矫正机构",
        reason="随子女居住",
        planned_on=TODAY() + dt.timedelta(days=30),
    )
    assert rel.due_on == TODAY() + dt.timedelta(days=5)
    with pytest.raises(ValidationError, match="already open"):
        services.relocation_request(
            actor=world.squadron_officer,
            person=person,
            new_address="x",
            receiving_county="y",
            reason="z",
            planned_on=TODAY() + dt.timedelta(days=30),
        )
    # a decision before the receiving county replied is refused
    with pytest.raises(ValidationError, match="not yet open"):
        services.relocation_decide(actor=world.bureau_officer, relocation=rel, approve=True)
    rel = services.relocation_consult(actor=world.squadron_officer, relocation=rel, consulted_on=TODAY())
    assert rel.due_on == TODAY() + dt.timedelta(days=5)
    rel = services.relocation_reply(
        actor=world.squadron_officer, relocation=rel, agrees=True, replied_on=TODAY()
    )
    with pytest.raises(PermissionDenied):
        services.relocation_decide(actor=world.squadron_officer, relocation=rel, approve=True)
    rel = services.relocation_decide(actor=world.bureau_officer, relocation=rel, approve=True)
    assert rel.status == RelocationStatus.APPROVED
    assert rel.due_on == TODAY() + dt.timedelta(days=5)  # the file hand-over comes first
    with pytest.raises(ValidationError, match="Hand the file over"):
        services.relocation_arrived(actor=world.squadron_officer, relocation=rel, arrived_on=TODAY())
    rel = services.relocation_files_sent(actor=world.squadron_officer, relocation=rel, sent_on=TODAY())
    assert rel.due_on == TODAY() + dt.timedelta(days=7)
    rel = services.relocation_arrived(actor=world.squadron_officer, relocation=rel, arrived_on=TODAY())
    assert rel.status == RelocationStatus.ARRIVED and rel.due_on is None


def test_relocation_refused_when_receiving_county_disagrees(world, person):
    rel = services.relocation_request(
        actor=world.squadron_officer,
        person=person,
        new_address="某地",
        receiving_county="某县",
        reason="务工",
        planned_on=TODAY() + dt.timedelta(days=30),
    )
    services.relocation_consult(actor=world.squadron_officer, relocation=rel, consulted_on=TODAY())
    services.relocation_reply(actor=world.squadron_officer, relocation=rel, agrees=False, replied_on=TODAY())
    with pytest.raises(ValidationError, match="did not agree"):
        services.relocation_decide(actor=world.bureau_officer, relocation=rel, approve=True)
    assert Relocation.objects.get(pk=rel.pk).status == RelocationStatus.REPLIED


def test_reexam_due_list(world, person):
    person.correction_type = "temporary_outside_execution"
    person.save()
    # intake 95 days ago: the first re-examination (3 months on) is overdue
    due = selectors.reexam_due_list(actor=world.bureau_officer)
    assert [p.pk for p in due] == [person.pk] and due[0].reexam_due_on < TODAY()
    services.reexam_record(
        actor=world.squadron_officer, person=person, examined_on=TODAY(), hospital="县医院"
    )
    assert selectors.reexam_due_list(actor=world.bureau_officer) == []
    # out of scope: another county sees nothing
    Reexamination.objects.all().delete()
    assert selectors.reexam_due_list(actor=world.users["bureau_officer_y"]) == []


def test_reexam_only_for_execution_outside_prison(world, person):
    with pytest.raises(ValidationError, match="outside prison"):
        services.reexam_record(
            actor=world.squadron_officer, person=person, examined_on=TODAY(), hospital="县医院"
        )


def test_reexam_due_list_constant_queries(world, person):
    from jiaozheng.people.models import Person

    person.correction_type = "temporary_outside_execution"
    person.save()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            rows = selectors.reexam_due_list(actor=world.bureau_officer)
            [r.squadron.name for r in rows]
        return len(ctx), len(rows)

    def grow_to(n):
        have = len(selectors.reexam_due_list(actor=world.bureau_officer))
        rows = []
        for i in range(have, n):
            p = Person.objects.get(pk=person.pk)
            p.pk = p.id = None
            p.case_number = f"R{i:05d}"
            rows.append(p)
        Person.objects.bulk_create(rows, batch_size=500)

    grow_to(50)
    small, n_small = count()
    grow_to(5000)
    big, n_big = count()
    assert (n_small, n_big) == (50, 5000)
    assert big == small
