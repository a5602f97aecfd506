"""Self check-in on the phone for remote sessions: the page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiaozheng.audit.models import AccessLog
from jiaozheng.education.models import Attendance
from jiaozheng.education.tests.helpers import make_session, remote_now

pytestmark = pytest.mark.django_db


def test_the_subject_lists_upcoming_sessions_and_checks_in_through_the_api(world, api_client):
    # given a remote session running now and a centralised one next week for squadron A
    session = remote_now(world)
    make_session(world, days=7, title="下周集中学习")
    client = api_client(world.subject)
    # when the phone lists the coming sessions
    listed = client.get("/api/v1/education/me/sessions").json()
    # then both are there and only the remote one can be checked in now
    by_title = {item["title"]: item for item in listed["items"]}
    assert by_title["学法守法"]["can_check_in"] is True
    assert by_title["下周集中学习"]["can_check_in"] is False
    # when the person checks in with a position
    response = client.post(
        f"/api/v1/education/me/sessions/{session.pk}/check-in",
        data={"latitude": 27.91, "longitude": 110.6, "accuracy_m": 15},
        content_type="application/json",
    )
    # then they are present with the session's hours, and the position is kept
    assert response.status_code == 200, response.content
    row = Attendance.objects.get(session=session, person=world.subject_person)
    assert (row.status, row.method, str(row.hours)) == ("present", "self", "1.5")
    assert row.latitude == pytest.approx(27.91) and row.outside_county is False
    # and a second check-in is refused
    again = client.post(
        f"/api/v1/education/me/sessions/{session.pk}/check-in", data={}, content_type="application/json"
    )
    assert again.status_code == 422


def test_check_in_only_within_the_window_and_only_for_remote_sessions(world, api_client):
    client = api_client(world.subject)
    later = remote_now(world, minutes=120)
    response = client.post(
        f"/api/v1/education/me/sessions/{later.pk}/check-in", data={}, content_type="application/json"
    )
    assert response.status_code == 422
    onsite = make_session(world, days=0, start_time=dt.time(0, 0), end_time=dt.time(23, 59), hours="3")
    response = client.post(
        f"/api/v1/education/me/sessions/{onsite.pk}/check-in", data={}, content_type="application/json"
    )
    assert response.status_code == 422
    assert not Attendance.objects.filter(status="present").exists()


def test_another_persons_session_is_hidden_and_staff_cannot_check_in(world, api_client):
    # given a remote session of squadron B (the subject is not on its roster)
    session = remote_now(world, squadrons=[world.squadron_b])
    assert (
        api_client(world.subject)
        .post(
            f"/api/v1/education/me/sessions/{session.pk}/check-in", data={}, content_type="application/json"
        )
        .status_code
        == 404
    )
    assert api_client(world.social_worker).get("/api/v1/education/me/sessions").status_code == 403


def test_the_phone_page_checks_in_and_staff_see_the_position_only_with_a_logged_read(world, login, client):
    session = remote_now(world)
    # when the person opens the session on the phone page and checks in (the browser sent no position)
    login(world.subject)
    page = client.get(f"/education/me/sessions/{session.pk}/")
    assert (
        page.status_code == 200 and f"/education/me/sessions/{session.pk}/check-in/" in page.content.decode()
    )
    response = client.post(
        f"/education/me/sessions/{session.pk}/check-in/", {"latitude": "27.9", "longitude": "110.6"}
    )
    assert response.status_code == 302
    row = Attendance.objects.get(session=session, person=world.subject_person)
    assert row.status == "present"
    # then the staff's roster shows it; the position itself is shown on request and the read is logged
    login(world.social_worker)
    detail = client.get(f"/education/sessions/{session.pk}/").content.decode()
    assert "27.9" not in detail
    revealed = client.post(f"/education/attendance/{row.pk}/position/").json()
    assert revealed["latitude"] == pytest.approx(27.9)
    assert AccessLog.objects.filter(kind="location", person=world.subject_person).count() == 1


def test_hours_api_reports_the_month(world, api_client):
    session = remote_now(world)
    client = api_client(world.subject)
    client.post(
        f"/api/v1/education/me/sessions/{session.pk}/check-in", data={}, content_type="application/json"
    )
    session.status = "held"
    session.save()
    hours = client.get("/api/v1/education/me/hours").json()
    assert hours["month"] == f"{timezone.localdate():%Y-%m}"
    assert hours["study_done"] in ("1.5", 1.5) and float(hours["study_required"]) > 0
