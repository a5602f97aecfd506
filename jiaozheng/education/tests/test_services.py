"""Sessions, rosters, attendance and hours through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jiaozheng.audit.models import TimelineEvent
from jiaozheng.core.models import Notification
from jiaozheng.education import services
from jiaozheng.education.models import Attendance, Session
from jiaozheng.education.tests.helpers import held_session, make_session, session_data
from jiaozheng.orgs.services import user_create
from jiaozheng.people.models import Discipline

pytestmark = pytest.mark.django_db


def test_a_session_puts_the_adults_of_its_squadron_on_the_roster(world):
    # given squadron A with two adults, the subject and a juvenile, and squadron B with one adult
    # when a session for squadron A is planned
    session = make_session(world, days=3)
    # then the adults of A are on its roster, the juvenile (educated apart) and B's person are not
    names = set(session.attendances.values_list("person__name", flat=True))
    assert names == {"甲某", "本人"}
    assert session.status == "planned" and session.hours == Decimal("2.0")


def test_a_session_for_two_squadrons_serves_both_and_a_juveniles_session_only_juveniles(world):
    # when a session serves squadrons A and B, and another is a juveniles' session
    shared = make_session(world, days=3, squadrons=[world.squadron_a, world.squadron_b])
    juveniles = make_session(world, days=3, for_juveniles=True, title="未成年人专场")
    # then the first roster holds A's and B's adults, the second only the juvenile
    assert set(shared.attendances.values_list("person__name", flat=True)) == {"甲某", "本人", "乙某"}
    assert list(juveniles.attendances.values_list("person__name", flat=True)) == ["少年"]


def test_education_by_category_lists_only_those_offence_categories(world):
    # given person_b convicted of theft
    world.person_b.offence_category = "theft"
    world.person_b.save()
    # when a session by category for theft is planned for both squadrons
    session = make_session(
        world,
        days=2,
        squadrons=[world.squadron_a, world.squadron_b],
        mode="by_category",
        offence_categories=["theft"],
    )
    # then only person_b is on the roster
    assert list(session.attendances.values_list("person__name", flat=True)) == ["乙某"]


def test_bad_session_data_is_refused_with_every_problem_and_changes_nothing(world):
    # when a session is planned with no place, an end before its start and an unknown category
    data = session_data(world, place="", category="cooking", start_time=dt.time(11), end_time=dt.time(9))
    with pytest.raises(ValidationError) as exc:
        services.session_create(actor=world.bureau_admin, data=data)
    # then every problem is reported and nothing is stored
    assert {"place", "category", "end_time"} <= set(exc.value.message_dict)
    assert not Session.objects.exists()


def test_squadron_staff_cannot_plan_for_another_squadron_or_the_whole_county(world):
    # when the social worker of A plans a session for squadron B, or for the whole county
    with pytest.raises(ValidationError) as exc:
        services.session_create(
            actor=world.social_worker, data=session_data(world, squadrons=[world.squadron_b])
        )
    assert "squadrons" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.session_create(
            actor=world.social_worker, data=session_data(world, squadrons=[], county=world.county_x)
        )
    # and the contractor's supervisor (view only) may not plan at all
    with pytest.raises(PermissionDenied):
        services.session_create(actor=world.supervisor, data=session_data(world))


def test_holding_marking_and_hours(world):
    # given a session of A that took place yesterday
    session = make_session(world)
    services.session_hold(actor=world.social_worker, session=session, summary="顺利开展")
    present = session.attendances.get(person=world.person_a)
    absent = session.attendances.get(person=world.subject_person)
    # when the roster is marked with one click each
    services.attendance_mark(actor=world.social_worker, attendance=present, status="present")
    services.attendance_mark(actor=world.social_worker, attendance=absent, status="absent")
    # then the present person is credited the session's hours, the absent one nothing
    present.refresh_from_db()
    absent.refresh_from_db()
    assert (present.status, present.hours) == ("present", Decimal("2.0"))
    assert (absent.status, absent.hours) == ("absent", Decimal("0"))
    # and both persons' timelines say so
    verbs = dict(TimelineEvent.objects.filter(model="education.Attendance").values_list("person_id", "verb"))
    assert verbs == {world.person_a.pk: "education.attended", world.subject_person.pk: "education.absent"}
    # and changing the session's hours afterwards changes the credited hours
    services.session_update(actor=world.social_worker, session=session, data={"hours": Decimal("3")})
    present.refresh_from_db()
    assert present.hours == Decimal("3.0")


def test_attendance_cannot_be_marked_before_the_start_or_on_a_cancelled_session(world):
    # given a session next week
    session = make_session(world, days=7)
    row = session.attendances.get(person=world.person_a)
    # then presence cannot be marked yet, but leave can
    with pytest.raises(ValidationError):
        services.attendance_mark(actor=world.social_worker, attendance=row, status="present")
    services.attendance_mark(actor=world.social_worker, attendance=row, status="excused")
    with pytest.raises(ValidationError):
        services.session_hold(actor=world.social_worker, session=session)
    # and once cancelled, nothing can be marked
    services.session_cancel(actor=world.social_worker, session=session, reason="pandemic")
    with pytest.raises(ValidationError):
        services.attendance_mark(actor=world.social_worker, attendance=row, status="excused")


def test_cancellation_needs_a_reason_keeps_held_sessions_and_tells_the_persons(world):
    session = make_session(world, days=2)
    # when "other" is given without explanation, nothing changes
    with pytest.raises(ValidationError):
        services.session_cancel(actor=world.social_worker, session=session, reason="other")
    session.refresh_from_db()
    assert session.status == "planned"
    # when cancelled for pandemic control, the subject's account is told
    services.session_cancel(actor=world.social_worker, session=session, reason="pandemic", note="疫情防控")
    assert Notification.objects.filter(recipient=world.subject, kind="education.cancelled").exists()
    # and a held session cannot be cancelled
    held = held_session(world)
    with pytest.raises(ValidationError):
        services.session_cancel(actor=world.social_worker, session=held, reason="weather")


def test_rescheduling_links_the_old_session_to_a_new_planned_one(world):
    session = make_session(world, days=2)
    new_day = timezone.localdate() + dt.timedelta(days=9)
    # when the session is moved
    moved = services.session_reschedule(
        actor=world.social_worker,
        session=session,
        date=new_day,
        start_time=dt.time(14),
        end_time=dt.time(16),
        reason="weather",
    )
    session.refresh_from_db()
    # then the old one is "rescheduled" and points to the new planned session with the same roster
    assert session.status == "rescheduled" and session.rescheduled_to == moved
    assert moved.status == "planned" and moved.date == new_day
    assert set(moved.attendances.values_list("person_id", flat=True)) == set(
        session.attendances.values_list("person_id", flat=True)
    )


def test_a_squadron_worker_sees_and_marks_only_their_squadrons_rows(world):
    # given a session shared by A and B
    session = make_session(world, squadrons=[world.squadron_a, world.squadron_b])
    row_b = session.attendances.get(person=world.person_b)
    # then A's social worker may not mark B's person (404: the row does not exist for them)
    with pytest.raises(Http404):
        services.attendance_mark(actor=world.social_worker, attendance=row_b, status="present")
    # and "mark all present" marks only the rows they see
    services.session_hold(actor=world.social_worker, session=session)
    marked = services.attendance_mark_all_present(actor=world.social_worker, session=session)
    assert marked == 2
    row_b.refresh_from_db()
    assert row_b.status == "expected"


def test_quiz_scores_only_for_persons_present_and_within_full_marks(world):
    session = held_session(
        world, present=[world.person_a], absent=[world.subject_person], max_score=Decimal("100")
    )
    present = session.attendances.get(person=world.person_a)
    absent = session.attendances.get(person=world.subject_person)
    services.attendance_score(actor=world.social_worker, attendance=present, score="88.5")
    present.refresh_from_db()
    assert present.score == Decimal("88.5")
    with pytest.raises(ValidationError):
        services.attendance_score(actor=world.social_worker, attendance=present, score="120")
    with pytest.raises(ValidationError):
        services.attendance_score(actor=world.social_worker, attendance=absent, score="50")


def test_the_roster_refresh_adds_a_new_entrant(world):
    # given a planned session, then a person registered in squadron A who reported a week ago
    from jiaozheng.core.testing.world import person_data
    from jiaozheng.people.services import person_create

    session = make_session(world, days=5)
    newcomer = person_create(
        actor=world.bureau_admin,
        data=person_data(
            squadron=world.squadron_a, township=world.township_a, name="新人", intake_days_ago=7
        ),
    )
    # when the roster is refreshed
    added = services.session_roster_refresh(actor=world.social_worker, session=session)
    # then the newcomer is on it
    assert added == 1 and session.attendances.filter(person=newcomer).exists()


def test_admission_education_lists_new_entrants_who_have_not_had_it(world):
    from jiaozheng.core.testing.world import person_data
    from jiaozheng.people.services import person_create

    newcomer = person_create(
        actor=world.bureau_admin,
        data=person_data(
            squadron=world.squadron_a, township=world.township_a, name="新人", intake_days_ago=10
        ),
    )
    first = held_session(world, stage="admission", category="admission", present=[newcomer])
    assert list(first.attendances.values_list("person_id", flat=True)) == [newcomer.pk]
    # when another admission session is planned, the newcomer who had it is not called again
    second = make_session(world, days=3, stage="admission", category="admission")
    assert not second.attendances.exists()


def test_absences_lead_to_an_admonition_once(world):
    # given two unexcused absences this month... or last month if today is early in the month
    day = timezone.localdate() - dt.timedelta(days=1)
    held_session(world, absent=[world.person_a], date=day)
    month = day.replace(day=1)
    # when the county records an admonition for them
    record = services.absence_admonition(actor=world.squadron_officer, person=world.person_a, month=month)
    # then it is a discipline record whose source is education, and a second one is refused
    assert record.kind == "admonition" and record.source == Discipline.Source.EDUCATION
    with pytest.raises(ValidationError):
        services.absence_admonition(actor=world.squadron_officer, person=world.person_a, month=month)
    # and a person without absences cannot be admonished for them
    with pytest.raises(ValidationError):
        services.absence_admonition(actor=world.squadron_officer, person=world.subject_person, month=month)


def test_a_held_session_keeps_its_date(world):
    session = held_session(world)
    with pytest.raises(ValidationError):
        services.session_update(
            actor=world.social_worker, session=session, data={"date": session.date - dt.timedelta(days=3)}
        )


def test_lecturer_must_be_an_active_staff_account(world):
    subject_account = user_create(
        actor=world.system,
        username="s2",
        role="subject",
        full_name="x",
        password="Test-pass-2026",
        person=world.person_b,
        validate=False,
    )
    with pytest.raises(ValidationError) as exc:
        make_session(world, lecturer=subject_account)
    assert "lecturer" in exc.value.message_dict
    assert Attendance.objects.count() == 0
