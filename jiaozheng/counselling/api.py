"""/api/v1 counselling: referrals (the interface other modules and integrations use), cases, group sessions.

No ``from __future__ import annotations`` here: django-ninja reads the annotations at import time.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Field, Query, Schema, Status

from jiaozheng.core.access import api_access
from jiaozheng.core.apiauth import Router
from jiaozheng.core.errors import ApplicationError, validation_errors_from_django
from jiaozheng.core.params import BodySchema, Day
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain
from jiaozheng.core.scoping import get_scoped_or_404, scoped
from jiaozheng.counselling import selectors, services
from jiaozheng.counselling.choices import ReferralSource
from jiaozheng.counselling.models import GroupSession
from jiaozheng.counselling.views import GROUP_ROLES
from jiaozheng.people.models import Person

router = Router(tags=["counselling"])


class ErrorOut(Schema):
    message: str
    errors: list[dict[str, Any]] = []


class ReferralIn(BodySchema):
    reason: str = Field(min_length=1, max_length=2000)
    source: ReferralSource = ReferralSource.MANUAL


class ReferralOut(Schema):
    id: int
    person_id: int
    person_name: str
    source: str
    reason: str
    status: str
    opened_at: dt.datetime


class CaseOut(Schema):
    id: int
    person_id: int
    person_name: str
    opened_on: dt.date
    status: str
    closed_on: dt.date | None
    outcome: str
    sessions: int


class GroupSessionOut(Schema):
    id: int
    group_id: int
    group: str
    held_on: dt.date
    topic: str
    status: str
    present: int


def _referral(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "person_id": r.person_id,
        "person_name": r.person.name,
        "source": r.source,
        "reason": r.reason,
        "status": r.status,
        "opened_at": r.opened_at,
    }


@router.post(
    "/persons/{person_id}/referrals",
    response={201: ReferralOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="open_referral",
    summary="Refer a person to counselling (the counsellors of the person's county are notified)",
)
@api_access(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE, obj=("person_id", "people.Person"))
def open_referral(request, person_id: int, payload: ReferralIn):
    person = get_scoped_or_404(Person, request.user, pk=person_id)
    try:
        referral = services.referral_open(
            actor=request.user, person=person, reason=payload.reason, source=payload.source
        )
    except ValidationError as exc:
        raise ApplicationError("invalid input", validation_errors_from_django(exc), 422)
    return Status(201, _referral(referral))


@router.get(
    "/referrals",
    response={200: list[ReferralOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="list_referrals",
    summary="Referrals in the caller's scope",
)
@api_access(roles=STAFF_ROLES, domain=Domain.SERVICES)
def list_referrals(request, status: str = Query("open", max_length=12)):
    return [_referral(r) for r in selectors.referral_list(actor=request.user, status=status[:12])[:500]]


@router.get(
    "/counselling-cases",
    response={200: list[CaseOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="list_counselling_cases",
    summary="Individual counselling cases (no confidential notes)",
)
@api_access(roles=STAFF_ROLES, domain=Domain.SERVICES)
def list_counselling_cases(request, status: str = Query("", max_length=8)):
    from django.db.models import Count

    qs = selectors.case_list(actor=request.user, status=status[:8]).annotate(n_sessions=Count("sessions"))[
        :500
    ]
    return [
        {
            "id": c.pk,
            "person_id": c.person_id,
            "person_name": c.person.name,
            "opened_on": c.opened_on,
            "status": c.status,
            "closed_on": c.closed_on,
            "outcome": c.outcome,
            "sessions": c.n_sessions,
        }
        for c in qs
    ]


@router.get(
    "/group-sessions",
    response={200: list[GroupSessionOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="list_group_sessions",
    summary="Group counselling sessions with the number present",
)
@api_access(roles=GROUP_ROLES, domain=Domain.SERVICES)
def list_group_sessions(request, since: Day | None = None):
    from django.db.models import Count, Q

    qs = (
        scoped(GroupSession, request.user)
        .select_related("group")
        .annotate(n_present=Count("attendance", filter=Q(attendance__present=True)))
    )
    if since:
        qs = qs.filter(held_on__gte=since)
    return [
        {
            "id": s.pk,
            "group_id": s.group_id,
            "group": s.group.name,
            "held_on": s.held_on,
            "topic": s.topic,
            "status": s.status,
            "present": s.n_present,
        }
        for s in qs.order_by("-held_on", "-id")[:500]
    ]
