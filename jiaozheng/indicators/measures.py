"""Caseload measures for the effect indicators (效益指标), computed from the foundation's person records.

The caseload registry (people) registers no measures of its own; these read its records only. Codes use
the ``caseload.`` prefix so that they cannot collide with codes the people app may register one day.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jiaozheng.core.measures import MeasureContext, measure
from jiaozheng.people.choices import Status, TerminationReason
from jiaozheng.people.models import Person


def served(ctx: MeasureContext) -> QuerySet[Person]:
    """Persons in correction at some time in the period: reported in by its end, not gone before its start
    (released, terminated, or — awaiting release — with the term ended before the period)."""
    return (
        Person.objects.filter(county_id__in=ctx.county_ids, intake_on__isnull=False, intake_on__lte=ctx.end)
        .exclude(status=Status.PENDING)
        .exclude(released_on__lt=ctx.start)
        .exclude(terminated_on__lt=ctx.start)
        .exclude(status=Status.IN_CORRECTION, term_end__lt=ctx.start)
    )


def new_entrants(ctx: MeasureContext) -> QuerySet[Person]:
    return Person.objects.filter(
        county_id__in=ctx.county_ids, intake_on__gte=ctx.start, intake_on__lte=ctx.end
    ).exclude(status=Status.PENDING)


def revoked(ctx: MeasureContext) -> QuerySet[Person]:
    """Persons whose correction ended in the period by revocation or committal (撤销缓刑/假释, 收监执行)."""
    return Person.objects.filter(
        Q(termination_reason=TerminationReason.REVOCATION)
        | Q(termination_reason=TerminationReason.COMMITTAL),
        county_id__in=ctx.county_ids,
        status=Status.TERMINATED,
        terminated_on__gte=ctx.start,
        terminated_on__lte=ctx.end,
    )


@measure(
    "caseload.persons_served",
    label=_("Persons served"),
    unit=_("persons"),
    kind="distinct",
    description=_("Persons in correction at some time in the period"),
    records=served,
)
def persons_served(ctx: MeasureContext) -> int:
    return served(ctx).count()


@measure(
    "caseload.new_entrants",
    label=_("New entrants"),
    unit=_("persons"),
    kind="distinct",
    description=_("Persons who reported in (入矫) during the period"),
    records=new_entrants,
)
def new_entrant_count(ctx: MeasureContext) -> int:
    return new_entrants(ctx).count()


@measure(
    "caseload.revocations",
    label=_("Revocations and committals"),
    unit=_("persons"),
    description=_("Corrections ended in the period by revocation of probation or parole, or committal"),
    records=revoked,
)
def revocations(ctx: MeasureContext) -> int:
    return revoked(ctx).count()


@measure(
    "caseload.revocation_rate",
    label=_("Revocation rate"),
    unit="%",
    kind="rate",
    description=_("Revocations and committals ÷ persons served (lower is better)"),
    records=revoked,
)
def revocation_rate(ctx: MeasureContext) -> Decimal:
    total = served(ctx).count()
    return Decimal(revoked(ctx).count()) / Decimal(total) if total else Decimal("0")
