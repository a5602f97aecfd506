"""Reads of the face check-in module. Every selector starts from the actor's scope.

Reads that return face images or positions log the access (``access_log("face"|"location", ...)``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from jiaozheng.audit.services import access_log
from jiaozheng.checkins.choices import RequestStatus, Result, TodayStatus
from jiaozheng.checkins.models import (
    CheckinAttempt,
    CheckinPlan,
    CheckinRequest,
    CheckinReview,
    ReferencePhoto,
    unpack_frames,
)
from jiaozheng.core.params import date_param, id_param
from jiaozheng.core.roles import VIEW, Domain
from jiaozheng.core.scoping import get_scoped_or_404, scoped
from jiaozheng.people.choices import Status
from jiaozheng.people.models import Person


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)), tz)
    return start, start + dt.timedelta(days=1)


@dataclass
class RequestFilters:
    status: str = ""
    result: str = ""
    kind: str = ""
    squadron: int | None = None
    person: int | None = None
    day_from: dt.date | None = None
    day_to: dt.date | None = None
    review: str = ""  # "", "needed", "done"
    q: str = ""

    @classmethod
    def from_mapping(cls, data: Any) -> RequestFilters:
        def as_int(key: str) -> int | None:
            return id_param(data, key)

        def as_date(key: str) -> dt.date | None:
            return date_param(data, key)

        return cls(
            status=str(data.get("status") or "")[:12],
            result=str(data.get("result") or "")[:16],
            kind=str(data.get("kind") or "")[:12],
            squadron=as_int("squadron"),
            person=as_int("person"),
            day_from=as_date("day_from"),
            day_to=as_date("day_to"),
            review=str(data.get("review") or "")[:8],
            q=str(data.get("q") or "").strip()[:50],
        )


def _with_review(qs: QuerySet[CheckinRequest]) -> QuerySet[CheckinRequest]:
    return qs.annotate(reviewed=Exists(CheckinReview.objects.filter(request=OuterRef("pk"))))


def review_needed_q() -> Q:
    """Closed with attempts and no match: the automated result asks for a person's look."""
    return Q(status=RequestStatus.FAILED, reviewed=False)


def request_list(*, actor: Any, filters: RequestFilters | None = None) -> QuerySet[CheckinRequest]:
    filters = filters or RequestFilters()
    qs = _with_review(scoped(CheckinRequest, actor)).select_related("person", "person__squadron", "review")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.result:
        qs = qs.filter(result=filters.result)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.squadron:
        qs = qs.filter(person__squadron_id=filters.squadron)
    if filters.person:
        qs = qs.filter(person_id=filters.person)
    if filters.day_from:
        qs = qs.filter(issued_at__gte=_day_bounds(filters.day_from)[0])
    if filters.day_to:
        qs = qs.filter(issued_at__lt=_day_bounds(filters.day_to)[1])
    if filters.review == "needed":
        qs = qs.filter(review_needed_q())
    elif filters.review == "done":
        qs = qs.filter(reviewed=True)  # type: ignore[misc]
    if filters.q:
        qs = qs.filter(Q(person__name__icontains=filters.q) | Q(person__case_number__icontains=filters.q))
    return qs.order_by("-issued_at", "-id")


def request_get(*, actor: Any, pk: Any, action: str = VIEW) -> CheckinRequest:
    return get_scoped_or_404(
        CheckinRequest.objects.select_related("person", "person__squadron", "created_by"),
        actor,
        action,
        pk=pk,
    )


def attempts_for(*, actor: Any, request: CheckinRequest) -> list[CheckinAttempt]:
    """The attempts of a request; their positions are location data, so the read is logged."""
    attempts = list(scoped(CheckinAttempt, actor).filter(request=request).defer("frames").order_by("number"))
    if any(a.has_position for a in attempts):
        access_log(
            "location",
            person=request.person,
            obj=request,
            detail=f"check-in positions of request {request.pk}",
        )
    return attempts


def review_for(request: CheckinRequest) -> CheckinReview | None:
    return CheckinReview.objects.filter(request=request).select_related("reviewed_by").first()


def reference_current(*, actor: Any, person: Person) -> ReferencePhoto | None:
    return (
        scoped(ReferencePhoto, actor)
        .filter(person=person, active=True)
        .defer("image", "descriptor")
        .select_related("enrolled_by")
        .first()
    )


def reference_history(*, actor: Any, person: Person) -> list[ReferencePhoto]:
    return list(
        scoped(ReferencePhoto, actor)
        .filter(person=person)
        .defer("image", "descriptor")
        .select_related("enrolled_by")
        .order_by("-enrolled_at")
    )


def reference_image(*, actor: Any, pk: Any) -> tuple[ReferencePhoto, bytes]:
    """The JPEG of a reference photo; the read is logged (face data)."""
    photo = get_scoped_or_404(ReferencePhoto.objects.defer("descriptor"), actor, pk=pk)
    access_log("face", person=photo.person_id, obj=photo, detail="reference photo viewed")
    return photo, bytes(photo.image)


def attempt_frame(*, actor: Any, pk: Any, index: int) -> tuple[CheckinAttempt, bytes | None]:
    """One captured frame of an attempt (JPEG), or None once purged; the read is logged (face data)."""
    attempt = get_scoped_or_404(CheckinAttempt.objects.select_related("request"), actor, pk=pk)
    frames = unpack_frames(attempt.frames)
    if not 0 <= index < len(frames):
        return attempt, None
    access_log(
        "face", person=attempt.request.person_id, obj=attempt, detail=f"check-in frame {index + 1} viewed"
    )
    return attempt, frames[index]


