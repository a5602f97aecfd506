"""Staff and phone pages of face check-in."""

from __future__ import annotations

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiaozheng.audit.models import AccessLog
from jiaozheng.checkins import services, synthetic
from jiaozheng.checkins.models import CheckinReview, ReferencePhoto
from jiaozheng.checkins.tests.conftest import face, failed_request, frames_b64


@pytest.fixture
def failed(world, enrolled):
    """A check-in that failed liveness (stored directly: these tests are about the pages)."""
    return failed_request(enrolled)


def test_the_board_shows_todays_status_per_person(world, enrolled, login):
    services.request_create(actor=world.squadron_officer, person=enrolled)
    response = login(world.squadron_officer).get("/checkins/today/")
    assert response.status_code == 200
    html = response.content.decode()
    assert enrolled.name in html and world.person_a.name in html and world.person_y.name not in html
    assert response.context["counts"]["pending"] == 1
    # the filter keeps only persons without a reference photo
    response = login(world.squadron_officer).get("/checkins/today/?status=not_enrolled")
    names = [p.name for p, _d in response.context["rows"]]
    assert enrolled.name not in names and world.person_a.name in names


def test_the_person_may_not_open_staff_pages(world, login):
    assert login(world.subject).get("/checkins/today/").status_code == 403
    assert login(world.counsellor).get("/checkins/today/").status_code == 403


def test_enrolling_by_upload_on_the_person_page(world, login):
    client = login(world.squadron_officer)
    photo = SimpleUploadedFile(
        "a.png", synthetic.to_bytes(face("astronaut"), "PNG"), content_type="image/png"
    )
    response = client.post(
        f"/checkins/persons/{world.person_a.pk}/enrol/", {"photo": photo, "note": "入矫时拍摄"}
    )
    assert response.status_code == 302
    ref = ReferencePhoto.objects.get(person=world.person_a)
    assert ref.source == "upload" and ref.note == "入矫时拍摄"
    page = client.get(f"/checkins/persons/{world.person_a.pk}/")
    assert page.status_code == 200 and f"/checkins/references/{ref.pk}/image.jpg" in page.content.decode()


def test_enrolling_a_camera_shot_and_refusing_a_faceless_one(world, login):
    client = login(world.social_worker)
    url = f"/checkins/persons/{world.person_a.pk}/enrol/"
    blank = "data:image/jpeg;base64," + base64.b64encode(synthetic.to_bytes(synthetic.blank())).decode()
    response = client.post(url, {"captured": blank}, follow=True)
    assert "No face" in response.content.decode() or "没有" in response.content.decode()
    assert not ReferencePhoto.objects.exists()
    shot = "data:image/jpeg;base64," + frames_b64("astronaut", "still")[0]
    client.post(url, {"captured": shot})
    assert ReferencePhoto.objects.get(person=world.person_a).source == "camera"


def test_reading_a_face_image_is_logged(world, enrolled, failed, login):
    client = login(world.squadron_officer)
    ref = ReferencePhoto.objects.get(person=enrolled, active=True)
    response = client.get(f"/checkins/references/{ref.pk}/image.jpg")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    attempt = failed.attempts.first()
    assert client.get(f"/checkins/attempts/{attempt.pk}/frames/0.jpg").status_code == 200
    assert client.get(f"/checkins/attempts/{attempt.pk}/frames/9.jpg").status_code == 404
    logs = AccessLog.objects.filter(kind="face", person=enrolled, actor=world.squadron_officer)
    assert logs.count() == 2
    # out of scope: another county's officer gets 404 and nothing is logged for them
    other = login(world.bureau_officer_y).get(f"/checkins/references/{ref.pk}/image.jpg")
    assert other.status_code == 404
    assert not AccessLog.objects.filter(actor=world.bureau_officer_y).exists()


def test_reviewing_a_failed_check_in(world, failed, login):
    client = login(world.squadron_officer)
    page = client.get(f"/checkins/requests/{failed.pk}/")
    assert page.status_code == 200 and page.context["can_review"]
    response = client.post(
        f"/checkins/requests/{failed.pk}/review/",
        {"decision": "no_match", "note": "上门核查，手机由其家属持有"},
    )
    assert response.status_code == 302
    review = CheckinReview.objects.get(request=failed)
    failed.refresh_from_db()
    assert review.decision == "no_match" and failed.result == "liveness_failed"
    # the queue no longer lists it
    queue = client.get("/checkins/requests/?review=needed")
    assert failed not in list(queue.context["page"])


def test_a_social_worker_sees_but_may_not_review(world, failed, login):
    client = login(world.social_worker)
    page = client.get(f"/checkins/requests/{failed.pk}/")
    assert page.status_code == 200 and not page.context["can_review"]
    client.post(f"/checkins/requests/{failed.pk}/review/", {"decision": "match", "note": "x"})
    assert not CheckinReview.objects.exists()


def test_staff_ask_for_a_check_in_and_set_a_plan(world, enrolled, login):
    client = login(world.squadron_officer)
    response = client.post(f"/checkins/persons/{enrolled.pk}/ask/", {"window_minutes": 20, "note": "抽查"})
    assert response.status_code == 302
    req = enrolled.checkin_requests.get()
    assert req.kind == "on_demand" and (req.due_at - req.issued_at).total_seconds() == 20 * 60
    client.post(
        f"/checkins/persons/{enrolled.pk}/plan/",
        {
            "times": "07:30，20:00",
            "weekdays": ["0", "1", "2"],
            "random_per_week": 2,
            "reason": "严管期间加密签到",
        },
    )
    plan = enrolled.checkin_plan
    assert plan.times == ["07:30", "20:00"] and plan.weekdays == [0, 1, 2] and plan.random_per_week == 2
    client.post(f"/checkins/persons/{enrolled.pk}/plan/", {"clear": "1"})
    assert not type(plan).objects.filter(person=enrolled).exists()


def test_the_phone_pages_for_the_person(world, enrolled, login):
    req = services.request_create(actor=world.squadron_officer, person=enrolled, challenge="turn_right")
    client = login(world.subject)
    mine = client.get("/checkins/me/")
    assert mine.status_code == 200 and f"/checkins/me/{req.pk}/" in mine.content.decode()
    page = client.get(f"/checkins/me/{req.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and f"/api/v1/checkins/{req.pk}/submit" in html
    assert "checkins/checkin.js" in html
    # staff cannot open the phone page
    assert login(world.squadron_officer).get(f"/checkins/me/{req.pk}/").status_code == 403
