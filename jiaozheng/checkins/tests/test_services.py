"""Services: enrolment, plans, issuing, expiry with alerts, submission, review, retention."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from jiaozheng.checkins import services, synthetic
from jiaozheng.checkins.models import (
    CheckinAttempt,
    CheckinPlan,
    CheckinRequest,
    ReferencePhoto,
    unpack_frames,
)
from jiaozheng.checkins.testing import make_request
from jiaozheng.checkins.tests.conftest import face, failed_request, frames_b64
from jiaozheng.core.errors import Conflict
from jiaozheng.location.models import Alert


def png(name="astronaut"):
    return synthetic.to_bytes(face(name), "PNG")


def aware(day: dt.date, hh: int, mm: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))


# --- enrolment -----------------------------------------------------------------------------------------


def test_enrolling_stores_the_image_and_descriptor_encrypted(world):
    # given a squadron officer and a person of their squadron
    person = world.person_a
    # when the astronaut photo is enrolled
    photo = services.reference_enrol(actor=world.squadron_officer, person=person, image=png())
    # then one active reference holds a 128-number descriptor, the box and quality
    photo.refresh_from_db()
    assert photo.active and len(photo.descriptor) == 128 * 8
    assert photo.quality["face_px"] >= 80 and len(photo.box) == 4
    assert bytes(photo.image)[:3] == b"\xff\xd8\xff"
    # and the database holds neither in clear
    with connection.cursor() as cursor:
        cursor.execute("SELECT image, descriptor FROM checkins_referencephoto WHERE id = %s", [photo.pk])
        raw_image, raw_descriptor = cursor.fetchone()
    assert bytes(raw_image)[:3] != b"\xff\xd8\xff" and bytes(raw_descriptor) != bytes(photo.descriptor)


def test_a_photo_without_a_face_or_with_two_faces_is_refused_and_nothing_stored(world, astronaut, grace):
    officer, person = world.squadron_officer, world.person_a
    # when a faceless image is enrolled
    with pytest.raises(ValidationError) as err:
        services.reference_enrol(actor=officer, person=person, image=synthetic.to_bytes(synthetic.blank()))
    # then the reason is clear and nothing is stored
    assert "No face" in str(err.value)
    # and two people in one photo are refused too
    with pytest.raises(ValidationError) as err:
        services.reference_enrol(
            actor=officer, person=person, image=synthetic.to_bytes(synthetic.side_by_side(astronaut, grace))
        )
    assert "2 faces" in str(err.value)
    with pytest.raises(ValidationError) as err:
        services.reference_enrol(actor=officer, person=person, image=b"not an image")
    assert "JPEG or PNG" in str(err.value)
    assert not ReferencePhoto.objects.filter(person=person).exists()


def test_re_enrolling_keeps_one_photo_in_use_and_the_history(world):
    officer, person = world.squadron_officer, world.person_a
    first = services.reference_enrol(actor=officer, person=person, image=png())
    second = services.reference_enrol(actor=officer, person=person, image=png("grace_hopper"))
    first.refresh_from_db()
    assert not first.active and first.retired_at is not None
    assert list(ReferencePhoto.objects.filter(person=person, active=True)) == [second]


def test_enrolment_respects_roles_and_scope(world):
    # the supervised person may not enrol themself, a counsellor has no location role,
    # and a social worker of another squadron does not see the person
    with pytest.raises(PermissionDenied):
        services.reference_enrol(actor=world.subject, person=world.subject_person, image=png())
    with pytest.raises(PermissionDenied):
        services.reference_enrol(actor=world.counsellor, person=world.person_a, image=png())
    with pytest.raises(Http404):
        services.reference_enrol(actor=world.social_worker_b, person=world.person_a, image=png())
    assert not ReferencePhoto.objects.exists()


# --- plans and issuing ---------------------------------------------------------------------------------


def test_scheduled_check_ins_are_issued_once_at_their_time(world, enrolled):
    # given the enrolled person in the strict class (08:30 and 19:30 every day, 3 random a week)
    enrolled.supervision_class = "strict"
    enrolled.save()
    day = timezone.localdate()
    # when the tick runs at 08:35 twice
    first = services.requests_issue_due(aware(day, 8, 35), persons=[enrolled])
    again = services.requests_issue_due(aware(day, 8, 40), persons=[enrolled])
    # then the 08:30 request exists once, due an hour after its time
    scheduled = CheckinRequest.objects.filter(person=enrolled, kind="scheduled")
    assert first.created >= 1 and again.created == 0
    assert [r.slot for r in scheduled] == [f"S{day:%Y%m%d}T0830"]
    assert scheduled[0].due_at == aware(day, 9, 30)
    assert scheduled[0].challenge in ("turn_left", "turn_right", "blink", "open_mouth")
    # and the person's account got a message
    from jiaozheng.core.models import Notification

    assert Notification.objects.filter(recipient=world.subject, kind="checkins.request").exists()


def test_a_slot_is_not_issued_when_most_of_its_window_has_passed(world, enrolled):
    enrolled.supervision_class = "strict"
    enrolled.save()
    day = timezone.localdate()
    report = services.requests_issue_due(aware(day, 9, 5), persons=[enrolled])
    assert not CheckinRequest.objects.filter(person=enrolled, slot=f"S{day:%Y%m%d}T0830").exists()
    assert report.persons == 1


def test_persons_without_a_reference_get_no_check_ins(world):
    day = timezone.localdate()
    services.requests_issue_due(aware(day, 9, 1))
    assert not CheckinRequest.objects.exists()


def test_a_personal_plan_replaces_the_class_defaults(world, enrolled):
    day = timezone.localdate()
    # given an officer's plan: only 14:00, every day, no random check-ins
    services.plan_set(
        actor=world.squadron_officer,
        person=enrolled,
        times=["14:00"],
        weekdays=list(range(7)),
        random_per_week=0,
        reason="在外务工，午休时签到",
    )
    # when ticks run through the day
    for hh, mm in ((8, 31), (9, 1), (14, 2), (19, 31)):
        services.requests_issue_due(aware(day, hh, mm), persons=[enrolled])
    # then only the 14:00 check-in exists
    assert list(CheckinRequest.objects.values_list("slot", flat=True)) == [f"S{day:%Y%m%d}T1400"]


def test_plan_input_is_validated_and_social_workers_may_not_set_plans(world, enrolled):
    officer = world.squadron_officer
    with pytest.raises(ValidationError):
        services.plan_set(
            actor=officer, person=enrolled, times=["25:00"], weekdays=[0], random_per_week=0, reason="x"
        )
    with pytest.raises(ValidationError):
        services.plan_set(
            actor=officer, person=enrolled, times=["08:00"], weekdays=[], random_per_week=0, reason="x"
        )
    with pytest.raises(ValidationError):
        services.plan_set(
            actor=officer, person=enrolled, times=[], weekdays=[], random_per_week=0, reason=" "
        )
    with pytest.raises(PermissionDenied):
        services.plan_set(
            actor=world.social_worker, person=enrolled, times=[], weekdays=[], random_per_week=0, reason="x"
        )
    assert not CheckinPlan.objects.exists()


def test_random_check_ins_are_spread_over_the_week_and_reproducible(world, enrolled):
    from jiaozheng.checkins.scheduling import random_minutes_of_week

    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    minutes = random_minutes_of_week(enrolled.pk, monday, 3, (8, 21))
    assert minutes == random_minutes_of_week(enrolled.pk, monday, 3, (8, 21))
    assert len(minutes) == 3 and all(8 * 60 <= m % 1440 < 21 * 60 for m in minutes)
    assert all(b - a >= 120 for a, b in zip(minutes, minutes[1:], strict=False))
    assert minutes != random_minutes_of_week(enrolled.pk, monday + dt.timedelta(days=7), 3, (8, 21))


def test_staff_can_ask_for_a_check_in_only_with_a_reference(world):
    with pytest.raises(ValidationError):
        services.request_create(actor=world.social_worker, person=world.person_a)
    services.reference_enrol(actor=world.social_worker, person=world.person_a, image=png())
    req = services.request_create(actor=world.social_worker, person=world.person_a, window_minutes=30)
    assert req.kind == "on_demand" and req.is_open
    with pytest.raises(ValidationError):  # one waiting at a time
        services.request_create(actor=world.social_worker, person=world.person_a)


# --- expiry and alerts ---------------------------------------------------------------------------------


def test_a_missed_check_in_raises_a_missed_checkin_alert(world, enrolled):
    # given a request whose window has passed with nothing sent
    req = make_request(enrolled, minutes=-1)
    # when the sweep runs
    report = services.requests_expire_overdue()
    # then the request is missed and one 未按时签到 alert is open for the person
    req.refresh_from_db()
    assert report.missed == 1 and req.status == "missed"
    alert = Alert.objects.get(person=enrolled)
    assert alert.alert_type == "missed_checkin" and alert.evidence["checkin_request"] == req.pk
    assert alert.source_model == "checkins.CheckinRequest"
    # and a second sweep changes nothing
    assert services.requests_expire_overdue().missed == 0


# --- submission ----------------------------------------------------------------------------------------


def test_the_person_checks_in_with_the_challenge(world, enrolled):
    # given a blink check-in for the enrolled person
    req = services.request_create(actor=world.squadron_officer, person=enrolled, challenge="blink")
    # when they send blinking frames with their position
    attempt = services.attempt_submit(
        actor=world.subject,
        request_id=req.pk,
        frames=list(frames_b64("astronaut", "blink")),
        position=services.Position(27.91, 110.6, 12.0),
    )
    # then it matches, the request is completed, and no alert is raised
    req.refresh_from_db()
    assert attempt.result == "match" and req.status == "completed" and req.result == "match"
    assert attempt.identity_distance < 0.2 and attempt.latitude == 27.91
    assert len(unpack_frames(attempt.frames)) == 5
    assert not Alert.objects.exists()


def test_a_held_up_photo_fails_liveness_and_after_the_last_attempt_raises_separation(world, enrolled):
    req = services.request_create(actor=world.squadron_officer, person=enrolled, challenge="turn_left")
    still = list(frames_b64("astronaut", "still"))
    # when the same picture is sent three times
    results = [
        services.attempt_submit(actor=world.subject, request_id=req.pk, frames=still).result for _ in range(3)
    ]
    # then each attempt fails liveness, the request fails, and a 人机分离 alert is open
    req.refresh_from_db()
    assert results == ["liveness_failed"] * 3
    assert req.status == "failed" and req.result == "liveness_failed"
    alert = Alert.objects.get(person=enrolled)
    assert alert.alert_type == "device_separation" and alert.evidence["result"] == "liveness_failed"
    # and a fourth attempt is refused
    with pytest.raises(Conflict):
        services.attempt_submit(actor=world.subject, request_id=req.pk, frames=still)


def test_someone_else_gives_no_match_and_the_expiry_raises_separation(world, enrolled):
    req = services.request_create(actor=world.squadron_officer, person=enrolled, challenge="blink")
    attempt = services.attempt_submit(
        actor=world.subject, request_id=req.pk, frames=list(frames_b64("grace_hopper", "blink"))
    )
    assert attempt.result == "no_match" and attempt.identity_distance > 0.6
    req.refresh_from_db()
    assert req.status == "pending"  # attempts are left until the window closes
    CheckinRequest.objects.filter(pk=req.pk).update(due_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.requests_expire_overdue().failed == 1
    alert = Alert.objects.get(person=enrolled)
    assert alert.alert_type == "device_separation" and alert.severity == "high"


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        (["aGVsbG8="] * 3, "JPEG or PNG"),
        (["%%%not-base64%%%"] * 3, "base64"),
        ([], "3 to 8"),
    ],
)
def test_bad_frames_are_refused_and_nothing_is_stored(world, enrolled, frames, message):
    req = services.request_create(actor=world.squadron_officer, person=enrolled)
    with pytest.raises(ValidationError) as err:
        services.attempt_submit(actor=world.subject, request_id=req.pk, frames=frames)
    assert message in str(err.value)
    req.refresh_from_db()
    assert req.attempts_count == 0 and not CheckinAttempt.objects.exists()


def test_only_the_person_submits_and_only_their_own_open_request(world, enrolled):
    req = services.request_create(actor=world.squadron_officer, person=enrolled)
    frames = list(frames_b64("astronaut", "still"))
    with pytest.raises(PermissionDenied):
        services.attempt_submit(actor=world.squadron_officer, request_id=req.pk, frames=frames)
    services.reference_enrol(actor=world.squadron_officer, person=world.person_a, image=png())
    other = services.request_create(actor=world.squadron_officer, person=world.person_a)
    with pytest.raises(Http404):
        services.attempt_submit(actor=world.subject, request_id=other.pk, frames=frames)
    CheckinRequest.objects.filter(pk=req.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(Conflict):
        services.attempt_submit(actor=world.subject, request_id=req.pk, frames=frames)
    assert not CheckinAttempt.objects.exists()


# --- review and retention -------------------------------------------------------------------------------


def test_the_officers_review_is_stored_apart_from_the_automated_result(world, enrolled):
    req = failed_request(enrolled)
    # contracted staff may not decide; a note is required
    with pytest.raises(PermissionDenied):
        services.review_record(actor=world.social_worker, request=req, decision="match", note="看过")
    with pytest.raises(ValidationError):
        services.review_record(actor=world.squadron_officer, request=req, decision="match", note="")
    # when the officer confirms it was the person
    review = services.review_record(
        actor=world.squadron_officer, request=req, decision="match", note="电话核实，本人在家，光线不足"
    )
    # then the decision is recorded and the automated results stay as computed
    req.refresh_from_db()
    assert review.decision == "match" and req.result == "liveness_failed"
    assert set(req.attempts.values_list("result", flat=True)) == {"liveness_failed"}


def test_frames_are_purged_after_the_retention_period(world, enrolled):
    req = services.request_create(actor=world.squadron_officer, person=enrolled, challenge="blink")
    attempt = services.attempt_submit(
        actor=world.subject, request_id=req.pk, frames=list(frames_b64("astronaut", "blink"))
    )
    assert services.frames_purge_expired() == 0
    later = timezone.now() + dt.timedelta(days=181)
    assert services.frames_purge_expired(later) == 1
    attempt.refresh_from_db()
    assert attempt.frames is None and attempt.frames_purged_at is not None
    assert attempt.result == "match" and attempt.identity_distance is not None


def test_todays_status_per_person(world, enrolled):
    from jiaozheng.checkins.selectors import checkin_counts_today, checkin_status_today

    services.request_create(actor=world.squadron_officer, person=enrolled)
    status = checkin_status_today(actor=world.squadron_officer)
    assert status[enrolled.pk].status == "pending" and status[enrolled.pk].issued == 1
    assert status[world.person_a.pk].status == "not_enrolled"
    assert world.person_y.pk not in status  # another county
    counts = checkin_counts_today(actor=world.squadron_officer)
    assert counts["issued"] == 1 and counts["pending"] == 1 and counts["not_enrolled"] >= 2


def test_the_periodic_tick_issues_and_closes_as_the_system(world, enrolled):
    from huey.contrib.djhuey import HUEY

    from jiaozheng.audit.models import AuditEntry
    from jiaozheng.checkins.tasks import checkins_tick

    # given an overdue request
    req = make_request(enrolled, minutes=-5)
    # when the tick runs (what the Huey periodic task calls every five minutes)
    result = checkins_tick()
    # then the request is closed as missed, by the system user, and the tasks are registered with Huey
    req.refresh_from_db()
    assert result["missed"] == 1 and req.status == "missed"
    entry = AuditEntry.objects.filter(model="checkins.CheckinRequest", object_id=str(req.pk)).last()
    assert entry.origin == "job" and entry.actor == world.system
    names = {t.__name__ for t in HUEY._registry._periodic_tasks}
    assert {"checkins.tick", "checkins.purge_frames"} <= names


def test_a_waiting_check_in_of_a_released_person_is_cancelled_not_missed(world, enrolled):
    from jiaozheng.people.services import person_release

    req = make_request(enrolled, minutes=-1)
    person_release(actor=world.bureau_admin, person=enrolled, released_on=timezone.localdate())
    report = services.requests_expire_overdue()
    req.refresh_from_db()
    assert req.status == "cancelled" and report.missed == 0
    assert not Alert.objects.filter(person=enrolled).exists()
