"""Reads of participant feedback: a person's pending questionnaires, aggregates for staff, figures.

Staff never read one person's answers: every staff-facing read here is an aggregate (responses, mean
score, share satisfied) per activity or per period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q
from django.utils import timezone

from jiaozheng.core.activities import ActivityRef, activity_sources
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import scope_for, scoped
from jiaozheng.feedback.models import BuyerEvaluation, FeedbackResponse


@dataclass(frozen=True)
class Pending:
    ref: ActivityRef
    label: Any
    closes_on: dt.date

    @property
    def token(self) -> str:
        return f"{self.ref.kind}:{self.ref.id}"


def pending_for_subject(*, actor: Any, today: dt.date | None = None) -> list[Pending]:
    """Activities the person attended whose feedback window is open and who has not answered yet."""
    scope = scope_for(actor)
    if scope.person_id is None:
        return []
    today = today or timezone.localdate()
    person = getattr(actor, "person", None)
    days = int(rule("feedback.window_days", person.county_id if person is not None else None))
    answered = set(
        FeedbackResponse.objects.filter(person_id=scope.person_id).values_list("activity_kind", "activity_id")
    )
    rows: list[Pending] = []
    for source in activity_sources().values():
        for ref in source.attended(scope.person_id, today - dt.timedelta(days=days), today):
            if ref.key not in answered:
                rows.append(Pending(ref, source.label, ref.date + dt.timedelta(days=days)))
    return sorted(rows, key=lambda p: (p.closes_on, p.ref.kind, p.ref.id))


def my_responses(*, actor: Any):
    scope = scope_for(actor)
    return FeedbackResponse.objects.filter(person_id=scope.person_id) if scope.person_id else []


@dataclass(frozen=True)
class ActivityStats:
    ref: ActivityRef
    label: Any
    attendees: int
    responses: int
    mean: Decimal | None
    satisfied: int

    @property
    def response_rate(self) -> Decimal | None:
        if not self.attendees:
            return None
        return (Decimal(self.responses) * 100 / Decimal(self.attendees)).quantize(Decimal("0.1"))

    @property
    def satisfied_rate(self) -> Decimal | None:
        if not self.responses:
            return None
        return (Decimal(self.satisfied) * 100 / Decimal(self.responses)).quantize(Decimal("0.1"))


def _aggregate(kind: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = (
        FeedbackResponse.objects.filter(activity_kind=kind, activity_id__in=ids)
        .values("activity_id")
        .annotate(n=Count("id"), mean=Avg("mean_score"), ok=Count("id", filter=Q(satisfied=True)))
    )
    return {r["activity_id"]: r for r in rows}


def activity_stats(*, actor: Any, start: dt.date, end: dt.date, kind: str = "") -> list[ActivityStats]:
    """Per held activity the actor may see in the period: attendees, responses, mean and share satisfied."""
    out: list[ActivityStats] = []
    for source in activity_sources().values():
        if kind and source.kind != kind:
            continue
        refs = list(source.held(actor, start, end))
        agg = _aggregate(source.kind, [r.id for r in refs])
        for ref in refs:
            row = agg.get(ref.id, {})
            mean = row.get("mean")
            out.append(
                ActivityStats(
                    ref=ref,
                    label=source.label,
                    attendees=len(ref.attendee_ids),
                    responses=row.get("n", 0),
                    mean=Decimal(mean).quantize(Decimal("0.01")) if mean is not None else None,
                    satisfied=row.get("ok", 0),
                )
            )
    return sorted(out, key=lambda s: (s.ref.date, s.ref.kind, s.ref.id), reverse=True)


def totals(stats: list[ActivityStats]) -> dict[str, Any]:
    attendees = sum(s.attendees for s in stats)
    responses = sum(s.responses for s in stats)
    satisfied = sum(s.satisfied for s in stats)
    return {
        "activities": len(stats),
        "attendees": attendees,
        "responses": responses,
        "response_rate": (Decimal(responses) * 100 / attendees).quantize(Decimal("0.1"))
        if attendees
        else None,
        "satisfied_rate": (Decimal(satisfied) * 100 / responses).quantize(Decimal("0.1"))
        if responses
        else None,
    }


def period_figures(county_ids: tuple[int, ...], start: dt.date, end: dt.date) -> dict[str, Any]:
    """Responses, satisfied responses and attendances of held activities in the counties and period."""
    agg = FeedbackResponse.objects.filter(
        county_id__in=county_ids, activity_date__range=(start, end)
    ).aggregate(n=Count("id"), ok=Count("id", filter=Q(satisfied=True)))
    attendances = 0
    for source in activity_sources().values():
        if source.in_counties is not None:
            attendances += sum(len(r.attendee_ids) for r in source.in_counties(county_ids, start, end))
    return {"responses": agg["n"] or 0, "satisfied": agg["ok"] or 0, "attendances": attendances}


def buyer_evaluations(*, actor: Any):
    return scoped(BuyerEvaluation, actor).select_related("county", "provider", "signed_by")


def activity_figures(kind: str, activity_id: int) -> dict[str, Any] | None:
    """Aggregates of one held activity's feedback (never the answers): present, responses, mean, satisfied.
    For the evidence pack; None if the activity is not a held one."""
    source = activity_sources().get(kind)
    ref = source.get(activity_id) if source is not None else None
    if ref is None:
        return None
    row = _aggregate(kind, [activity_id]).get(activity_id, {})
    mean = row.get("mean")
    return {
        "present": len(ref.attendee_ids),
        "responses": row.get("n", 0),
        "mean": Decimal(mean).quantize(Decimal("0.01")) if mean is not None else None,
        "satisfied": row.get("ok", 0),
    }
