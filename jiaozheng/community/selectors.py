"""Reads of community service. Every selector starts from the actor's scope."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from jiaozheng.community.choices import (
    ActivityKind,
    ActivityStatus,
    ParticipantKind,
    ParticipationStatus,
)
from jiaozheng.community.models import Activity, ActivityPhoto, Participation, Venue, Volunteer
from jiaozheng.core.roles import VIEW
from jiaozheng.core.scoping import get_scoped_or_404, scoped
from jiaozheng.education.selectors import _as_int, parse_date, parse_month, squadrons_for
from jiaozheng.education.services import month_end, month_start


@dataclass
class ActivityFilters:
    q: str = ""
    squadron: int | None = None
    county: int | None = None
    status: str = ""
    kind: str = ""
    venue: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @classmethod
    def from_mapping(cls, data: Any) -> ActivityFilters:
        filters = cls(
            q=(data.get("q") or "").strip()[:50],
            squadron=_as_int(data, "squadron"),
            county=_as_int(data, "county"),
            status=data.get("status") or "",
            kind=data.get("kind") or "",
            venue=_as_int(data, "venue"),
            date_from=parse_date(data.get("date_from")),
            date_to=parse_date(data.get("date_to")),
        )
        month = data.get("month")
        if month and not (filters.date_from or filters.date_to):
            start = parse_month(month)
            filters.date_from, filters.date_to = start, month_end(start)
        return filters


def activity_list(*, actor: Any, filters: ActivityFilters | None = None) -> QuerySet[Activity]:
    filters = filters or ActivityFilters()
    qs = scoped(Activity, actor)
    if filters.squadron:
        qs = qs.filter(
            Q(squadrons=filters.squadron) | Q(squadrons__isnull=True, county__children=filters.squadron)
        )
    if filters.county:
        qs = qs.filter(county_id=filters.county)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.venue:
        qs = qs.filter(venue_id=filters.venue)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    if filters.q:
        qs = qs.filter(
            Q(theme__icontains=filters.q)
            | Q(place__icontains=filters.q)
            | Q(venue__name__icontains=filters.q)
        )
    return (
        Activity.objects.filter(pk__in=qs.values("pk"))
        .select_related("venue")
        .prefetch_related("squadrons")
        .order_by("-date", "-start_time", "-id")
    )


def with_participant_counts(activities: Any) -> list[Activity]:
    """Attach participant and photo counts to a page of activities with two grouped queries."""
    activities = list(activities)
    ids = [a.pk for a in activities]
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for activity_id, kind, status, n in (
        Participation.objects.filter(activity_id__in=ids)
        .values_list("activity_id", "kind", "status")
        .annotate(n=Count("id"))
        .values_list("activity_id", "kind", "status", "n")
    ):
        if status == ParticipationStatus.PRESENT:
            counts[activity_id]["subjects" if kind == ParticipantKind.SUBJECT else "team"] += n
        elif status == ParticipationStatus.INVITED and kind == ParticipantKind.SUBJECT:
            counts[activity_id]["invited"] += n
    photos = dict(
        ActivityPhoto.objects.filter(activity_id__in=ids)
        .values_list("activity_id")
        .annotate(n=Count("id"))
        .values_list("activity_id", "n")
    )
    for activity in activities:
        c = counts[activity.pk]
        activity.n_subjects, activity.n_team, activity.n_invited = c["subjects"], c["team"], c["invited"]
        activity.n_photos = photos.get(activity.pk, 0)
    return activities


def activity_get(*, actor: Any, pk: Any, action: str = VIEW) -> Activity:
    return get_scoped_or_404(
        Activity.objects.select_related("county", "venue", "organiser", "approved_by"), actor, action, pk=pk
    )


def activity_participants(*, actor: Any, activity: Activity) -> QuerySet[Participation]:
    return (
        scoped(Participation, actor)
        .filter(activity=activity)
        .select_related("person", "person__squadron", "volunteer", "user")
        .order_by("kind", "person__squadron__sort_order", "name", "id")
    )


def activity_photos(*, actor: Any, activity: Activity) -> QuerySet[ActivityPhoto]:
    return scoped(ActivityPhoto, actor).filter(activity=activity).order_by("uploaded_at", "id")


@dataclass
class ParticipantCounts:
    subjects: int = 0
    team: int = 0
    invited: int = 0
    absent: int = 0
    subject_hours: Decimal = Decimal("0")
    by_kind: dict[str, int] = field(default_factory=dict)


def participant_counts(activity: Activity) -> ParticipantCounts:
    counts = ParticipantCounts()
    for kind, status, n, hours in (
        activity.participations.values_list("kind", "status")
        .annotate(n=Count("id"), h=Sum("hours"))
        .values_list("kind", "status", "n", "h")
    ):
        if status == ParticipationStatus.PRESENT:
            counts.by_kind[kind] = counts.by_kind.get(kind, 0) + n
            if kind == ParticipantKind.SUBJECT:
                counts.subjects += n
                counts.subject_hours += hours or Decimal("0")
            else:
                counts.team += n
        elif status == ParticipationStatus.INVITED:
            counts.invited += n
        elif status == ParticipationStatus.ABSENT:
            counts.absent += n
    return counts


def venue_list(*, actor: Any, kind: str = "", q: str = "", active: bool | None = True) -> QuerySet[Venue]:
    qs = (
        scoped(Venue, actor)
        .annotate(n_held=Count("activities", filter=Q(activities__status=ActivityStatus.HELD)))
        .select_related("township", "county")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(contact_name__icontains=q))
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("county__path", "kind", "name")


def volunteer_list(
    *, actor: Any, kind: str = "", q: str = "", active: bool | None = True
) -> QuerySet[Volunteer]:
    qs = (
        scoped(Volunteer, actor)
        .annotate(
            n_held=Count(
                "participations",
                filter=Q(
                    participations__status=ParticipationStatus.PRESENT,
                    participations__activity__status=ActivityStatus.HELD,
                ),
            ),
            hours=Sum(
                "participations__hours",
                filter=Q(
                    participations__status=ParticipationStatus.PRESENT,
                    participations__activity__status=ActivityStatus.HELD,
                ),
            ),
        )
        .select_related("user", "county")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(organisation__icontains=q) | Q(skills__icontains=q))
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("county__path", "kind", "name")


def team_summary(*, actor: Any, since: dt.date) -> dict[str, int]:
    """The mixed team: registered members by type and supervised persons who took part since a date."""
    members = dict(
        scoped(Volunteer, actor)
        .filter(active=True)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    subjects = (
        scoped(Participation, actor)
        .filter(
            kind=ParticipantKind.SUBJECT,
            status=ParticipationStatus.PRESENT,
            activity__status=ActivityStatus.HELD,
            activity__date__gte=since,
        )
        .values("person_id")
        .distinct()
        .count()
    )
    return {**members, "subject": subjects}


def activity_overview(*, actor: Any, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    qs = scoped(Activity, actor)
    return {
        "held_this_month": qs.filter(
            status=ActivityStatus.HELD, date__range=(month_start(today), month_end(today))
        ).count(),
        "held_this_year": qs.filter(
            status=ActivityStatus.HELD, date__range=(today.replace(month=1, day=1), today)
        ).count(),
        "upcoming": qs.filter(status=ActivityStatus.PLANNED, date__gte=today).count(),
        "awaiting": qs.filter(status=ActivityStatus.PLANNED, date__lt=today).count(),
        "unapproved": qs.filter(status=ActivityStatus.PLANNED, approved_at__isnull=True).count(),
    }


@dataclass
class CommunityStats:
    start: dt.date
    end: dt.date
    kinds: list[tuple[str, Any]]
    rows: list[dict[str, Any]]
    totals: dict[str, int]
    held: int
    cancelled: int
    participations: int
    persons: int
    hours: Decimal
    team_participations: int
    months: list[dict[str, Any]]


def community_stats(*, actor: Any, start: dt.date, end: dt.date, county: int | None = None) -> CommunityStats:
    """Held activities by kind and squadron; participations, persons and hours of supervised persons."""
    base = scoped(Activity, actor).filter(date__range=(start, end))
    if county:
        base = base.filter(county_id=county)
    from django.db.models.functions import TruncMonth

    held = Activity.objects.filter(pk__in=base.filter(status=ActivityStatus.HELD).values("pk"))
    totals: dict[str, int] = dict(held.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    by_squadron: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for unit_id, kind, n in (
        Activity.squadrons.through.objects.filter(activity__in=held)  # type: ignore[misc]
        .values_list("orgunit_id", "activity__kind")
        .annotate(n=Count("activity_id"))
        .values_list("orgunit_id", "activity__kind", "n")
    ):
        by_squadron[unit_id][kind] += n
    for kind, n in (
        held.filter(squadrons__isnull=True)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    ):
        by_squadron[None][kind] += n
    per_month: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for month, status, n in (
        base.filter(status__in=[ActivityStatus.HELD, ActivityStatus.CANCELLED])
        .annotate(m=TruncMonth("date"))
        .values_list("m", "status")
        .annotate(n=Count("id"))
        .values_list("m", "status", "n")
    ):
        per_month[(month.year, month.month)]["held" if status == ActivityStatus.HELD else "cancelled"] += n
    squadrons = [s for s in squadrons_for(actor=actor) if not county or s.county_id == county]
    rows = [
        {
            "squadron": s,
            "counts": dict(by_squadron.get(s.pk, {})),
            "total": sum(by_squadron.get(s.pk, {}).values()),
        }
        for s in squadrons
    ]
    if None in by_squadron:
        rows.append(
            {"squadron": None, "counts": dict(by_squadron[None]), "total": sum(by_squadron[None].values())}
        )
    cancelled = base.filter(status=ActivityStatus.CANCELLED)
    present = Participation.objects.filter(activity__in=held, status=ParticipationStatus.PRESENT)
    subjects = present.filter(kind=ParticipantKind.SUBJECT).aggregate(
        n=Count("id"), persons=Count("person", distinct=True), hours=Sum("hours")
    )
    months = []
    cursor = month_start(start)
    while cursor <= end:
        values = per_month.get((cursor.year, cursor.month), {})
        months.append(
            {
                "label": f"{cursor:%Y-%m}",
                "held": values.get("held", 0),
                "cancelled": values.get("cancelled", 0),
            }
        )
        cursor = month_start(cursor + dt.timedelta(days=32))
    return CommunityStats(
        start=start,
        end=end,
        kinds=list(ActivityKind.choices),
        rows=rows,
        totals=dict(totals),
        held=sum(totals.values()),
        cancelled=cancelled.count(),
        participations=subjects["n"] or 0,
        persons=subjects["persons"] or 0,
        hours=subjects["hours"] or Decimal("0"),
        team_participations=present.exclude(kind=ParticipantKind.SUBJECT).count(),
        months=months,
    )


def my_participations(*, actor: Any, upcoming: bool) -> QuerySet[Participation]:
    """The supervised person's own participations: invitations to come, or the record of those held."""
    today = timezone.localdate()
    qs = scoped(Participation, actor).select_related("activity", "activity__venue")
    if upcoming:
        return qs.filter(activity__status=ActivityStatus.PLANNED, activity__date__gte=today).order_by(
            "activity__date", "activity__start_time"
        )
    return qs.filter(activity__status=ActivityStatus.HELD).order_by("-activity__date")[:20]
