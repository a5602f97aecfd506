"""Visit records and their side effects: validation, interventions, hardship help, tasks, attachments,
overdue warnings, standards and quotas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jiaozheng.audit.context import acting_as
from jiaozheng.audit.models import AuditEntry, TimelineEvent
from jiaozheng.core.models import Notification
from jiaozheng.people.choices import DisciplineKind
from jiaozheng.people.models import Discipline
from jiaozheng.visits import services
from jiaozheng.visits.choices import (
    HelpKind,
    InterventionKind,
    QuotaUnit,
    TaskStatus,
    VisitMethod,
    VisitType,
)
from jiaozheng.visits.models import (
    DueWarning,
    FollowUpTask,
    HardshipHelp,
    Intervention,
    Visit,
    VisitAttachment,
    VisitStandard,
)
from jiaozheng.visits.selectors import due_list, quota_progress
from jiaozheng.visits.testing import PNG
from jiaozheng.visits.tests.conftest import visit_input

pytestmark = pytest.mark.django_db


def test_recording_a_visit_writes_the_record_its_visitors_the_audit_and_the_timeline(world):
    # given a social worker and a person of their squadron
    sw, person = world.social_worker, world.person_a
    # when the social worker records a focus field visit together with the squadron officer
    visit = services.visit_create(
        actor=sw,
        person=person,
        data=visit_input(visitors=[sw, world.squadron_officer], latitude=27.9, longitude=110.6),
    )
    # then the record, its two visitors, an audit entry and a timeline event exist
    assert visit.visited_on == timezone.localtime(visit.visited_at).date()
    assert set(visit.visitor_rows.values_list("user_id", flat=True)) == {sw.pk, world.squadron_officer.pk}
    assert AuditEntry.objects.filter(model="visits.Visit", object_id=str(visit.pk), action="create").exists()
    assert TimelineEvent.objects.filter(person=person, verb="visit.recorded").exists()
    assert visit.position_at is not None


BAD_INPUT = [
    ({"visited_at": timezone.now() + dt.timedelta(days=1)}, "visited_at"),
    ({"visited_at": timezone.now() - dt.timedelta(days=900)}, "visited_at"),
    ({"field_target": ""}, "field_target"),
    ({"method": VisitMethod.PHONE_CHECK}, "field_target"),
    ({"risk_signs": ["<script>"]}, "risk_signs"),
    ({"latitude": 91.0, "longitude": 110.0}, "latitude"),
    ({"latitude": 27.0}, "latitude"),
    ({"latitude": float("nan"), "longitude": 110.0}, "latitude"),
    ({"duration_minutes": 0}, "duration_minutes"),
    ({"visitors": []}, "visitors"),
    ({"place": "<script>alert(1)</script>"}, "place"),
    ({"thinking": "稳定\x00"}, "thinking"),
]


def test_bad_input_is_refused_with_a_reason_and_nothing_is_written(world):
    before = (Visit.objects.count(), AuditEntry.objects.count(), TimelineEvent.objects.count())
    for overrides, field in BAD_INPUT:
        # given a visit input with one problem
        data = {"visitors": [world.social_worker], **overrides}
        # when it is recorded
        with pytest.raises(ValidationError) as exc:
            services.visit_create(actor=world.social_worker, person=world.person_a, data=visit_input(**data))
        # then the error names the field and nothing changed
        assert field in exc.value.message_dict, overrides
        assert (Visit.objects.count(), AuditEntry.objects.count(), TimelineEvent.objects.count()) == before


def test_a_visitor_who_does_not_serve_the_person_is_refused(world):
    # given the social worker of squadron B named as visitor for a person of squadron A
    with pytest.raises(ValidationError) as exc:
        services.visit_create(
            actor=world.social_worker,
            person=world.person_a,
            data=visit_input(visitors=[world.social_worker, world.social_worker_b]),
        )
    # then the visit is refused
    assert "visitors" in exc.value.message_dict
    assert not Visit.objects.exists()


def test_a_person_outside_the_actors_scope_is_not_found(world):
    with pytest.raises(Http404):
        services.visit_create(
            actor=world.social_worker_b,
            person=world.person_a,
            data=visit_input(visitors=[world.social_worker_b]),
        )


def test_a_supervisor_may_read_but_not_record_visits(world):
    with pytest.raises(PermissionDenied):
        services.visit_create(actor=world.supervisor, person=world.person_a, data=visit_input(visitors=[]))


def test_an_admonition_writes_the_discipline_record_with_the_visit_as_its_source(world):
    # given a squadron officer who finds a breach on a visit
    officer = world.squadron_officer
    item = services.InterventionInput(InterventionKind.ADMONITION, "未经批准离开居住地")
    # when the visit is recorded with an admonition
    visit = services.visit_create(
        actor=officer, person=world.person_a, data=visit_input(visitors=[officer], interventions=[item])
    )
    # then the person's file holds an admonition whose source is this visit
    record = Discipline.objects.get(person=world.person_a)
    assert record.kind == DisciplineKind.ADMONITION
    assert record.source == Discipline.Source.VISIT
    assert (record.source_model, record.source_id) == ("visits.Visit", str(visit.pk))
    assert record.decided_by == officer
    intervention = Intervention.objects.get(visit=visit)
    assert (intervention.linked_model, intervention.linked_id) == ("people.Discipline", str(record.pk))


def test_a_social_worker_may_not_decide_an_admonition_and_nothing_is_written(world):
    # given a social worker who ticks an admonition
    item = services.InterventionInput(InterventionKind.ADMONITION, "未按时报告")
    # when the visit is recorded
    with pytest.raises(PermissionDenied):
        services.visit_create(
            actor=world.social_worker,
            person=world.person_a,
            data=visit_input(visitors=[world.social_worker], interventions=[item]),
        )
    # then neither the visit nor a discipline record exists
    assert not Visit.objects.exists()
    assert not Discipline.objects.exists()


def test_an_officer_adds_an_admonition_to_a_social_workers_visit_afterwards(world):
    # given a visit recorded by a social worker
    visit = services.visit_create(
        actor=world.social_worker, person=world.person_a, data=visit_input(visitors=[world.social_worker])
    )
    # when the bureau officer decides an admonition on it
    services.intervention_add(
        actor=world.bureau_officer,
        visit=visit,
        item=services.InterventionInput(InterventionKind.ADMONITION, "走访发现违反报告规定"),
    )
    # then the discipline record exists with the visit as source
    assert Discipline.objects.filter(source_id=str(visit.pk), kind=DisciplineKind.ADMONITION).count() == 1


def test_a_psychological_referral_opens_a_counselling_referral(world):
    from jiaozheng.counselling.models import Referral

    # given a social worker who finds emotional distress
    item = services.InterventionInput(InterventionKind.PSYCH_REFERRAL, "情绪低落，睡眠差，需要心理疏导")
    # when the visit is recorded with a referral
    visit = services.visit_create(
        actor=world.social_worker,
        person=world.person_a,
        data=visit_input(visitors=[world.social_worker], risk_signs=["emotional"], interventions=[item]),
    )
    # then a counselling referral is open with the visit as its source
    referral = Referral.objects.get(person=world.person_a)
    assert referral.source == "visit"
    assert (referral.source_model, referral.source_id) == ("visits.Visit", str(visit.pk))
    assert Intervention.objects.get(visit=visit).linked_id == str(referral.pk)


def test_hardship_help_on_a_visit_records_the_help_and_puts_the_person_on_the_list(world):
    # given a social worker (who may not change the caseload) finding a family in hardship
    item = services.InterventionInput(
        InterventionKind.HARDSHIP_HELP,
        "家中老人住院，经济困难",
        help_kind=HelpKind.CASH,
        amount=Decimal("500"),
        given_by="德馨社工",
    )
    # when the visit is recorded with hardship help (in the social worker's request)
    with acting_as(world.social_worker, "ui"):
        visit = services.visit_create(
            actor=world.social_worker,
            person=world.person_a,
            data=visit_input(visitors=[world.social_worker], interventions=[item]),
        )
    # then the help is recorded and the person is marked as a family in hardship
    help_row = HardshipHelp.objects.get(person=world.person_a)
    assert (help_row.kind, help_row.amount, help_row.visit_id) == (HelpKind.CASH, Decimal("500.00"), visit.pk)
    world.person_a.refresh_from_db()
    assert world.person_a.is_hardship is True
    # and the audit trail names the social worker, not the system account
    entry = AuditEntry.objects.filter(model="people.Person", object_id=str(world.person_a.pk)).last()
    assert entry.after["is_hardship"] is True
    assert entry.actor_id == world.social_worker.pk


def test_hardship_help_without_amount_or_goods_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.hardship_help_add(
            actor=world.social_worker,
            person=world.person_a,
            kind=HelpKind.MATERIAL,
            given_on=timezone.localdate(),
            given_by="村委会",
        )
    assert "material" in exc.value.message_dict
    assert not HardshipHelp.objects.exists()


def test_a_follow_up_task_is_added_and_closed_with_its_result(world):
    # given a visit with a follow-up task for the social worker
    due = timezone.localdate() + dt.timedelta(days=10)
    visit = services.visit_create(
        actor=world.squadron_officer,
        person=world.person_a,
        data=visit_input(
            visitors=[world.squadron_officer],
            tasks=[services.TaskInput("回访家庭矛盾调处情况", due, world.social_worker)],
        ),
    )
    task = FollowUpTask.objects.get(visit=visit)
    assert (task.assignee, task.due_on, task.status) == (world.social_worker, due, TaskStatus.OPEN)
    # when the social worker closes it without a result, then with one
    with pytest.raises(ValidationError):
        services.task_complete(actor=world.social_worker, task=task, result=" ")
    services.task_complete(actor=world.social_worker, task=task, result="已回访，矛盾已化解")
    # then it is done, with who and when
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_by == world.social_worker and task.done_at


def test_a_task_cannot_be_due_before_the_visit(world):
    with pytest.raises(ValidationError):
        services.visit_create(
            actor=world.social_worker,
            person=world.person_a,
            data=visit_input(
                visitors=[world.social_worker],
                tasks=[services.TaskInput("回访", timezone.localdate() - dt.timedelta(days=5))],
            ),
        )
    assert not Visit.objects.exists()


BAD_FILES = [
    ("photo.jpg", b"this is not a photo"),
    ("scene.jpg", PNG),
    ("../../etc/passwd.png", b"\x89PNG\r\n\x1a\n broken"),
    ("report.exe", b"MZ\x90\x00"),
    ("empty.pdf", b""),
    ("fake.docx", b"PK\x03\x04 not a zip"),
]


def test_bad_attachments_are_refused_and_nothing_is_written(world):
    # given a visit record
    visit = services.visit_create(
        actor=world.social_worker, person=world.person_a, data=visit_input(visitors=[world.social_worker])
    )
    for name, content in BAD_FILES:
        # when a broken, mislabelled or unsupported file is attached
        with pytest.raises(ValidationError):
            services.attachments_add(actor=world.social_worker, visit=visit, uploads=[(name, content)])
        # then no attachment exists
        assert not VisitAttachment.objects.exists(), name
    # and one bad file among good ones refuses the whole upload
    with pytest.raises(ValidationError):
        services.attachments_add(
            actor=world.social_worker, visit=visit, uploads=[("a.png", PNG), BAD_FILES[0]]
        )
    assert not VisitAttachment.objects.exists()


def test_a_photo_is_stored_under_a_safe_name_and_its_type_read_from_the_content(world):
    visit = services.visit_create(
        actor=world.social_worker,
        person=world.person_a,
        data=visit_input(visitors=[world.social_worker]),
        uploads=[("C:\\Users\\x\\现场照片.png", PNG)],
    )
    row = VisitAttachment.objects.get(visit=visit)
    assert row.original_name == "现场照片.png"
    assert row.content_type == "image/png"
    assert row.file.name.startswith("visits/") and ".." not in row.file.name
    assert row.file.read() == PNG


def test_overdue_warnings_go_to_the_team_once_per_missed_window(world, make_person, on_team):
    # given a strict person, in correction for four months, never visited, on the social worker's team
    person = make_person(cls="strict", intake_days_ago=120)
    on_team(person, world.social_worker)
    # when the daily warning runs twice
    first = services.overdue_warn(today=timezone.localdate())
    second = services.overdue_warn(today=timezone.localdate())
    # then one warning per missed window was sent once, to the team's social worker
    assert first >= 1 and second == 0
    warning = DueWarning.objects.get(person=person, visit_type=VisitType.FOCUS)
    assert warning.recipients == [world.social_worker.pk]
    note = Notification.objects.get(recipient=world.social_worker, kind="visits.overdue")
    assert person.name in note.body


def test_a_focus_visit_clears_the_overdue_item(world, make_person):
    # given a strict person who was not visited last month
    person = make_person(cls="strict", intake_days_ago=120)
    rows = due_list(actor=world.social_worker, visit_type=VisitType.FOCUS, person_ids=[person.pk])
    assert rows[0].item.status == "overdue"
    # when the social worker makes the focus field visit
    services.visit_create(
        actor=world.social_worker, person=person, data=visit_input(visitors=[world.social_worker])
    )
    # then the focus item is done for the month
    rows = due_list(
        actor=world.social_worker, visit_type=VisitType.FOCUS, person_ids=[person.pk], include_done=True
    )
    assert rows[0].item.status == "done"


def test_a_countys_own_standards_replace_the_defaults(world, make_person):
    # given an ordinary person with no visit, under the built-in quarterly routine standard
    person = make_person(cls="ordinary", intake_days_ago=400)
    [row] = due_list(actor=world.bureau_admin, person_ids=[person.pk])
    assert row.item.standard.key == "default:routine_ordinary"
    # when the county adopts the standards and makes ordinary persons monthly, by two contacts
    services.standards_adopt(actor=world.bureau_admin, county=world.county_x)
    row_std = VisitStandard.objects.get(unit=world.county_x, supervision_class="ordinary")
    data = {f: getattr(row_std, f) for f in services.STANDARD_FIELDS}
    data.update(required_count=2, period_length=1, name="普管每月两次")
    services.standard_save(actor=world.bureau_admin, standard=row_std, data=data)
    # then the person's due item follows the county's row
    [row] = due_list(actor=world.bureau_admin, person_ids=[person.pk])
    assert row.item.standard.name == "普管每月两次"
    assert row.item.window.required == 2
    assert row.item.window.end.day >= 28


def test_only_the_bureau_sets_standards(world):
    with pytest.raises(PermissionDenied):
        services.standards_adopt(actor=world.squadron_officer, county=world.county_x)
    with pytest.raises(PermissionDenied):
        services.standards_adopt(actor=world.social_worker, county=world.county_x)
    assert not VisitStandard.objects.exists()


def test_a_standard_with_a_nonsense_period_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.standard_save(
            actor=world.bureau_admin,
            unit=world.county_x,
            data={
                "name": "x",
                "visit_type": "focus",
                "supervision_class": "",
                "entrant": "any",
                "required_count": 1,
                "period_unit": "month",
                "period_length": 40,
                "counts_types": ["routine"],
                "methods": [],
                "active": True,
            },
        )
    assert {"period_length", "counts_types"} <= set(exc.value.message_dict)
    assert not VisitStandard.objects.exists()


def test_quota_progress_reads_the_registered_measures(world, make_person):
    # given a routine-visits quota and a subjects quota on county X's contract
    services.quota_save(
        actor=world.bureau_admin,
        contract=world.contract_x,
        visit_type="routine",
        unit=QuotaUnit.VISITS,
        target=10,
    )
    services.quota_save(
        actor=world.bureau_admin,
        contract=world.contract_x,
        visit_type="focus",
        unit=QuotaUnit.SUBJECTS,
        target=5,
    )
    # and three routine visits to two persons, and a focus visit
    other = make_person()
    for person in (world.person_a, world.person_a, other):
        services.visit_create(
            actor=world.social_worker,
            person=person,
            data=visit_input(
                visitors=[world.social_worker], visit_type="routine", method="phone_check", field_target=""
            ),
        )
    services.visit_create(
        actor=world.social_worker, person=other, data=visit_input(visitors=[world.social_worker])
    )
    # when the progress is read
    [(contract, rows)] = [c for c in quota_progress(actor=world.bureau_admin) if c[0] == world.contract_x]
    # then the actuals are 3 visits and 1 person
    assert {(r.quota.visit_type, r.actual) for r in rows} == {("routine", 3), ("focus", 1)}
    # and a social worker may not set quotas
    with pytest.raises(PermissionDenied):
        services.quota_save(
            actor=world.social_worker,
            contract=world.contract_x,
            visit_type="routine",
            unit="visits",
            target=1,
        )


def test_a_countys_rule_values_change_who_owes_what(world, make_person):
    from jiaozheng.core.models import RuleValue
    from jiaozheng.core.rules import clear_cache

    # given an ordinary person who reported 100 days ago: no longer a new entrant under the 2-month default
    person = make_person(cls="ordinary", intake_days_ago=100)
    assert not due_list(actor=world.social_worker, person_ids=[person.pk], visit_type=VisitType.FOCUS)
    # when the county counts persons as new entrants for 6 months
    RuleValue.objects.create(key="people.new_entrant_months", unit=world.county_x, value=6)
    clear_cache()
    # then the person owes the monthly focus visit of new entrants
    [row] = due_list(actor=world.social_worker, person_ids=[person.pk], visit_type=VisitType.FOCUS)
    assert row.item.standard.key == "default:focus_new"
    assert row.new_entrant is True
