"""The staff pages of education: they render, write through the services and keep to the actor's scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiaozheng.audit.models import AccessLog
from jiaozheng.education import services
from jiaozheng.education.models import Attendance, Course, CourseMaterial, Session
from jiaozheng.education.tests.helpers import held_session, make_session, session_data

pytestmark = pytest.mark.django_db


def test_the_pages_render_for_a_social_worker(world, login):
    client = login(world.social_worker)
    session = held_session(world, present=[world.person_a])
    course = services.course_create(
        actor=world.bureau_admin, county=world.county_x, data={"title": "学法", "category": "law"}
    )
    for url in (
        "/education/",
        "/education/?awaiting=1&mode=centralised&month=2026-01",
        f"/education/sessions/{session.pk}/",
        f"/education/sessions/{session.pk}/edit/",
        "/education/sessions/new/",
        "/education/calendar/",
        "/education/plans/",
        f"/education/plans/helper/?squadron={world.squadron_a.pk}",
        "/education/courses/",
        f"/education/courses/{course.pk}/",
        "/education/hours/?show=all",
        "/education/stats/",
        "/education/import/",
        "/community/",
        "/community/venues/",
        "/community/team/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url


def test_planning_a_session_in_the_form_creates_it_with_its_roster(world, login):
    client = login(world.social_worker)
    day = timezone.localdate() + dt.timedelta(days=4)
    response = client.post(
        "/education/sessions/new/",
        {
            "title": "禁毒知识",
            "category": "anti_drug",
            "mode": "centralised",
            "stage": "routine",
            "squadrons": [world.squadron_a.pk],
            "date": day.isoformat(),
            "start_time": "09:00",
            "end_time": "11:30",
            "place": "教育室",
            "lecturer_name": "周婷",
            "lecturer_kind": "social_worker",
            "max_score": "100",
        },
    )
    session = Session.objects.get(title="禁毒知识")
    assert response.status_code == 302 and response["Location"] == f"/education/sessions/{session.pk}/"
    assert session.hours == 2.5 and session.attendances.count() == 2


def test_a_bad_form_shows_the_errors_and_creates_nothing(world, login):
    client = login(world.social_worker)
    response = client.post(
        "/education/sessions/new/",
        {
            "title": "x",
            "category": "law",
            "mode": "centralised",
            "stage": "routine",
            "squadrons": [world.squadron_a.pk],
            "date": timezone.localdate().isoformat(),
            "start_time": "11:00",
            "end_time": "10:00",
            "lecturer_kind": "social_worker",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors and not Session.objects.exists()


def test_one_click_marking_with_htmx_returns_the_row(world, login):
    session = make_session(world)
    services.session_hold(actor=world.bureau_admin, session=session)
    row = session.attendances.get(person=world.person_a)
    client = login(world.social_worker)
    response = client.post(
        f"/education/attendance/{row.pk}/mark/", {"status": "present"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<tr id="att-{row.pk}">') and "on-present" in html
    row.refresh_from_db()
    assert row.status == "present"
    # and a refused change comes back inside the row, not as a page
    future = make_session(world, days=3)
    other = future.attendances.get(person=world.person_a)
    response = client.post(
        f"/education/attendance/{other.pk}/mark/", {"status": "present"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "row-error" in response.content.decode()
    other.refresh_from_db()
    assert other.status == "expected"


def test_session_actions_hold_cancel_and_reschedule(world, login):
    client = login(world.social_worker)
    past = make_session(world)
    client.post(f"/education/sessions/{past.pk}/do/hold/", {"summary": "顺利"})
    past.refresh_from_db()
    assert past.status == "held" and past.summary == "顺利"
    coming = make_session(world, days=3)
    client.post(f"/education/sessions/{coming.pk}/do/cancel/", {"reason": "pandemic", "note": ""})
    coming.refresh_from_db()
    assert coming.status == "cancelled"
    other = make_session(world, days=3, title="国学")
    new_day = timezone.localdate() + dt.timedelta(days=10)
    response = client.post(
        f"/education/sessions/{other.pk}/do/reschedule/",
        {"date": new_day.isoformat(), "start_time": "14:00", "end_time": "16:00", "reason": "", "note": ""},
    )
    other.refresh_from_db()
    assert other.status == "rescheduled"
    assert response["Location"] == f"/education/sessions/{other.rescheduled_to_id}/"


def test_the_plan_helper_page_creates_the_chosen_sessions(world, login):
    client = login(world.social_worker)
    month = (timezone.localdate().replace(day=28) + dt.timedelta(days=5)).replace(day=1)
    page = client.get(f"/education/plans/helper/?squadron={world.squadron_a.pk}&month={month:%Y-%m}")
    proposals = page.context["advice"].proposals
    assert len(proposals) == 2
    response = client.post(
        "/education/plans/helper/",
        {
            "squadron": world.squadron_a.pk,
            "month": f"{month:%Y-%m}",
            "theme": "法治宣传月",
            "take": ["0"],
            "title_0": "自拟主题",
            "date_0": month.replace(day=12).isoformat(),
        },
    )
    session = Session.objects.get()
    assert (
        session.title == "自拟主题"
        and session.date == month.replace(day=12)
        and session.plan.theme == "法治宣传月"
    )
    assert response["Location"] == f"/education/plans/{session.plan_id}/"


def test_materials_are_validated_and_served_only_in_scope(world, login):
    course = services.course_create(
        actor=world.bureau_admin, county=world.county_x, data={"title": "学法", "category": "law"}
    )
    client = login(world.bureau_officer)
    # a file whose content is not a PDF is refused
    client.post(
        f"/education/courses/{course.pk}/materials/",
        {"file": SimpleUploadedFile("讲义.pdf", b"<html>not a pdf</html>", "application/pdf")},
    )
    assert not CourseMaterial.objects.exists()
    # a real PDF with a dangerous name is stored under a random name and served with a clean one
    client.post(
        f"/education/courses/{course.pk}/materials/",
        {"file": SimpleUploadedFile("../../etc/讲义<1>.pdf", b"%PDF-1.4\n%%EOF\n", "text/html")},
    )
    material = CourseMaterial.objects.get()
    assert material.name == "讲义_1_.pdf" and material.content_type == "application/pdf"
    assert "讲义" not in material.file.name
    response = client.get(f"/education/materials/{material.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''%E8%AE%B2%E4%B9%89_1_.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # another county's staff get a 404
    assert login(world.bureau_officer_y).get(f"/education/materials/{material.pk}/").status_code == 404


def test_squadron_staff_keep_their_own_courses_and_cannot_change_the_county_library(world, login):
    shared = services.course_create(
        actor=world.bureau_admin, county=world.county_x, data={"title": "学法", "category": "law"}
    )
    client = login(world.social_worker)
    response = client.post(
        "/education/courses/new/",
        {
            "title": "卢峰自编课",
            "category": "ethics",
            "stage": "routine",
            "default_hours": "2",
            "lecturer_kind": "social_worker",
            "squadron": world.squadron_a.pk,
            "active": "on",
        },
    )
    own = Course.objects.get(title="卢峰自编课")
    assert response.status_code == 302 and own.squadron_id == world.squadron_a.pk
    client.post(
        f"/education/courses/{shared.pk}/edit/",
        {
            "title": "改名",
            "category": "law",
            "stage": "routine",
            "default_hours": "2",
            "lecturer_kind": "social_worker",
        },
    )
    shared.refresh_from_db()
    assert shared.title == "学法"
    assert login(world.social_worker_b).get(f"/education/courses/{own.pk}/").status_code == 404


def test_exports_are_xlsx_and_logged(world, login):
    from openpyxl import load_workbook

    held_session(world, present=[world.person_a])
    client = login(world.bureau_officer)
    response = client.get("/education/sessions/export.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] in ("Sessions", "场次")
    assert book.worksheets[1].max_row == 3  # header + person_a + the subject
    hours = client.get("/education/hours/export.xlsx?show=all")
    assert hours.status_code == 200 and hours.content[:2] == b"PK"
    assert AccessLog.objects.filter(kind="export").count() == 2


def test_the_subject_phone_page_lists_their_sessions_only(world, login):
    make_session(world, days=2, title="本中队学习")
    make_session(world, days=2, title="龙潭学习", squadrons=[world.squadron_b])
    page = login(world.subject).get("/education/me/").content.decode()
    assert "本中队学习" in page and "龙潭学习" not in page
    assert login(world.social_worker).get("/education/me/").status_code == 403


def test_admonition_from_the_shortfall_list(world, login):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    held_session(world, date=yesterday, absent=[world.person_a])
    client = login(world.squadron_officer)
    response = client.post(f"/education/hours/admonish/{world.person_a.pk}/", {"month": f"{yesterday:%Y-%m}"})
    assert response.status_code == 302
    assert world.person_a.discipline.filter(kind="admonition", source="education").count() == 1
    # a social worker may not record discipline
    assert (
        login(world.social_worker)
        .post(f"/education/hours/admonish/{world.person_a.pk}/", {"month": f"{yesterday:%Y-%m}"})
        .status_code
        == 403
    )


def test_out_of_scope_sessions_answer_404(world, login):
    session = make_session(world, squadrons=[world.squadron_b])
    assert login(world.social_worker).get(f"/education/sessions/{session.pk}/").status_code == 404
    row = Attendance.objects.filter(session=session).first()
    assert (
        login(world.social_worker)
        .post(f"/education/attendance/{row.pk}/mark/", {"status": "present"})
        .status_code
        == 404
    )
    assert services.session_create(actor=world.bureau_admin, data=session_data(world)).pk
