"""Reads for supervision procedures, always from the caller's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiaozheng.core.scoping import scoped
from jiaozheng.supervision.choices import InvestigationStatus, TravelStatus
from jiaozheng.supervision.models import Investigation, Release, ReportFollowUp, TravelRequest


def investigation_list(*, actor: Any, status: str = "", late: bool = False) -> QuerySet[Investigation]:
    qs = scoped(Investigation, actor).select_related("county", "assignee")
    if status and status in InvestigationStatus.values:
        qs = qs.filter(status=status)
    if late:
        qs = qs.filter(late_q())
    return qs.order_by("due_on", "id")


def late_q(today=None) -> Q:
    """Commissions past their due date: open ones after it, answered ones answered after it."""
    from django.db.models import F

    today = today or timezone.localdate()
    return Q(answered_on__isnull=True, due_on__lt=today) | Q(answered_on__gt=F("due_on"))


def travel_list(*, actor: Any, status: str = "", person_id: int | None = None) -> QuerySet[TravelRequest]:
    qs = scoped(TravelRequest, actor).select_related("person", "person__squadron", "decided_by")
    if status and status in TravelStatus.values:
        qs = qs.filter(status=status)
    if person_id:
        qs = qs.filter(person_id=person_id)
    return qs.order_by("-start_on", "-id")


def release_due_list(*, actor: Any, within_days: int | None = None) -> QuerySet[Any]:
    """Persons in correction whose term ends within ``within_days`` (rule supervision.release_notice_days)
    or has already ended: one query whatever the number of persons."""
    import datetime as dt

    from jiaozheng.core.rules import rule
    from jiaozheng.people.choices import Status
    from jiaozheng.people.models import Person

    days = within_days if within_days is not None else rule("supervision.release_notice_days")
    until = timezone.localdate() + dt.timedelta(days=days)
    return (
        scoped(Person, actor)
        .filter(status=Status.IN_CORRECTION, term_end__lte=until)
        .select_related("squadron", "county")
        .order_by("term_end", "id")
    )


def release_list(*, actor: Any) -> QuerySet[Release]:
    return scoped(Release, actor).select_related("person", "county").order_by("-released_on", "-id")


def followup_list(*, actor: Any, open_only: bool = True) -> QuerySet[ReportFollowUp]:
    qs = scoped(ReportFollowUp, actor).select_related("person", "person__squadron")
    if open_only:
        qs = qs.filter(closed_on__isnull=True)
    return qs.order_by("deadline", "id")
