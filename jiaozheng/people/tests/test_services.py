"""Caseload services: registration, validation, lifecycle, class changes, discipline, juveniles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiaozheng.audit.models import AuditEntry, TimelineEvent
from jiaozheng.core.testing.world import person_data
from jiaozheng.people import services
from jiaozheng.people.choices import DisciplineKind, EventKind, Status, SupervisionClass
from jiaozheng.people.models import Person

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_registration_derives_county_case_number_juvenile_and_encrypts_identity(world):
    # given valid data for a 16-year-old in squadron A
    data = person_data(squadron=world.squadron_a, township=world.township_a, age=16)
    # when the squadron officer registers them
    person = services.person_create(actor=world.squadron_officer, data=data)
    # then the derived fields are set and the ID number is not stored in clear
    assert person.county_id == world.county_x.pk
    assert person.case_number.startswith("431224-")
    assert person.is_juvenile
    assert person.status == Status.IN_CORRECTION
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_person WHERE id = %s", [person.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert data["id_number"] not in raw_id and raw_id.startswith("enc1:")
    assert data["phone"] not in raw_phone
    assert Person.objects.get(pk=person.pk).id_number == data["id_number"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "43122419850312001X", "check digit"),
        ("id_number", "4312241985031200", "17 digits"),
        ("phone", "2380000000", "11 digits"),
        ("term_end", dt.date(2000, 1, 1), "cannot end before"),
        ("birth_date", dt.date(2099, 1, 1), "future"),
    ],
)
def test_invalid_registration_data_is_refused_with_a_clear_message_and_nothing_is_saved(
    world, field, value, message
):
    data = person_data(squadron=world.squadron_a)
    data[field] = value
    before = Person.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.person_create(actor=world.squadron_officer, data=data)
    assert message in " ".join(excinfo.value.messages)
    assert (Person.objects.count(), AuditEntry.objects.count()) == before


def test_birth_date_and_gender_must_match_the_id_number(world):
    data = person_data(squadron=world.squadron_a)
    data["gender"] = "female"
    with pytest.raises(ValidationError, match="gender"):
        services.person_create(actor=world.squadron_officer, data=data)


def test_a_person_already_in_correction_cannot_be_registered_twice(world):
    data = person_data(squadron=world.squadron_a)
    services.person_create(actor=world.squadron_officer, data=data)
    again = dict(data, name="别名")
    with pytest.raises(ValidationError, match="already under correction"):
        services.person_create(actor=world.bureau_officer, data=again)


def test_staff_cannot_register_persons_outside_their_squadron(world):
    data = person_data(squadron=world.squadron_b)
    with pytest.raises(PermissionDenied):
        services.person_create(actor=world.squadron_officer, data=data)
    assert not Person.objects.filter(name=data["name"]).exists()


def test_social_workers_may_not_change_the_caseload(world):
    with pytest.raises(PermissionDenied):
        services.class_change(actor=world.social_worker, person=world.person_a, to_class="strict", reason="x")


def test_report_within_ten_days_is_on_time_and_a_late_one_is_flagged_with_its_days(world):
    # given a pending person whose judgment took effect 15 days ago
    data = person_data(squadron=world.squadron_a, intake_days_ago=None)
    data["judgment_effective_on"] = TODAY() - dt.timedelta(days=15)
    data["term_start"] = data["judgment_effective_on"]
    person = services.person_create(actor=world.squadron_officer, data=data)
    assert person.status == Status.PENDING
    # when they report today
    services.person_report(actor=world.squadron_officer, person=person, reported_on=TODAY())
    person.refresh_from_db()
    # then they are in correction, and the report is 5 days late (deadline = 10 days)
    assert person.status == Status.IN_CORRECTION
    assert person.reported_late_days == 5
    event = person.events.get(kind=EventKind.REPORTED)
    assert event.data["late_days"] == 5
    assert services.late_report_suggestion(person) == "admonition"


def test_a_report_on_the_tenth_day_is_on_time(world):
    data = person_data(squadron=world.squadron_a, intake_days_ago=None)
    data["judgment_effective_on"] = TODAY() - dt.timedelta(days=10)
    data["term_start"] = data["judgment_effective_on"]
    person = services.person_create(actor=world.squadron_officer, data=data)
    services.person_report(actor=world.squadron_officer, person=person, reported_on=TODAY())
    person.refresh_from_db()
    assert person.reported_late_days == 0
    assert services.late_report_suggestion(person) == ""


def test_more_than_ten_days_late_suggests_a_warning(world):
    data = person_data(squadron=world.squadron_a, intake_days_ago=None)
    data["judgment_effective_on"] = TODAY() - dt.timedelta(days=25)
    data["term_start"] = data["judgment_effective_on"]
    person = services.person_create(actor=world.squadron_officer, data=data)
    services.person_report(actor=world.squadron_officer, person=person, reported_on=TODAY())
    person.refresh_from_db()
    assert services.late_report_suggestion(person) == "warning"


def test_class_change_keeps_its_history_and_reason(world):
    person = world.person_a
    change = services.class_change(
        actor=world.squadron_officer, person=person, to_class=SupervisionClass.STRICT, reason="两次未按时报告"
    )
    person.refresh_from_db()
    assert person.supervision_class == SupervisionClass.STRICT
    assert (change.from_class, change.to_class) == (SupervisionClass.ORDINARY, SupervisionClass.STRICT)
    assert person.class_changes.count() == 2  # the initial class and this change
    with pytest.raises(ValidationError, match="reason"):
        services.class_change(actor=world.squadron_officer, person=person, to_class="lenient", reason=" ")
    with pytest.raises(ValidationError, match="already"):
        services.class_change(actor=world.squadron_officer, person=person, to_class="strict", reason="x")


def test_new_entrant_period_is_derived_from_the_intake_date_and_the_rule(world):
    fresh = services.person_create(
        actor=world.squadron_officer, data=person_data(squadron=world.squadron_a, intake_days_ago=20)
    )
    old = world.person_a  # reported 200 days ago
    assert fresh.is_new_entrant() and not old.is_new_entrant()
    assert set(Person.objects.new_entrants().values_list("pk", flat=True)) >= {fresh.pk}
    assert old.pk not in set(Person.objects.new_entrants().values_list("pk", flat=True))


def test_new_entrant_period_length_is_a_provincial_rule(world):
    from jiaozheng.core.models import RuleValue
    from jiaozheng.core.rules import clear_cache

    person = world.person_a  # 200 days since intake
    RuleValue.objects.create(key="people.new_entrant_months", unit=world.province, value=12)
    clear_cache()
    assert person.is_new_entrant()


def test_release_and_termination_end_the_correction(world):
    services.person_release(actor=world.squadron_officer, person=world.person_a, released_on=TODAY())
    world.person_a.refresh_from_db()
    assert world.person_a.status == Status.RELEASED
    with pytest.raises(ValidationError):
        services.person_release(actor=world.squadron_officer, person=world.person_a, released_on=TODAY())
    services.person_terminate(
        actor=world.bureau_officer, person=world.subject_person, terminated_on=TODAY(), reason="revocation"
    )
    world.subject_person.refresh_from_db()
    assert world.subject_person.status == Status.TERMINATED


def test_two_admonitions_suggest_a_warning_and_a_warning_resets_that_count(world):
    person = world.person_a
    for _ in range(2):
        services.discipline_add(
            actor=world.squadron_officer, person=person, kind=DisciplineKind.ADMONITION, reason="未按时报告"
        )
    assert services.escalation_status(person).suggestion == "warning"
    services.discipline_add(
        actor=world.squadron_officer, person=person, kind=DisciplineKind.WARNING, reason="屡教不改"
    )
    status = services.escalation_status(person)
    assert (status.admonitions, status.warnings, status.suggestion) == (2, 1, "")
    services.discipline_add(
        actor=world.squadron_officer, person=person, kind=DisciplineKind.WARNING, reason="再犯"
    )
    assert services.escalation_status(person).suggestion == "revocation"


def test_a_commendation_needs_six_months_in_correction(world):
    fresh = services.person_create(
        actor=world.squadron_officer, data=person_data(squadron=world.squadron_a, intake_days_ago=30)
    )
    with pytest.raises(ValidationError, match="6 months"):
        services.discipline_add(
            actor=world.squadron_officer, person=fresh, kind=DisciplineKind.COMMENDATION, reason="表现良好"
        )
    services.discipline_add(
        actor=world.squadron_officer,
        person=world.person_a,
        kind=DisciplineKind.COMMENDATION,
        reason="表现良好",
    )


def test_a_female_persons_team_needs_a_woman(world):
    person = world.subject_person  # female
    services.team_member_add(
        actor=world.squadron_officer, person=person, name="张三", role="officer", gender="male"
    )
    assert any("woman" in w for w in services.team_warnings(person))
    services.team_member_add(
        actor=world.squadron_officer, person=person, name="李四", role="social_worker", gender="female"
    )
    assert services.team_warnings(person) == []


def test_plan_review_moves_the_next_review_date(world):
    plan = services.plan_create(
        actor=world.squadron_officer,
        person=world.person_a,
        made_on=TODAY(),
        goals="按时报告",
        measures="每月走访",
    )
    assert plan.next_review_on == TODAY() + dt.timedelta(days=90)
    services.plan_review(
        actor=world.squadron_officer,
        plan=plan,
        reviewed_on=TODAY(),
        findings="表现稳定",
        next_review_on=TODAY() + dt.timedelta(days=60),
    )
    plan.refresh_from_db()
    assert plan.next_review_on == TODAY() + dt.timedelta(days=60)


def test_prohibition_zones_are_validated(world):
    with pytest.raises(ValidationError, match="radius"):
        services.prohibition_add(
            actor=world.squadron_officer,
            person=world.person_a,
            kind="area",
            content="禁止进入娱乐场所",
            start_on=TODAY(),
            end_on=TODAY(),
            zone={"type": "Circle", "center": [110.6, 27.9], "radius_m": 5},
        )
    bowtie = {"type": "Polygon", "coordinates": [[[110, 27], [111, 28], [111, 27], [110, 28], [110, 27]]]}
    with pytest.raises(ValidationError, match="crosses itself"):
        services.prohibition_add(
            actor=world.squadron_officer,
            person=world.person_a,
            kind="area",
            content="x",
            start_on=TODAY(),
            end_on=TODAY(),
            zone=bowtie,
        )
    order = services.prohibition_add(
        actor=world.squadron_officer,
        person=world.person_a,
        kind="area",
        content="禁止进入网吧",
        start_on=TODAY(),
        end_on=TODAY() + dt.timedelta(days=90),
        zone={"type": "Circle", "center": [110.6, 27.9], "radius_m": 300},
    )
    assert order.in_force()


def test_every_write_is_audited_with_actor_and_reaches_the_timeline(world):
    from jiaozheng.audit.context import acting_as

    with acting_as(world.squadron_officer, "ui", request_id="req-1234567890"):
        services.class_change(
            actor=world.squadron_officer, person=world.person_a, to_class="strict", reason="测试"
        )
    entry = AuditEntry.objects.filter(model="people.Person", object_id=str(world.person_a.pk)).last()
    assert entry.actor == world.squadron_officer
    assert entry.request_id == "req-1234567890"
    assert entry.before["supervision_class"] == "ordinary" and entry.after["supervision_class"] == "strict"
    assert "id_number" not in entry.after  # only changed fields are recorded
    assert TimelineEvent.objects.filter(person=world.person_a, verb="person.class_changed").exists()
