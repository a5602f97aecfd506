"""Individual cases with encrypted notes readable by counsellors only; group formation from results; group
sessions with attendance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from jiaozheng.assessments.testing import completed_assessment
from jiaozheng.audit.models import AccessLog
from jiaozheng.core.testing.world import person_data
from jiaozheng.counselling import services
from jiaozheng.counselling.choices import CaseStatus, ReferralStatus
from jiaozheng.counselling.models import CaseNote, CounsellingGroup, GroupAttendance, GroupSession
from jiaozheng.people.services import person_create

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_counsellor_opens_a_case_from_a_referral_records_sessions_and_closes_it(world):
    referral = services.referral_open(
        actor=world.social_worker, person=world.person_a, reason="走访发现失眠", source="visit"
    )
    case = services.case_open(
        actor=world.counsellor,
        person=world.person_a,
        referral=referral,
        presenting_problem="失眠、焦虑",
        goals="改善睡眠",
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    session = services.case_session_add(
        actor=world.counsellor,
        case=case,
        held_on=TODAY(),
        minutes=50,
        topic="睡眠卫生",
        note="来访者谈到家庭矛盾，细节保密。",
    )
    assert session.notes.count() == 1
    case = services.case_close(
        actor=world.counsellor, case=case, closed_on=TODAY(), outcome="improved", summary="睡眠改善"
    )
    assert case.status == CaseStatus.CLOSED and case.outcome == "improved"
    with pytest.raises(ValidationError, match="closed"):
        services.case_session_add(actor=world.counsellor, case=case, held_on=TODAY())


def test_confidential_notes_are_encrypted_at_rest_and_only_counsellors_read_them(world, login):
    case = services.case_open(
        actor=world.counsellor, person=world.person_a, presenting_problem="p", goals="g"
    )
    services.case_note_add(actor=world.counsellor, case=case, text="极其保密的内容")
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM counselling_casenote WHERE case_id = %s", [case.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("enc1:") and "保密" not in raw
    # the counsellor reads it (logged); the squadron officer sees the case but not the note
    body = login(world.counsellor).get(reverse("counselling:case_detail", args=[case.pk])).content.decode()
    assert "极其保密的内容" in body
    assert AccessLog.objects.filter(kind="counselling", actor=world.counsellor).exists()
    from django.test import Client

    officer = Client()
    officer.force_login(world.squadron_officer)
    body = officer.get(reverse("counselling:case_detail", args=[case.pk])).content.decode()
    assert "极其保密的内容" not in body and world.person_a.name in body
    with pytest.raises(PermissionDenied):
        services.case_note_add(actor=world.social_worker, case=case, text="x")


def test_a_case_needs_a_problem_and_goals_and_one_open_case_per_person(world):
    with pytest.raises(ValidationError) as excinfo:
        services.case_open(actor=world.counsellor, person=world.person_a, presenting_problem="", goals=" ")
    assert {"presenting_problem", "goals"} <= set(excinfo.value.message_dict)
    services.case_open(actor=world.counsellor, person=world.person_a, presenting_problem="p", goals="g")
    with pytest.raises(ValidationError, match="already has an open case"):
        services.case_open(actor=world.counsellor, person=world.person_a, presenting_problem="p", goals="g")
    with pytest.raises(PermissionDenied):
        services.case_open(
            actor=world.social_worker, person=world.person_b, presenting_problem="p", goals="g"
        )


def _positive_scl90(level_item_value: int) -> list[int]:
    answers = [1] * 90
    for item in (5, 14, 15, 20, 22, 26, 29, 30, 31, 32, 54, 71, 79):  # depression items
        answers[item - 1] = level_item_value
    return answers


def _cohort(world, n_men=14, n_women=3):
    persons = []
    for i in range(n_men + n_women):
        gender = "male" if i < n_men else "female"
        person = person_create(
            actor=world.bureau_admin,
            data=person_data(squadron=world.squadron_a, township=world.township_a, gender=gender, age=25 + i),
        )
        completed_assessment(person, "scl90", _positive_scl90(2 + i % 3), on=TODAY() - dt.timedelta(days=10))
        persons.append(person)
    return persons


def test_groups_are_proposed_from_results_adjusted_and_confirmed(world):
    persons = _cohort(world)
    # an urgent PHQ-9 does not matter here; a very high psychoticism SCL-90 routes to individual work
    psych = person_create(
        actor=world.bureau_admin, data=person_data(squadron=world.squadron_a, township=world.township_a)
    )
    answers = [1] * 90
    for item in (7, 16, 35, 62, 77, 84, 85, 87, 88, 90):
        answers[item - 1] = 4
    completed_assessment(psych, "scl90", answers)
    formation = services.formation_propose(actor=world.counsellor, county=world.county_x)
    proposal = formation.proposal
    # 14 men → groups of 7 and 7; 3 women wait (gender is a hard stratum); the psychoticism case is routed
    assert sorted(len(g["members"]) for g in proposal["groups"]) == [7, 7]
    women = {p.pk for p in persons if p.gender == "female"}
    assert {w["person_id"] for w in proposal["waitlist"]} == women
    assert [i["person_id"] for i in proposal["individual"]] == [psych.pk]
    # a move across genders is refused with the reason; a move within bounds is not possible either (7 → 6 ok, 7 → 8 ok)
    woman = next(iter(women))
    with pytest.raises(ValidationError, match="other gender"):
        services.formation_move(actor=world.counsellor, formation=formation, person_id=woman, target="1")
    man = proposal["groups"][0]["members"][0]
    formation = services.formation_move(
        actor=world.counsellor, formation=formation, person_id=man, target="2"
    )
    assert [len(g["members"]) for g in formation.proposal["groups"]] == [6, 8]
    with pytest.raises(ValidationError, match="fewer than 6"):
        services.formation_move(
            actor=world.counsellor,
            formation=formation,
            person_id=formation.proposal["groups"][0]["members"][0],
            target="wait",
        )
    groups = services.formation_confirm(actor=world.counsellor, formation=formation)
    assert [g.members.count() for g in groups] == [6, 8]
    assert "男性" in groups[0].profile and "总均分" in groups[0].profile
    # the same persons are not proposed again while in an active group
    with pytest.raises(ValidationError, match="eligible"):
        services.formation_propose(actor=world.counsellor, county=world.county_x)


def test_group_sessions_record_attendance_and_count_as_held(world):
    _cohort(world, n_men=6, n_women=0)
    formation = services.formation_propose(actor=world.counsellor, county=world.county_x)
    group = services.formation_confirm(actor=world.counsellor, formation=formation)[0]
    members = list(group.members.values_list("person_id", flat=True))
    session = services.group_session_record(
        actor=world.counsellor, group=group, held_on=TODAY(), topic="情绪调适", present_ids=members[:5]
    )
    assert session.status == "held"
    assert GroupAttendance.objects.filter(session=session, present=True).count() == 5
    assert GroupAttendance.objects.filter(session=session, present=False).count() == 1
    planned = services.group_session_record(
        actor=world.counsellor,
        group=group,
        held_on=TODAY() + dt.timedelta(days=7),
        topic="人际沟通",
        planned=True,
    )
    assert planned.status == "planned"
    with pytest.raises(ValidationError, match="future"):
        services.group_session_attendance(actor=world.counsellor, session=planned, present_ids=members)
    with pytest.raises(ValidationError, match="not members"):
        services.group_session_record(
            actor=world.counsellor, group=group, held_on=TODAY(), topic="x", present_ids=[world.person_y.pk]
        )
    assert GroupSession.objects.filter(status="held").count() == 1
    assert CounsellingGroup.objects.count() == 1
    assert CaseNote.objects.count() == 0
