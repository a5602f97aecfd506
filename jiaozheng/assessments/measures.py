"""Indicator measures of psychological assessment (the seed's 心理测量评估 figures).

2020 in the seed county: 255 persons assessed, 247 valid, 247 reports (《心理测验与评估分析报告》),
测评率 100 % of that year's new entrants.

Persons are counted once (``kind="distinct"``); the assessment records behind them are counted too
(``completed_assessments``, ``valid_assessments``: a person tested twice counts twice), so a reader sees how
many tests the persons figures rest on. Only completed assessments count: assigned, unfinished and cancelled
ones never do, and validity is the one the scorer judged (questionable and invalid are not valid).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from jiaozheng.assessments.choices import AssessmentStatus, Validity
from jiaozheng.assessments.models import Assessment, Report
from jiaozheng.core.measures import MeasureContext, measure


def completed(ctx: MeasureContext) -> QuerySet[Assessment]:
    """Completed assessments dated in the period, of persons of the counties."""
    return Assessment.objects.filter(
        status=AssessmentStatus.COMPLETED,
        administered_on__gte=ctx.start,
        administered_on__lte=ctx.end,
        person__county_id__in=ctx.county_ids,
    )


def valid(ctx: MeasureContext) -> QuerySet[Assessment]:
    """Completed assessments of the period judged valid (questionable and invalid ones are not)."""
    return completed(ctx).filter(validity=Validity.VALID)


def reports(ctx: MeasureContext) -> QuerySet[Report]:
    return Report.objects.filter(
        withdrawn=False,
        issued_on__gte=ctx.start,
        issued_on__lte=ctx.end,
        assessment__person__county_id__in=ctx.county_ids,
    )


@measure(
    "assessments.persons_assessed",
    label=_("Persons assessed"),
    unit=_("persons"),
    kind="distinct",
    description=_(
        "心理测量: distinct persons with a completed assessment (any scale, any validity) in the period"
    ),
    records=completed,
)
def persons_assessed(ctx: MeasureContext) -> int:
    return completed(ctx).values("person_id").distinct().count()


@measure(
    "assessments.valid_persons",
    label=_("Persons validly assessed"),
    unit=_("persons"),
    kind="distinct",
    description=_(
        "有效评估: distinct persons with at least one assessment judged valid in the period (questionable ones are not counted)"
    ),
    records=valid,
)
def valid_persons(ctx: MeasureContext) -> int:
    return valid(ctx).values("person_id").distinct().count()


@measure(
    "assessments.completed_assessments",
    label=_("Assessments completed"),
    unit=_("person-times"),
    kind="count",
    description=_(
        "Completed assessments dated in the period, every scale, valid or not; a person tested twice "
        "counts twice; assigned, unfinished and cancelled assessments do not count."
    ),
    records=completed,
)
def completed_assessments(ctx: MeasureContext) -> int:
    return completed(ctx).count()


@measure(
    "assessments.valid_assessments",
    label=_("Valid assessments"),
    unit=_("person-times"),
    kind="count",
    description=_(
        "Completed assessments dated in the period and judged valid; questionable and invalid ones do not "
        "count; a person validly tested twice counts twice."
    ),
    records=valid,
)
def valid_assessments(ctx: MeasureContext) -> int:
    return valid(ctx).count()


@measure(
    "assessments.reports_issued",
    label=_("Assessment reports issued"),
    unit=_("reports"),
    kind="count",
    description=_("《心理测验与评估分析报告》 issued in the period (withdrawn reports are not counted)"),
    records=reports,
)
def reports_issued(ctx: MeasureContext) -> int:
    return reports(ctx).count()


def new_entrants(ctx: MeasureContext):
    from jiaozheng.people.models import Person

    return Person.objects.filter(
        county_id__in=ctx.county_ids, intake_on__gte=ctx.start, intake_on__lte=ctx.end
    )


def new_entrants_assessed(ctx: MeasureContext):
    done = Assessment.objects.filter(
        person=OuterRef("pk"),
        status=AssessmentStatus.COMPLETED,
        administered_on__gte=OuterRef("intake_on"),
        administered_on__lte=ctx.end,
    )
    return new_entrants(ctx).filter(Exists(done))


@measure(
    "assessments.new_entrant_rate",
    label=_("New entrants assessed"),
    unit="%",
    kind="rate",
    description=_(
        "测评率: persons whose intake fell in the period and who completed an assessment between their intake "
        "and the end of the period ÷ persons whose intake fell in the period"
    ),
    records=new_entrants_assessed,
)
def new_entrant_rate(ctx: MeasureContext) -> float:
    total = new_entrants(ctx).count()
    return new_entrants_assessed(ctx).count() / total if total else 0.0
