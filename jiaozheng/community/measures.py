"""Indicator measures of community service (see docs/education.md).

Only activities with status "held" whose date falls in the period count; cancelled ones never do, and are
counted apart (``activities_cancelled``) so a report shows that none was dropped silently.
Participations, persons and hours are those of supervised persons who took part; staff and other
volunteers are shown on the activity pages but not counted here.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from jiaozheng.community.choices import ActivityStatus, ParticipantKind, ParticipationStatus
from jiaozheng.community.models import Activity, Participation
from jiaozheng.core.measures import MeasureContext, measure


def activities_with_status(ctx: MeasureContext, status: str):
    return Activity.objects.filter(
        county_id__in=ctx.county_ids, status=status, date__range=(ctx.start, ctx.end)
    )


def held_activities(ctx: MeasureContext):
    return activities_with_status(ctx, ActivityStatus.HELD)


def cancelled_activities(ctx: MeasureContext):
    return activities_with_status(ctx, ActivityStatus.CANCELLED)


def subject_rows(ctx: MeasureContext):
    return Participation.objects.filter(
        kind=ParticipantKind.SUBJECT,
        status=ParticipationStatus.PRESENT,
        county_id__in=ctx.county_ids,
        activity__status=ActivityStatus.HELD,
        activity__date__range=(ctx.start, ctx.end),
    )


@measure(
    "community.activities_held",
    label=_("Community-service activities held"),
    unit=_("activities"),
    records=held_activities,
    description=_(
        "Activities recorded as held in the period; cancelled ones do not count; an activity of "
        "several squadrons counts once."
    ),
)
def activities_held(ctx: MeasureContext) -> int:
    return held_activities(ctx).count()


@measure(
    "community.activities_cancelled",
    label=_("Community-service activities cancelled"),
    unit=_("activities"),
    records=cancelled_activities,
    description=_(
        "Activities planned for a day in the period and cancelled (pandemic control, weather, no venue "
        "...); they never count as held."
    ),
)
def activities_cancelled(ctx: MeasureContext) -> int:
    return cancelled_activities(ctx).count()


@measure(
    "community.participations",
    label=_("Community-service participations"),
    unit=_("person-times"),
    records=subject_rows,
    description=_("Supervised persons who took part in held activities, counted per activity."),
)
def participations(ctx: MeasureContext) -> int:
    return subject_rows(ctx).count()


@measure(
    "community.persons_reached",
    label=_("Persons reached by community service"),
    unit=_("persons"),
    kind="distinct",
    records=subject_rows,
    description=_("Distinct supervised persons who took part at least once in the period."),
)
def persons_reached(ctx: MeasureContext) -> int:
    return subject_rows(ctx).values("person_id").distinct().count()


@measure(
    "community.service_hours",
    label=_("Public-welfare hours"),
    unit=_("hours"),
    records=subject_rows,
    description=_("Sum of the hours of supervised persons who took part in held activities."),
)
def service_hours(ctx: MeasureContext) -> Decimal:
    return subject_rows(ctx).aggregate(h=Sum("hours"))["h"] or Decimal("0")
