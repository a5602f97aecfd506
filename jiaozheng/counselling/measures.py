"""Indicator measures of counselling (the seed's 团体心理辅导 6 场次 and 个案心理咨询 20 人 in 2020)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiaozheng.core.measures import MeasureContext, measure
from jiaozheng.counselling.choices import CaseStatus, GroupSessionStatus
from jiaozheng.counselling.models import CounsellingCase, GroupSession


def sessions_held(ctx: MeasureContext) -> QuerySet[GroupSession]:
    return GroupSession.objects.filter(
        status=GroupSessionStatus.HELD,
        held_on__gte=ctx.start,
        held_on__lte=ctx.end,
        group__county_id__in=ctx.county_ids,
    )


def cases_opened(ctx: MeasureContext) -> QuerySet[CounsellingCase]:
    return CounsellingCase.objects.filter(
        opened_on__gte=ctx.start, opened_on__lte=ctx.end, person__county_id__in=ctx.county_ids
    )


def cases_closed(ctx: MeasureContext) -> QuerySet[CounsellingCase]:
    return cases_opened(ctx).filter(status=CaseStatus.CLOSED, closed_on__lte=ctx.end)


@measure(
    "counselling.group_sessions",
    label=_("Group counselling sessions held"),
    unit=pgettext_lazy("unit", "sessions"),
    kind="count",
    description=_("团体心理辅导场次: group sessions marked held in the period"),
    records=sessions_held,
)
def group_sessions(ctx: MeasureContext) -> int:
    return sessions_held(ctx).count()


@measure(
    "counselling.individual_cases",
    label=_("Persons given individual counselling"),
    unit=_("persons"),
    kind="distinct",
    description=_("个案心理咨询人数: distinct persons with an individual case opened in the period"),
    records=cases_opened,
)
def individual_cases(ctx: MeasureContext) -> int:
    return cases_opened(ctx).values("person_id").distinct().count()


@measure(
    "counselling.closure_rate",
    label=_("Individual cases closed"),
    unit="%",
    kind="rate",
    description=_(
        "个案矫正率 (the seed leaves it undefined): cases opened in the period and closed with an outcome by its "
        "end ÷ cases opened in the period"
    ),
    records=cases_closed,
)
def closure_rate(ctx: MeasureContext) -> float:
    total = cases_opened(ctx).count()
    return cases_closed(ctx).count() / total if total else 0.0
