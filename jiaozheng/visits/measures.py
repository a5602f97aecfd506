"""Indicator measures of visits (docs/visits.md, "How the figures are computed").

Only completed visits count (a visit where the person was not reached is kept but not counted). A visit
belongs to the county of its person and to the day it took place (local time); both ends of the period are
inclusive.

- ``visits.<kind>_visits``: visit records of that kind in the period (人次).
- ``visits.<kind>_subjects``: distinct persons with at least one visit of that kind in the period (人).
- ``visits.on_time_rate``: Σ min(done, required) ÷ Σ required over the standards' windows that closed in
  the period (a fraction 0–1; 1 when nothing fell due).
- ``visits.focus_on_time_rate`` / ``visits.routine_on_time_rate``: the same over the focus-visit or the
  routine-check standards only.
- ``visits.interventions``: interventions decided in the period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiaozheng.core.measures import MeasureContext, measure
from jiaozheng.people.models import Person
from jiaozheng.visits.choices import VisitOutcome, VisitType
from jiaozheng.visits.models import Intervention, Visit
from jiaozheng.visits.standards import PERSON_FIELDS, RateParts, StandardBook, closed_windows, load_facts


def counted_visits(ctx: MeasureContext, visit_type: str | None = None) -> QuerySet[Visit]:
    qs = Visit.objects.filter(
        person__county_id__in=ctx.county_ids,
        visited_on__gte=ctx.start,
        visited_on__lte=ctx.end,
        outcome=VisitOutcome.COMPLETED,
    )
    if visit_type:
        qs = qs.filter(visit_type=visit_type)
    return qs


def _visits(visit_type: str) -> Any:
    def compute(ctx: MeasureContext) -> int:
        return counted_visits(ctx, visit_type).count()

    return compute


def _subjects(visit_type: str) -> Any:
    def compute(ctx: MeasureContext) -> int:
        return counted_visits(ctx, visit_type).values("person_id").distinct().count()

    return compute


_LABELS = {
    VisitType.ROUTINE: (_("Routine visits"), _("Persons given routine visits")),
    VisitType.FOCUS: (_("Focus visits"), _("Persons given focus visits")),
    VisitType.SPECIAL: (_("Special visits"), _("Persons given special visits")),
}

for _type, (_visits_label, _subjects_label) in _LABELS.items():
    measure(
        f"visits.{_type}_visits",
        label=_visits_label,
        unit=_("person-times (人次)"),
        kind="count",
        description=_("Completed visit records of this kind in the period"),
        records=lambda ctx, t=_type: counted_visits(ctx, t),
    )(_visits(_type))
    measure(
        f"visits.{_type}_subjects",
        label=_subjects_label,
        unit=_("persons (人)"),
        kind="distinct",
        description=_("Distinct persons with at least one completed visit of this kind in the period"),
        records=lambda ctx, t=_type: counted_visits(ctx, t),
    )(_subjects(_type))


def on_time_parts(ctx: MeasureContext, today: dt.date | None = None) -> RateParts:
    """Due visits and those done within their window, over windows that closed in the period."""
    today = today or timezone.localdate()
    end = min(ctx.end, today - dt.timedelta(days=1))
    parts = RateParts()
    if end < ctx.start:
        return parts
    book = StandardBook()
    book.prime(ctx.county_ids)
    persons = (
        Person.objects.filter(county_id__in=ctx.county_ids, intake_on__isnull=False, intake_on__lte=end)
        .filter(
            Q(released_on__gte=ctx.start)
            | Q(terminated_on__gte=ctx.start)
            | Q(released_on__isnull=True, terminated_on__isnull=True)
        )
        .order_by()
        .values(*PERSON_FIELDS)
    )
    longest = max((s.max_days for c in ctx.county_ids for s in book.standards(c)), default=31)
    facts = load_facts(
        persons,
        book=book,
        today=today,
        visits_from=ctx.start - dt.timedelta(days=longest + 1),
        visits_until=end,
        by_county=True,
    )
    for f in facts:
        params = book.params(f.county_id)
        for window in closed_windows(
            f, book.standards(f.county_id), start=ctx.start, end=end, min_days=params["min_window_days"]
        ):
            parts.add(window)
    return parts


@measure(
    "visits.on_time_rate",
    label=_("Visits done on time"),
    unit=_("share (0–1)"),
    kind="rate",
    description=_(
        "Due visits done within their window ÷ due visits, over the visit standards' windows that closed "
        "in the period"
    ),
    records=lambda ctx: counted_visits(ctx),
)
def on_time_rate(ctx: MeasureContext) -> float:
    return on_time_parts(ctx).rate


def _interventions(ctx: MeasureContext) -> QuerySet[Intervention]:
    return Intervention.objects.filter(
        visit__person__county_id__in=ctx.county_ids, decided_on__gte=ctx.start, decided_on__lte=ctx.end
    )


@measure(
    "visits.interventions",
    label=_("Interventions after visits"),
    unit=_("interventions"),
    kind="count",
    description=_("Admonitions, psychological referrals, hardship help and talks decided on visit findings"),
    records=_interventions,
)
def interventions(ctx: MeasureContext) -> int:
    return _interventions(ctx).count()


def _rate_of(visit_type: str) -> Any:
    def compute(ctx: MeasureContext) -> float:
        due, done = on_time_parts(ctx).by_type.get(visit_type, [0, 0])
        return done / due if due else 1.0

    return compute


measure(
    "visits.focus_on_time_rate",
    label=_("Focus visits done on time"),
    unit=_("share (0–1)"),
    kind="rate",
    description=_(
        "As visits.on_time_rate, over the windows of the focus-visit standards only (严管 and 新入矫)"
    ),
    records=lambda ctx: counted_visits(ctx, VisitType.FOCUS),
)(_rate_of(VisitType.FOCUS))
measure(
    "visits.routine_on_time_rate",
    label=_("Routine checks done on time"),
    unit=_("share (0–1)"),
    kind="rate",
    description=_("As visits.on_time_rate, over the windows of the routine-check standards only"),
    records=lambda ctx: counted_visits(ctx, VisitType.ROUTINE),
)(_rate_of(VisitType.ROUTINE))
