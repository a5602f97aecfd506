"""What community service contributes to education's pages through ``jiaozheng.core.registry.provider``:
the calendar's activities, the monthly service hours, the statistics and the person's own invitations.

Education does not import community; community builds on education (its roster-event base).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.urls import reverse

from jiaozheng.community.choices import ActivityKind, ActivityStatus, ParticipantKind, ParticipationStatus
from jiaozheng.community.models import Activity, Participation
from jiaozheng.community.selectors import ActivityFilters, activity_list, community_stats, my_participations
from jiaozheng.core.registry import provide
from jiaozheng.education.selectors import CalendarItem, _short

_MARKER = 987654321


def calendar_items(*, actor: Any, first: dt.date, last: dt.date, squadron: int | None) -> list[CalendarItem]:
    """The activities the actor sees from ``first`` to ``last``, as items of education's calendar."""
    activity_ids = activity_list(
        actor=actor, filters=ActivityFilters(squadron=squadron, date_from=first, date_to=last)
    ).values("pk")
    names: dict[int, list[str]] = defaultdict(list)
    for activity_id, name in Activity.squadrons.through.objects.filter(
        activity_id__in=activity_ids
    ).values_list("activity_id", "orgunit__name"):
        names[activity_id].append(name)
    activity_url = reverse("community:activity_detail", args=[_MARKER])
    kinds = dict(ActivityKind.choices)
    return [
        CalendarItem(
            "activity",
            pk,
            day,
            time,
            theme,
            status,
            str(kinds[kind]),
            activity_url.replace(str(_MARKER), str(pk)),
            _short(names[pk]),
        )
        for pk, day, time, theme, status, kind in Activity.objects.filter(pk__in=activity_ids).values_list(
            "pk", "date", "start_time", "theme", "status", "kind"
        )
    ]


def service_hours(*, person_ids: list[int], start: dt.date, end: dt.date) -> dict[int, Decimal]:
    """Hours of community service each person did in held activities from ``start`` to ``end``."""
    out: dict[int, Decimal] = {}
    for row in (
        Participation.objects.filter(
            person_id__in=person_ids,
            kind=ParticipantKind.SUBJECT,
            status=ParticipationStatus.PRESENT,
            activity__status=ActivityStatus.HELD,
            activity__date__range=(start, end),
        )
        .values("person_id")
        .annotate(hours=Sum("hours"))
    ):
        out[row["person_id"]] = row["hours"] or Decimal("0")
    return out


provide("community.calendar_items", calendar_items)
provide("community.service_hours", service_hours)
provide("community.stats", community_stats)
provide("community.my_participations", my_participations)
