"""Group counselling sessions as activities persons attend (core.activities)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from jiaozheng.core.activities import ActivityRef, ActivitySource
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import scoped
from jiaozheng.counselling.choices import GroupSessionStatus
from jiaozheng.counselling.models import GroupAttendance, GroupSession


def _refs(sessions):
    present = GroupAttendance.objects.filter(present=True).only("person_id", "session_id")
    sessions = sessions.select_related("group").prefetch_related(
        Prefetch("attendance", queryset=present, to_attr="present")
    )
    for s in sessions:
        yield ActivityRef(
            kind="counselling.group_session",
            id=s.pk,
            title=s.topic,
            date=s.held_on,
            county_id=s.group.county_id,
            attendee_ids=frozenset(a.person_id for a in s.present),
        )


def _held(qs, start, end):
    return qs.filter(status=GroupSessionStatus.HELD, held_on__range=(start, end)).order_by("held_on", "id")


def held(actor, start, end):
    return _refs(_held(scoped(GroupSession, actor, domain=Domain.SERVICES), start, end))


def in_counties(county_ids, start, end):
    return _refs(_held(GroupSession.objects.filter(group__county_id__in=county_ids), start, end))


def attended(person_id, start, end):
    ids = GroupAttendance.objects.filter(person_id=person_id, present=True).values("session_id")
    return _refs(_held(GroupSession.objects.filter(pk__in=ids), start, end))


def get(activity_id):
    return next(
        iter(_refs(GroupSession.objects.filter(pk=activity_id, status=GroupSessionStatus.HELD))), None
    )


SOURCES = [
    ActivitySource(
        kind="counselling.group_session",
        label=_("Group counselling session"),
        held=held,
        attended=attended,
        get=get,
        in_counties=in_counties,
    )
]
