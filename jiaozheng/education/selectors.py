"""Reads of education and study. Every selector starts from the actor's scope."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from jiaozheng.core.params import date_param, id_param, month_param
from jiaozheng.core.registry import provider
from jiaozheng.core.roles import VIEW
from jiaozheng.core.scoping import get_scoped_or_404, scoped
from jiaozheng.education.choices import (
    AttendanceStatus,
    EducationMode,
    SessionFormat,
    SessionStatus,
    session_format,
)
from jiaozheng.education.models import Attendance, Course, Session, ThemePlan
from jiaozheng.education.services import month_end, month_start
from jiaozheng.orgs.models import OrgUnit


def parse_month(value: Any, default: dt.date | None = None) -> dt.date:
    """'2026-03' -> date(2026, 3, 1); anything else -> the default (this month)."""
    month = month_param(value)
    if month is not None and 2000 <= month.year <= 2100:
        return month
    return month_start(default or timezone.localdate())


def parse_date(value: Any) -> dt.date | None:
    return date_param(value)


def _as_int(data: Any, key: str) -> int | None:
    return id_param(data, key)


@dataclass
class SessionFilters:
    q: str = ""
    squadron: int | None = None
    county: int | None = None
    status: str = ""
    mode: str = ""
    stage: str = ""
    category: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    awaiting: bool = False  # planned sessions whose date has passed

    @classmethod
    def from_mapping(cls, data: Any) -> SessionFilters:
        filters = cls(
            q=(data.get("q") or "").strip()[:50],
            squadron=_as_int(data, "squadron"),
            county=_as_int(data, "county"),
            status=data.get("status") or "",
            mode=data.get("mode") or "",
            stage=data.get("stage") or "",
            category=data.get("category") or "",
            date_from=parse_date(data.get("date_from")),
            date_to=parse_date(data.get("date_to")),
            awaiting=str(data.get("awaiting", "")).lower() in ("1", "true", "on", "yes"),
        )
        month = data.get("month")
        if month and not (filters.date_from or filters.date_to):
            start = parse_month(month)
            filters.date_from, filters.date_to = start, month_end(start)
        return filters


def session_list(*, actor: Any, filters: SessionFilters | None = None) -> QuerySet[Session]:
    filters = filters or SessionFilters()
    qs = scoped(Session, actor)
    if filters.squadron:
        qs = qs.filter(
            Q(squadrons=filters.squadron) | Q(squadrons__isnull=True, county__children=filters.squadron)
        )
    if filters.county:
        qs = qs.filter(county_id=filters.county)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.mode:
        qs = qs.filter(mode=filters.mode)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    if filters.awaiting:
        qs = qs.filter(status=SessionStatus.PLANNED, date__lt=timezone.localdate())
    if filters.q:
        qs = qs.filter(
            Q(title__icontains=filters.q)
            | Q(lecturer_name__icontains=filters.q)
            | Q(place__icontains=filters.q)
        )
    return (
        Session.objects.filter(pk__in=qs.values("pk"))
        .prefetch_related("squadrons")
        .order_by("-date", "-start_time", "-id")
    )


def with_roster_counts(sessions: Any) -> list[Session]:
    """Attach ``n_roster`` and ``n_present`` (counts over the whole roster: numbers, no names) to a page of
    sessions with one grouped query, instead of aggregating every session of the list."""
    sessions = list(sessions)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"all": 0, "present": 0})
    for session_id, status, n in (
        Attendance.objects.filter(session_id__in=[s.pk for s in sessions])
        .values_list("session_id", "status")
        .annotate(n=Count("id"))
        .values_list("session_id", "status", "n")
    ):
        counts[session_id]["all"] += n
        if status == AttendanceStatus.PRESENT:
            counts[session_id]["present"] += n
    for session in sessions:
        session.n_roster = counts[session.pk]["all"]
        session.n_present = counts[session.pk]["present"]
    return sessions


def session_get(*, actor: Any, pk: Any, action: str = VIEW) -> Session:
    return get_scoped_or_404(
        Session.objects.select_related("county", "course", "plan", "lecturer", "rescheduled_to"),
        actor,
        action,
        pk=pk,
    )


def session_attendance(*, actor: Any, session: Session) -> QuerySet[Attendance]:
    return (
        scoped(Attendance, actor)
        .filter(session=session)
        .select_related("person", "person__squadron", "marked_by")
        .order_by("person__squadron__sort_order", "person__name", "id")
    )


@dataclass
class RosterCounts:
    total: int = 0
    present: int = 0
    absent: int = 0
    excused: int = 0
    expected: int = 0
    self_checkins: int = 0
    average_score: Decimal | None = None


def roster_counts(session: Session) -> RosterCounts:
    """Counts over the whole roster of a session the caller already sees (numbers, no names)."""
    rows = dict(session.attendances.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    from django.db.models import Avg

    avg = session.attendances.filter(status=AttendanceStatus.PRESENT, score__isnull=False).aggregate(
        a=Avg("score")
    )["a"]
    return RosterCounts(
        total=sum(rows.values()),
        present=rows.get(AttendanceStatus.PRESENT, 0),
        absent=rows.get(AttendanceStatus.ABSENT, 0),
        excused=rows.get(AttendanceStatus.EXCUSED, 0),
        expected=rows.get(AttendanceStatus.EXPECTED, 0),
        self_checkins=session.attendances.filter(status=AttendanceStatus.PRESENT, method="self").count(),
        average_score=Decimal(avg).quantize(Decimal("0.1")) if avg is not None else None,
    )


def session_overview(*, actor: Any, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    qs = scoped(Session, actor)
    start = month_start(today)
    return {
        "held_this_month": qs.filter(
            status=SessionStatus.HELD, date__range=(start, month_end(today))
        ).count(),
        "held_this_year": qs.filter(
            status=SessionStatus.HELD, date__range=(today.replace(month=1, day=1), today)
        ).count(),
        "upcoming": qs.filter(status=SessionStatus.PLANNED, date__gte=today).count(),
        "awaiting": qs.filter(status=SessionStatus.PLANNED, date__lt=today).count(),
    }


def squadrons_for(*, actor: Any) -> QuerySet[OrgUnit]:
    return (
        scoped(OrgUnit, actor)
        .filter(kind=OrgUnit.Kind.SQUADRON, active=True)
        .select_related("county")
        .order_by("county__path", "sort_order", "name")
    )


def counties_for(*, actor: Any) -> QuerySet[OrgUnit]:
    return scoped(OrgUnit, actor).filter(kind=OrgUnit.Kind.COUNTY).order_by("path")


def course_list(
    *, actor: Any, category: str = "", q: str = "", active: bool | None = True
) -> QuerySet[Course]:
    qs = scoped(Course, actor).annotate(
        n_materials=Count("materials", distinct=True),
        n_sessions=Count("sessions", filter=Q(sessions__status=SessionStatus.HELD), distinct=True),
    )
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    if active is not None:
        qs = qs.filter(active=active)
    return qs.select_related("county").order_by("category", "title")


def plan_list(*, actor: Any, month: dt.date) -> list[dict[str, Any]]:
    """Every squadron the actor sees with its plan and sessions for the month (a plan or a gap)."""
    start, end = month_start(month), month_end(month)
    plans = {
        p.squadron_id: p for p in scoped(ThemePlan, actor).filter(month=start).select_related("approved_by")
    }
    sessions = defaultdict(list)
    for session in (
        scoped(Session, actor)
        .filter(date__range=(start, end))
        .exclude(status=SessionStatus.RESCHEDULED)
        .prefetch_related("squadrons")
        .order_by("date", "start_time")
    ):
        for unit in session.squadrons.all():
            sessions[unit.pk].append(session)
    rows = []
    for squadron in squadrons_for(actor=actor):
        items = sessions.get(squadron.pk, [])
        rows.append(
            {
                "squadron": squadron,
                "plan": plans.get(squadron.pk),
                "sessions": items,
                "held": sum(1 for s in items if s.status == SessionStatus.HELD),
                "planned": sum(1 for s in items if s.status == SessionStatus.PLANNED),
                "cancelled": sum(1 for s in items if s.status == SessionStatus.CANCELLED),
            }
        )
    return rows


def plan_get(*, actor: Any, pk: Any, action: str = VIEW) -> ThemePlan:
    return get_scoped_or_404(ThemePlan.objects.select_related("squadron", "county"), actor, action, pk=pk)


# --- calendar -----------------------------------------------------------------------------------------------


@dataclass
class CalendarItem:
    kind: str  # "session" or "activity"
    pk: int
    date: dt.date
    time: dt.time
    title: str
    status: str
    label: str  # format or activity kind
    url: str
    where: str = ""  # short squadron name(s)


@dataclass
class CalendarDay:
    date: dt.date
    in_month: bool
    today: bool
    items: list[CalendarItem] = field(default_factory=list)


def _short(names: list[str]) -> str:
    """卢峰中队 -> 卢峰; several squadrons -> 卢峰等3队."""
    if not names:
        return ""
    first = names[0].removesuffix("中队").removesuffix("司法所")
    return first if len(names) == 1 else f"{first}+{len(names) - 1}"


def calendar_weeks(*, actor: Any, month: dt.date, squadron: int | None = None) -> list[list[CalendarDay]]:
    """The month as weeks (Monday first) with the sessions and community activities of each day."""
    from django.urls import reverse

    start, end = month_start(month), month_end(month)
    first = start - dt.timedelta(days=start.weekday())
    last = end + dt.timedelta(days=6 - end.weekday())
    today = timezone.localdate()
    days = {
        first + dt.timedelta(days=i): CalendarDay(first + dt.timedelta(days=i), False, False)
        for i in range((last - first).days + 1)
    }
    for day in days.values():
        day.in_month = start <= day.date <= end
        day.today = day.date == today
    # plain values, not model instances: a province-wide month holds thousands of items
    session_ids = session_list(
        actor=actor, filters=SessionFilters(squadron=squadron, date_from=first, date_to=last)
    ).values("pk")
    names: dict[int, list[str]] = defaultdict(list)
    for session_id, name in Session.squadrons.through.objects.filter(session_id__in=session_ids).values_list(
        "session_id", "orgunit__name"
    ):
        names[session_id].append(name)
    marker = 987654321
    session_url = reverse("education:session_detail", args=[marker])
    formats = dict(SessionFormat.choices)
    for pk, day, time, title, status, mode, stage in Session.objects.filter(pk__in=session_ids).values_list(
        "pk", "date", "start_time", "title", "status", "mode", "stage"
    ):
        days[day].items.append(
            CalendarItem(
                "session",
                pk,
                day,
                time,
                title,
                status,
                str(formats[session_format(mode, stage)]),
                session_url.replace(str(marker), str(pk)),
                _short(names[pk]),
            )
        )
    # community service's activities, through the registry (education does not import community)
    for item in provider("community.calendar_items")(actor=actor, first=first, last=last, squadron=squadron):
        days[item.date].items.append(item)
    for day in days.values():
        day.items.sort(key=lambda i: (i.time, i.kind, i.pk))
    ordered = [days[d] for d in sorted(days)]
    return [ordered[i : i + 7] for i in range(0, len(ordered), 7)]


# --- statistics -------------------------------------------------------------------------------------------


@dataclass
class FormatRow:
    squadron: OrgUnit | None
    counts: dict[str, int]
    total: int


@dataclass
class EducationStats:
    start: dt.date
    end: dt.date
    formats: list[tuple[str, Any]]
    rows: list[FormatRow]
    totals: dict[str, int]
    held: int
    remote: int
    cancelled: int
    cancelled_pandemic: int
    attendances: int
    persons: int
    hours: Decimal
    months: list[dict[str, Any]]


def education_stats(*, actor: Any, start: dt.date, end: dt.date, county: int | None = None) -> EducationStats:
    """Held sessions by format and squadron, attendance, persons reached and hours in the period.

    A session serving several squadrons counts once in each squadron's row and once in the totals.
    """
    from django.db.models.functions import TruncMonth

    base = scoped(Session, actor).filter(date__range=(start, end))
    if county:
        base = base.filter(county_id=county)
    held = Session.objects.filter(pk__in=base.filter(status=SessionStatus.HELD).values("pk"))
    totals: dict[str, int] = defaultdict(int)
    held_count = remote = 0
    for mode, stage, n in (
        held.values_list("mode", "stage").annotate(n=Count("id")).values_list("mode", "stage", "n")
    ):
        totals[session_format(mode, stage)] += n
        held_count += n
        remote += n if mode == EducationMode.REMOTE else 0
    by_squadron: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    Through = Session.squadrons.through
    for unit_id, mode, stage, n in (
        Through.objects.filter(session__in=held)  # type: ignore[misc]
        .values_list("orgunit_id", "session__mode", "session__stage")
        .annotate(n=Count("session_id"))
        .values_list("orgunit_id", "session__mode", "session__stage", "n")
    ):
        by_squadron[unit_id][session_format(mode, stage)] += n
    county_wide = held.filter(squadrons__isnull=True)
    for mode, stage, n in (
        county_wide.values_list("mode", "stage").annotate(n=Count("id")).values_list("mode", "stage", "n")
    ):
        by_squadron[None][session_format(mode, stage)] += n
    squadrons = list(squadrons_for(actor=actor))
    if county:
        squadrons = [s for s in squadrons if s.county_id == county]
    rows = [
        FormatRow(sq, dict(by_squadron.get(sq.pk, {})), sum(by_squadron.get(sq.pk, {}).values()))
        for sq in squadrons
    ]
    if None in by_squadron:
        rows.append(FormatRow(None, dict(by_squadron[None]), sum(by_squadron[None].values())))
    per_month: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for month, status, mode, n in (
        base.filter(status__in=[SessionStatus.HELD, SessionStatus.CANCELLED])
        .annotate(m=TruncMonth("date"))
        .values_list("m", "status", "mode")
        .annotate(n=Count("id"))
        .values_list("m", "status", "mode", "n")
    ):
        key = (month.year, month.month)
        if status == SessionStatus.HELD:
            per_month[key]["held"] += n
            if mode == EducationMode.REMOTE:
                per_month[key]["remote"] += n
        else:
            per_month[key]["cancelled"] += n
    cancelled_qs = base.filter(status=SessionStatus.CANCELLED)
    present = Attendance.objects.filter(session__in=held, status=AttendanceStatus.PRESENT)
    agg = present.aggregate(n=Count("id"), persons=Count("person", distinct=True), hours=Sum("hours"))
    months = []
    cursor = month_start(start)
    while cursor <= end:
        values = per_month.get((cursor.year, cursor.month), {})
        months.append(
            {
                "month": cursor,
                "label": f"{cursor:%Y-%m}",
                "held": values.get("held", 0),
                "remote": values.get("remote", 0),
                "cancelled": values.get("cancelled", 0),
            }
        )
        cursor = month_start(cursor + dt.timedelta(days=32))
    return EducationStats(
        start=start,
        end=end,
        formats=list(SessionFormat.choices),
        rows=rows,
        totals=dict(totals),
        held=held_count,
        remote=remote,
        cancelled=cancelled_qs.count(),
        cancelled_pandemic=cancelled_qs.filter(cancel_reason="pandemic").count(),
        attendances=agg["n"] or 0,
        persons=agg["persons"] or 0,
        hours=agg["hours"] or Decimal("0"),
        months=months,
    )


def year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def days_in_month(day: dt.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


# --- the supervised person's own sessions ---------------------------------------------------------------------


def my_attendance(*, actor: Any) -> QuerySet[Attendance]:
    """The actor's own roster rows (a supervised person sees only theirs)."""
    return scoped(Attendance, actor).select_related("session", "session__course", "session__county")


