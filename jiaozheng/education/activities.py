"""Education sessions as activities persons attend (core.activities)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from jiaozheng.core.activities import ActivityRef, ActivitySource
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import scoped
from jiaozheng.education.choices import AttendanceStatus, SessionStatus
from jiaozheng.education.models import Attendance, Session


def _refs(sessions):
    present = Attendance.objects.filter(status=AttendanceStatus.PRESENT).only("person_id", "session_id")
    for s in sessions.prefetch_related(Prefetch("attendances", queryset=present, to_attr="present")):
        yield ActivityRef(
            kind="education.session",
            id=s.pk,
            title=s.title,
            date=s.date,
            county_id=s.county_id,
            attendee_ids=frozenset(a.person_id for a in s.present),
            url_name="education:session_detail",
        )


def _held(qs, start, end):
    return qs.filter(status=SessionStatus.HELD, date__range=(start, end)).order_by("date", "id")


def held(actor, start, end):
    return _refs(_held(scoped(Session, actor, domain=Domain.SERVICES), start, end))


def in_counties(county_ids, start, end):
    return _refs(_held(Session.objects.filter(county_id__in=county_ids), start, end))


def attended(person_id, start, end):
    ids = Attendance.objects.filter(person_id=person_id, status=AttendanceStatus.PRESENT).values("session_id")
    return _refs(_held(Session.objects.filter(pk__in=ids), start, end))


def get(activity_id):
    return next(iter(_refs(Session.objects.filter(pk=activity_id, status=SessionStatus.HELD))), None)


SOURCES = [
    ActivitySource(
        kind="education.session",
        label=_("Education session"),
        held=held,
        attended=attended,
        get=get,
        in_counties=in_counties,
    )
]
