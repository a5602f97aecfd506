"""Indicator measures of education (see docs/education.md, "How the figures are computed").

Only sessions with status "held" whose date falls in the period count; cancelled and rescheduled sessions
never do. A session serving several squadrons counts once. The sessions that were not held are counted
too (``sessions_cancelled``, ``sessions_rescheduled``, by the date they were planned for), so a report shows
that none was dropped silently: a rescheduled session's new session counts as held on its own date.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiaozheng.core.measures import MeasureContext, measure
from jiaozheng.education.choices import AttendanceStatus, EducationMode, SessionStatus
from jiaozheng.education.models import Attendance, Session


def held_sessions(ctx: MeasureContext):
    return sessions_with_status(ctx, SessionStatus.HELD)


def sessions_with_status(ctx: MeasureContext, status: str):
    return Session.objects.filter(
        county_id__in=ctx.county_ids, status=status, date__range=(ctx.start, ctx.end)
    )


def cancelled_sessions(ctx: MeasureContext):
    return sessions_with_status(ctx, SessionStatus.CANCELLED)


def rescheduled_sessions(ctx: MeasureContext):
    return sessions_with_status(ctx, SessionStatus.RESCHEDULED)


def remote_sessions(ctx: MeasureContext):
    return held_sessions(ctx).filter(mode=EducationMode.REMOTE)


def present_rows(ctx: MeasureContext):
    return Attendance.objects.filter(
        status=AttendanceStatus.PRESENT,
        county_id__in=ctx.county_ids,
        session__status=SessionStatus.HELD,
        session__date__range=(ctx.start, ctx.end),
    )


@measure(
    "education.sessions_held",
    label=_("Education sessions held"),
    unit=pgettext_lazy("unit", "sessions"),
    records=held_sessions,
    description=_(
        "Sessions recorded as held in the period, every format and stage; cancelled and rescheduled "
        "sessions do not count; a session for several squadrons counts once."
    ),
)
def sessions_held(ctx: MeasureContext) -> int:
    return held_sessions(ctx).count()


@measure(
    "education.sessions_cancelled",
    label=_("Education sessions cancelled"),
    unit=pgettext_lazy("unit", "sessions"),
    records=cancelled_sessions,
    description=_(
        "Sessions planned for a day in the period and cancelled (pandemic control, weather, no lecturer "
        "...); they never count as held."
    ),
)
def sessions_cancelled(ctx: MeasureContext) -> int:
    return cancelled_sessions(ctx).count()


@measure(
    "education.sessions_rescheduled",
    label=_("Education sessions rescheduled"),
    unit=pgettext_lazy("unit", "sessions"),
    records=rescheduled_sessions,
    description=_(
        "Sessions planned for a day in the period and moved to another date; the moved session counts as "
        "held on the day it takes place, the original never does."
    ),
)
def sessions_rescheduled(ctx: MeasureContext) -> int:
    return rescheduled_sessions(ctx).count()


@measure(
    "education.sessions_held_remote",
    label=_("Remote education sessions held"),
    unit=pgettext_lazy("unit", "sessions"),
    records=remote_sessions,
    description=_("Held sessions taught remotely (online classes, live streams)."),
)
def sessions_held_remote(ctx: MeasureContext) -> int:
    return remote_sessions(ctx).count()


@measure(
    "education.attendances",
    label=_("Education attendance"),
    unit=_("person-times"),
    records=present_rows,
    description=_(
        "Persons marked present (on the roster or by phone check-in) at held sessions, counted per session."
    ),
)
def attendances(ctx: MeasureContext) -> int:
    return present_rows(ctx).count()


@measure(
    "education.persons_reached",
    label=_("Persons reached by education"),
    unit=_("persons"),
    kind="distinct",
    records=present_rows,
    description=_("Distinct persons present at least once at a held session in the period."),
)
def persons_reached(ctx: MeasureContext) -> int:
    return present_rows(ctx).values("person_id").distinct().count()


@measure(
    "education.study_hours",
    label=_("Study hours credited"),
    unit=_("hours"),
    records=present_rows,
    description=_("Sum of the hours credited to persons present at held sessions."),
)
def study_hours(ctx: MeasureContext) -> Decimal:
    return present_rows(ctx).aggregate(h=Sum("hours"))["h"] or Decimal("0")