def my_upcoming(*, actor: Any, now: dt.datetime | None = None, days: int = 30) -> list[Attendance]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = (
        my_attendance(actor=actor)
        .filter(
            session__status__in=[SessionStatus.PLANNED, SessionStatus.HELD],
            session__date__gte=today - dt.timedelta(days=1),
            session__date__lte=today + dt.timedelta(days=days),
        )
        .order_by("session__date", "session__start_time")
    )
    from jiaozheng.education.services import checkin_window

    out = []
    for row in rows:
        opens, closes = checkin_window(row.session)
        if closes < now and row.session.date < today:
            continue
        row.checkin_opens, row.checkin_closes = opens, closes  # type: ignore[attr-defined]
        row.checkin_closed = now > closes  # type: ignore[attr-defined]
        row.can_check_in = (  # type: ignore[attr-defined]
            row.session.mode == EducationMode.REMOTE
            and opens <= now <= closes
            and row.status != AttendanceStatus.PRESENT
        )
        if row.session.status == SessionStatus.HELD and row.session.date < today:
            continue
        out.append(row)
    return out


def my_history(*, actor: Any, limit: int = 20) -> list[Attendance]:
    return list(
        my_attendance(actor=actor)
        .filter(session__status=SessionStatus.HELD)
        .order_by("-session__date", "-session__start_time")[:limit]
    )
