"""Reads for supervision procedures, always from the caller's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiaozheng.core.scoping import scoped
from jiaozheng.supervision.choices import InvestigationStatus, TravelStatus
from jiaozheng.supervision.models import Investigation, TravelRequest


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
