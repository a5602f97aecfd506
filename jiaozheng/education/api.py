"""/api/v1/education: the supervised person's phone (upcoming sessions, remote check-in, monthly hours).

No ``from __future__ import annotations`` here: django-ninja reads the annotations at import time.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Query, Schema

from jiaozheng.core.access import api_access
from jiaozheng.core.apiauth import Router
from jiaozheng.core.errors import ApplicationError, validation_errors_from_django
from jiaozheng.core.params import BodySchema
from jiaozheng.core.roles import Domain, Role
from jiaozheng.education import services
from jiaozheng.education.choices import AttendanceStatus, EducationMode
from jiaozheng.education.hours import person_month_hours
from jiaozheng.education.models import Attendance
from jiaozheng.education.selectors import my_upcoming, parse_month, session_get

router = Router(tags=["education"])
SUBJECT_ONLY = {"domain": Domain.SERVICES, "roles": [Role.SUBJECT]}


class ErrorOut(Schema):
    message: str
    errors: list[dict[str, Any]] = []


class SessionOut(Schema):
    id: int
    title: str
    category: str
    mode: str = Field(description="centralised, by_category, self_study or remote")
    stage: str = Field(description="routine, admission or release")
    date: dt.date
    start_time: str
    end_time: str
    place: str
    online_link: str
    lecturer: str
    hours: Decimal
    status: str = Field(description="planned, held, cancelled or rescheduled")
    attendance: str = Field(description="expected, present, absent or excused")
    checked_in_at: dt.datetime | None
    check_in_opens: dt.datetime | None = Field(description="Remote sessions only")
    check_in_closes: dt.datetime | None
    can_check_in: bool


class SessionList(Schema):
    count: int
    items: list[SessionOut]


class CheckInIn(BodySchema):
    latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False, description="WGS-84, optional")
    longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    accuracy_m: float | None = Field(None, ge=0, le=100000, allow_inf_nan=False)


class CheckInOut(Schema):
    session_id: int
    attendance: str
    checked_in_at: dt.datetime
    hours: Decimal


class HoursOut(Schema):
    month: str
    supervision_class: str
    days_in_correction: int
    study_required: Decimal
    study_done: Decimal
    service_required: Decimal
    service_done: Decimal


class HoursQuery(Schema):
    month: str = Field("", max_length=7, description="YYYY-MM; empty for this month")


def _session_out(row: Attendance, now: dt.datetime) -> dict[str, Any]:
    session = row.session
    remote = session.mode == EducationMode.REMOTE
    opens, closes = services.checkin_window(session) if remote else (None, None)
    return {
        "id": session.pk,
        "title": session.title,
        "category": session.category,
        "mode": session.mode,
        "stage": session.stage,
        "date": session.date,
        "start_time": session.start_time.strftime("%H:%M"),
        "end_time": session.end_time.strftime("%H:%M"),
        "place": session.place,
        "online_link": session.online_link,
        "lecturer": session.lecturer_name,
        "hours": session.hours,
        "status": session.status,
        "attendance": row.status,
        "checked_in_at": row.checked_in_at,
        "check_in_opens": opens,
        "check_in_closes": closes,
        "can_check_in": bool(
            remote and session.is_open and opens <= now <= closes and row.status != AttendanceStatus.PRESENT
        ),
    }


def _own_row(request: Any, session_id: int) -> Attendance:
    session = session_get(actor=request.user, pk=session_id)
    row = (
        Attendance.objects.select_related("session")
        .filter(session=session, person_id=request.user.person_id)
        .first()
    )
    if row is None:
        raise ApplicationError("not found", [], 404)
    return row


@router.get(
    "/education/me/sessions",
    response={200: SessionList, 401: ErrorOut, 403: ErrorOut},
    summary="The caller's upcoming education sessions (supervised person)",
)
@api_access(**SUBJECT_ONLY)
def my_sessions(request):
    now = timezone.now()
    rows = my_upcoming(actor=request.user, now=now)
    return {"count": len(rows), "items": [_session_out(r, now) for r in rows]}


@router.get(
    "/education/me/sessions/{session_id}",
    response={200: SessionOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One of the caller's sessions (404 if the caller is not on its roster)",
)
@api_access(**SUBJECT_ONLY, obj=("session_id", "education.Session"))
def my_session(request, session_id: int):
    return _session_out(_own_row(request, session_id), timezone.now())


@router.post(
    "/education/me/sessions/{session_id}/check-in",
    response={200: CheckInOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Check in for a remote session within its window, with an optional position",
)
@api_access(**SUBJECT_ONLY, obj=("session_id", "education.Session"))
def check_in(request, session_id: int, payload: CheckInIn):
    session = session_get(actor=request.user, pk=session_id)
    try:
        row = services.checkin_self(
            actor=request.user,
            session=session,
            latitude=payload.latitude,
            longitude=payload.longitude,
            accuracy_m=payload.accuracy_m,
        )
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), validation_errors_from_django(exc), 422)
    return {
        "session_id": session.pk,
        "attendance": row.status,
        "checked_in_at": row.checked_in_at,
        "hours": row.hours,
    }


@router.get(
    "/education/me/hours",
    response={200: HoursOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="The caller's study and public-welfare hours of a month against the required hours",
)
@api_access(**SUBJECT_ONLY)
def my_hours(request, query: Query[HoursQuery]):
    month = parse_month(query.month)
    row = person_month_hours(actor=request.user, person=request.user.person, month=month)
    if row is None:
        raise ApplicationError("not in correction in this month", [], 404)
    return {
        "month": f"{month:%Y-%m}",
        "supervision_class": row.supervision_class,
        "days_in_correction": row.days,
        "study_required": row.study_required,
        "study_done": row.study_done,
        "service_required": row.service_required,
        "service_done": row.service_done,
    }
