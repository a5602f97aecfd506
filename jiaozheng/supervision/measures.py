"""Indicator measures of the supervision procedures: the on-time rate of each procedure, so that a contract
or a province can put them in an evaluation."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from jiaozheng.core.measures import MeasureContext, measure
from jiaozheng.people.models import Person
from jiaozheng.supervision.choices import TravelStatus
from jiaozheng.supervision.models import Investigation, Release, TravelRequest


def _rate(part: int, total: int) -> float:
    return part / total if total else 0.0


def investigations_answered(ctx: MeasureContext) -> QuerySet[Investigation]:
    return Investigation.objects.filter(
        county_id__in=ctx.county_ids, answered_on__gte=ctx.start, answered_on__lte=ctx.end
    )


def investigations_on_time(ctx: MeasureContext) -> QuerySet[Investigation]:
    return investigations_answered(ctx).filter(answered_on__lte=F("due_on"))


@measure(
    "supervision.investigation_on_time",
    label=_("Investigation opinions sent on time"),
    unit="%",
    kind="rate",
    description=_(
        "调查评估意见书 sent in the period by the working-day deadline ÷ opinions sent in the period"
    ),
    records=investigations_on_time,
)
def investigation_on_time(ctx: MeasureContext) -> float:
    return _rate(investigations_on_time(ctx).count(), investigations_answered(ctx).count())


def reports_in_period(ctx: MeasureContext) -> QuerySet[Person]:
    return Person.objects.filter(
        county_id__in=ctx.county_ids,
        intake_on__gte=ctx.start,
        intake_on__lte=ctx.end,
        judgment_effective_on__isnull=False,
    )


def _reports_on_time_ids(ctx: MeasureContext) -> list[int]:
    from jiaozheng.core.rules import rule

    days: dict[int, int] = {}
    ids = []
    for pk, county_id, judged, intake in reports_in_period(ctx).values_list(
        "pk", "county_id", "judgment_effective_on", "intake_on"
    ):
        if county_id not in days:
            days[county_id] = rule("people.report_deadline_days", county_id)
        if intake <= judged + dt.timedelta(days=days[county_id]):
            ids.append(pk)
    return ids


def reports_on_time(ctx: MeasureContext) -> QuerySet[Person]:
    return Person.objects.filter(pk__in=_reports_on_time_ids(ctx))


@measure(
    "supervision.report_on_time",
    label=_("Reports on time"),
    unit="%",
    kind="rate",
    description=_(
        "报到: persons who reported in the period within the legal window ÷ persons who reported in it"
    ),
    records=reports_on_time,
)
def report_on_time(ctx: MeasureContext) -> float:
    return _rate(len(_reports_on_time_ids(ctx)), reports_in_period(ctx).count())


def trips_ended(ctx: MeasureContext) -> QuerySet[TravelRequest]:
    return TravelRequest.objects.filter(
        person__county_id__in=ctx.county_ids,
        status__in=(TravelStatus.APPROVED, TravelStatus.RETURNED),
        end_on__gte=ctx.start,
        end_on__lte=ctx.end,
    )


def trips_back_on_time(ctx: MeasureContext) -> QuerySet[TravelRequest]:
    return trips_ended(ctx).filter(status=TravelStatus.RETURNED, returned_on__lte=F("end_on"))


@measure(
    "supervision.travel_return_on_time",
    label=_("Trips reported back on time"),
    unit="%",
    kind="rate",
    description=_("外出: approved trips due back in the period and reported back by their end ÷ those trips"),
    records=trips_back_on_time,
)
def travel_return_on_time(ctx: MeasureContext) -> float:
    return _rate(trips_back_on_time(ctx).count(), trips_ended(ctx).count())


def terms_ended(ctx: MeasureContext) -> QuerySet[Person]:
    return Person.objects.filter(county_id__in=ctx.county_ids, term_end__gte=ctx.start, term_end__lte=ctx.end)


def released_on_time(ctx: MeasureContext) -> QuerySet[Release]:
    return Release.objects.filter(person__in=terms_ended(ctx), released_on__lte=F("person__term_end"))


@measure(
    "supervision.release_on_time",
    label=_("Releases on the term end"),
    unit="%",
    kind="rate",
    description=_(
        "解矫: persons whose term ended in the period and were released on that day ÷ those persons"
    ),
    records=released_on_time,
)
def release_on_time(ctx: MeasureContext) -> float:
    return _rate(released_on_time(ctx).count(), terms_ended(ctx).count())