def plan_for(*, actor: Any, person: Person) -> CheckinPlan | None:
    return scoped(CheckinPlan, actor).filter(person=person).select_related("set_by").first()


def pending_for_person(*, actor: Any, now: dt.datetime | None = None) -> list[CheckinRequest]:
    """The signed-in person's open check-ins (issued, not yet due), soonest due first."""
    now = now or timezone.now()
    return list(
        scoped(CheckinRequest, actor)
        .filter(status=RequestStatus.PENDING, issued_at__lte=now, due_at__gt=now)
        .select_related("person")
        .order_by("due_at", "id")
    )


def pending_for_person_staff(*, actor: Any, person: Person) -> CheckinRequest | None:
    """The check-in a person still has to answer (staff view), if any."""
    return (
        scoped(CheckinRequest, actor)
        .filter(person=person, status=RequestStatus.PENDING, due_at__gt=timezone.now())
        .order_by("due_at")
        .first()
    )


def recent_for_person(*, actor: Any, limit: int = 10) -> list[CheckinRequest]:
    return list(
        scoped(CheckinRequest, actor)
        .exclude(status=RequestStatus.PENDING)
        .order_by("-issued_at", "-id")[:limit]
    )


# --- today's status per person (dashboards) -------------------------------------------------------------


@dataclass
class PersonDay:
    person_id: int
    status: str
    issued: int = 0
    completed: int = 0
    pending: int = 0
    missed: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def label(self) -> str:
        return TodayStatus(self.status).label  # type: ignore[return-value]


def checkin_status_today(
    *, actor: Any, on: dt.date | None = None, persons: QuerySet[Person] | None = None
) -> dict[int, PersonDay]:
    """Each visible person in correction -> their check-in status for the day (two aggregate queries).

    not_enrolled: no reference photo in use; none_due: nothing issued that day; pending: something still
    waiting; problem: something missed or failed (and nothing waiting); done: everything completed.
    """
    on = on or timezone.localdate()
    start, end = _day_bounds(on)
    base = persons if persons is not None else scoped(Person, actor, domain=Domain.LOCATION)
    people = base.filter(status=Status.IN_CORRECTION).annotate(
        enrolled=Exists(ReferencePhoto.objects.filter(person=OuterRef("pk"), active=True))
    )
    enrolled = dict(people.values_list("pk", "enrolled"))
    counts: dict[int, Counter[str]] = {}
    rows = (
        scoped(CheckinRequest, actor)
        .filter(person_id__in=list(enrolled), issued_at__gte=start, issued_at__lt=end)
        .values_list("person_id", "status")
        .annotate(n=Count("id"))
    )
    for person_id, status, n in rows:
        counts.setdefault(person_id, Counter())[status] += n
    out: dict[int, PersonDay] = {}
    for person_id, has_reference in enrolled.items():
        c = counts.get(person_id, Counter())
        day = PersonDay(
            person_id,
            TodayStatus.NONE_DUE,
            issued=sum(c.values()),
            completed=c[RequestStatus.COMPLETED],
            pending=c[RequestStatus.PENDING],
            missed=c[RequestStatus.MISSED],
            failed=c[RequestStatus.FAILED],
            cancelled=c[RequestStatus.CANCELLED],
        )
        if not has_reference and not day.issued:
            day.status = TodayStatus.NOT_ENROLLED
        elif day.pending:
            day.status = TodayStatus.PENDING
        elif day.missed or day.failed:
            day.status = TodayStatus.PROBLEM
        elif day.completed:
            day.status = TodayStatus.DONE
        out[person_id] = day
    return out


def checkin_counts_today(*, actor: Any, on: dt.date | None = None) -> dict[str, Any]:
    """Totals for the day: requests by status and persons by today's status, plus the review queue."""
    on = on or timezone.localdate()
    start, end = _day_bounds(on)
    requests = scoped(CheckinRequest, actor).filter(issued_at__gte=start, issued_at__lt=end)
    by_status = dict(requests.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    by_result = dict(
        requests.exclude(result="").values_list("result").annotate(n=Count("id")).values_list("result", "n")
    )
    persons = Counter(d.status for d in checkin_status_today(actor=actor, on=on).values())
    issued = sum(by_status.values())
    closed = issued - by_status.get(RequestStatus.PENDING, 0) - by_status.get(RequestStatus.CANCELLED, 0)
    completed = by_status.get(RequestStatus.COMPLETED, 0)
    return {
        "issued": issued,
        "by_status": by_status,
        "by_result": by_result,
        "completed": completed,
        "pending": by_status.get(RequestStatus.PENDING, 0),
        "missed": by_status.get(RequestStatus.MISSED, 0),
        "failed": by_status.get(RequestStatus.FAILED, 0),
        "completion_rate": (completed / closed) if closed else None,
        "persons": dict(persons),
        "not_enrolled": persons.get(TodayStatus.NOT_ENROLLED, 0),
        "review_needed": _with_review(scoped(CheckinRequest, actor)).filter(review_needed_q()).count(),
        "match_share": (by_result.get(Result.MATCH, 0) / sum(by_result.values())) if by_result else None,
    }
