"""/api/v1/community: the supervised person's community-service record on the phone.

No ``from __future__ import annotations`` here: django-ninja reads the annotations at import time.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from jiaozheng.community.selectors import my_participations
from jiaozheng.core.access import api_access
from jiaozheng.core.apiauth import Router
from jiaozheng.core.roles import Domain, Role

router = Router(tags=["community"])


class ErrorOut(Schema):
    message: str
    errors: list[dict[str, Any]] = []


class ParticipationOut(Schema):
    activity_id: int
    theme: str
    kind: str
    date: dt.date
    start_time: str
    end_time: str
    place: str
    status: str = Field(description="invited, present, absent or excused")
    hours: Decimal


class ParticipationList(Schema):
    upcoming: list[ParticipationOut]
    recent: list[ParticipationOut]


def _out(row: Any) -> dict[str, Any]:
    activity = row.activity
    return {
        "activity_id": activity.pk,
        "theme": activity.theme,
        "kind": activity.kind,
        "date": activity.date,
        "start_time": activity.start_time.strftime("%H:%M"),
        "end_time": activity.end_time.strftime("%H:%M"),
        "place": activity.place_label,
        "status": row.status,
        "hours": row.hours,
    }


@router.get(
    "/community/me/activities",
    response={200: ParticipationList, 401: ErrorOut, 403: ErrorOut},
    summary="The caller's community-service invitations and recent participations (supervised person)",
)
@api_access(domain=Domain.SERVICES, roles=[Role.SUBJECT])
def my_activities(request):
    return {
        "upcoming": [_out(r) for r in my_participations(actor=request.user, upcoming=True)],
        "recent": [_out(r) for r in my_participations(actor=request.user, upcoming=False)],
    }
