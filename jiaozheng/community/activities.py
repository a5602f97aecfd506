"""Community-service activities as activities persons attend (core.activities)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from jiaozheng.community.choices import ActivityStatus, ParticipantKind, ParticipationStatus
from jiaozheng.community.models import Activity, Participation
from jiaozheng.core.activities import ActivityRef, ActivitySource
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import scoped


def _present():
    return Participation.objects.filter(
        kind=ParticipantKind.SUBJECT, status=ParticipationStatus.PRESENT, person__isnull=False
    )


def _refs(activities):
    present = _present().only("person_id", "activity_id")
    for a in activities.prefetch_related(Prefetch("participations", queryset=present, to_attr="present")):
        yield ActivityRef(
            kind="community.activity",
            id=a.pk,
            title=a.theme,
            date=a.date,
            county_id=a.county_id,
            attendee_ids=frozenset(p.person_id for p in a.present),
            url_name="community:activity_detail",
        )


def _held(qs, start, end):
    return qs.filter(status=ActivityStatus.HELD, date__range=(start, end)).order_by("date", "id")


def held(actor, start, end):
    return _refs(_held(scoped(Activity, actor, domain=Domain.SERVICES), start, end))


def in_counties(county_ids, start, end):
    return _refs(_held(Activity.objects.filter(county_id__in=county_ids), start, end))


def attended(person_id, start, end):
    ids = _present().filter(person_id=person_id).values("activity_id")
    return _refs(_held(Activity.objects.filter(pk__in=ids), start, end))


def get(activity_id):
    return next(iter(_refs(Activity.objects.filter(pk=activity_id, status=ActivityStatus.HELD))), None)


SOURCES = [
    ActivitySource(
        kind="community.activity",
        label=_("Community-service activity"),
        held=held,
        attended=attended,
        get=get,
        in_counties=in_counties,
    )
]
