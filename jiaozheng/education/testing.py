"""Access-matrix factories and API bodies of education."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from jiaozheng.core.testing.matrix import api_body, object_factory
from jiaozheng.education.choices import AttendanceStatus, EducationMode, SessionStatus
from jiaozheng.education.models import Attendance, Course, CourseMaterial, Session, ThemePlan


def make_session_at(
    world,
    where,
    *,
    mode=EducationMode.REMOTE,
    status=SessionStatus.PLANNED,
    minutes_from_now=-10,
    roster=True,
    **extra,
):
    """A session of squadron A, B or C (Y) starting ``minutes_from_now``; "subject": with the subject on its
    roster. Rosters hold the placement's person."""
    squadron = world.squadron("A" if where == "subject" else where)
    start = timezone.localtime() + dt.timedelta(minutes=minutes_from_now)
    start = start.replace(second=0, microsecond=0)
    end = start + dt.timedelta(hours=1)
    if end.date() != start.date():  # keep the session within one day
        start = start.replace(hour=22, minute=0)
        end = start + dt.timedelta(minutes=59)
    session = Session.objects.create(
        county=squadron.county,
        title="测试场次",
        category="law",
        mode=mode,
        date=start.date(),
        start_time=start.time(),
        end_time=end.time(),
        place="教育室",
        lecturer_name="讲师",
        hours=Decimal("1.0"),
        status=status,
        **extra,
    )
    session.squadrons.set([squadron])
    if roster:
        person = world.person(where)
        Attendance.objects.create(
            session=session, county_id=session.county_id, person=person, status=AttendanceStatus.EXPECTED
        )
    return session


@object_factory("education.Session")
def make_session(world, where):
    return make_session_at(world, where)


@object_factory("education.Attendance")
def make_attendance(world, where):
    session = make_session_at(world, where, roster=False)
    return Attendance.objects.create(
        session=session,
        county_id=session.county_id,
        person=world.person(where),
        status=AttendanceStatus.PRESENT,
        hours=Decimal("1.0"),
        latitude=27.9,
        longitude=110.6,
    )


@object_factory("education.ThemePlan")
def make_plan(world, where):
    squadron = world.squadron("A" if where == "subject" else where)
    month = timezone.localdate().replace(day=1)
    return ThemePlan.objects.create(county=squadron.county, squadron=squadron, month=month, theme="学法守法")


@object_factory("education.Course")
def make_course(world, where):
    county = world.county(where)
    squadron = None if where == "subject" else world.squadron(where)
    return Course.objects.create(county=county, squadron=squadron, title=f"课程{where}", category="law")


@object_factory("education.CourseMaterial")
def make_material(world, where):
    course = make_course(world, where)
    material = CourseMaterial(
        course=course, name="讲义.pdf", content_type="application/pdf", size=9, sha256="0" * 64
    )
    material.file.save("m.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    material.save()
    return material


@api_body("check_in")
def check_in_body(world, obj):
    return {"latitude": 27.9, "longitude": 110.6, "accuracy_m": 20}


@object_factory("education.SessionPhoto")
def make_session_photo(world, where):
    from jiaozheng.education.models import SessionPhoto

    session = make_session_at(world, where)
    photo = SessionPhoto(session=session, name="p.jpg", sha256="0" * 64)
    photo.image.save("p.jpg", ContentFile(b"\xff\xd8\xff\xd9"), save=False)
    photo.thumb.save("t.jpg", ContentFile(b"\xff\xd8\xff\xd9"), save=False)
    photo.save()
    return photo
