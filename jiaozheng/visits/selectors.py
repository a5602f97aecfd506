"""Reads of the visits module. Every selector starts from the actor's scope."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiaozheng.core.params import date_param, id_param
from jiaozheng.core.registry import provider
from jiaozheng.core.roles import VIEW, Domain
from jiaozheng.core.scoping import get_scoped_or_404, scope_for, scoped
from jiaozheng.orgs.models import OrgUnit
from jiaozheng.people.choices import Status
from jiaozheng.people.models import Person, TeamMember, add_months
from jiaozheng.visits.choices import DueStatus, QuotaUnit, TaskStatus, VisitType
from jiaozheng.visits.models import (
    FollowUpTask,
    HardshipHelp,
    RoutePlan,
    Visit,
    VisitQuota,
    VisitStandard,
)
from jiaozheng.visits.standards import (
    PERSON_FIELDS,
    DueItem,
    StandardBook,
    Window,
    due_items,
    load_facts,
    merge_by_type,
    windows_for,
)

# --- visit records --------------------------------------------------------------------------------------


@dataclass
class VisitFilters:
    q: str = ""
    squadron: int | None = None
    visit_type: str = ""
    method: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    visitor: int | None = None
    person: int | None = None
    not_exported: bool = False

    @classmethod
    def from_mapping(cls, data: Any) -> VisitFilters:
        def as_int(key: str) -> int | None:
            return id_param(data, key)

        def as_date(key: str) -> dt.date | None:
            return date_param(data, key)

        return cls(
            q=(data.get("q") or "").strip()[:50],
            squadron=as_int("squadron"),
            visit_type=data.get("visit_type") if data.get("visit_type") in VisitType.values else "",
            method=(data.get("method") or "")[:20],
            start=as_date("start"),
            end=as_date("end"),
            visitor=as_int("visitor"),
            person=as_int("person"),
            not_exported=str(data.get("not_exported", "")).lower() in ("1", "true", "on", "yes"),
        )


def visit_list(*, actor: Any, filters: VisitFilters | None = None) -> QuerySet[Visit]:
    from jiaozheng.people.selectors import search_q

    filters = filters or VisitFilters()
    qs = scoped(Visit, actor).select_related("person", "person__squadron", "recorded_by")
    if filters.squadron:
        qs = qs.filter(person__squadron_id=filters.squadron)
    if filters.visit_type:
        qs = qs.filter(visit_type=filters.visit_type)
    if filters.method:
        qs = qs.filter(method=filters.method)
    if filters.start:
        qs = qs.filter(visited_on__gte=filters.start)
    if filters.end:
        qs = qs.filter(visited_on__lte=filters.end)
    if filters.visitor:
        qs = qs.filter(visitor_rows__user_id=filters.visitor)
    if filters.person:
        qs = qs.filter(person_id=filters.person)
    if filters.not_exported:
        qs = qs.filter(exported_at__isnull=True)
    if filters.q:
        persons = Person.objects.filter(search_q(filters.q)).values("pk")
        qs = qs.filter(person_id__in=persons)
    return qs.prefetch_related("visitors").order_by("-visited_at", "-id")


def visit_get(*, actor: Any, pk: Any, action: str = VIEW) -> Visit:
    return get_scoped_or_404(
        Visit.objects.select_related("person", "person__squadron", "person__county", "recorded_by"),
        actor,
        action,
        pk=pk,
    )


def visit_counts(qs: QuerySet[Visit]) -> dict[str, Any]:
    """Records and distinct persons per kind in a filtered list."""
    rows = qs.order_by().values("visit_type").annotate(n=Count("id"), persons=Count("person", distinct=True))
    by_type = {r["visit_type"]: (r["n"], r["persons"]) for r in rows}
    return {
        "total": sum(n for n, _p in by_type.values()),
        "by_type": [
            {
                "type": t,
                "label": label,
                "visits": by_type.get(t, (0, 0))[0],
                "persons": by_type.get(t, (0, 0))[1],
            }
            for t, label in VisitType.choices
        ],
    }


# --- the due list ---------------------------------------------------------------------------------------


@dataclass
class DueRow:
    person: Any  # the Person, once hydrated (see hydrate_rows)
    item: DueItem
    staff: list[str] = field(default_factory=list)
    new_entrant: bool = False

    @property
    def person_id(self) -> int:
        return self.item.person_id


def due_for_persons(
    persons: QuerySet[Person], *, today: dt.date, book: StandardBook | None = None
) -> list[DueItem]:
    """Due items of the given persons (no scoping: callers pass a scoped or system queryset)."""
    book = book or StandardBook()
    rows = list(persons.filter(status=Status.IN_CORRECTION).order_by().values(*PERSON_FIELDS))
    if not rows:
        return []
    book.prime({r["county_id"] for r in rows})
    longest = max(
        (s.max_days for county in {r["county_id"] for r in rows} for s in book.standards(county)), default=31
    )
    facts = load_facts(
        rows,
        book=book,
        today=today,
        visits_from=today - dt.timedelta(days=longest * 2 + 62),
        person_filter={"person_id__in": persons.filter(status=Status.IN_CORRECTION).order_by().values("pk")},
    )
    items: list[DueItem] = []
    for f in facts:
        p = book.params(f.county_id)
        items.extend(
            due_items(
                f,
                book.standards(f.county_id),
                today=today,
                min_days=p["min_window_days"],
                due_soon_days=p["due_soon_days"],
            )
        )
    return merge_by_type(items)


def due_list(
    *,
    actor: Any,
    today: dt.date | None = None,
    squadron: int | None = None,
    mine: bool = False,
    status: str = "",
    visit_type: str = "",
    include_done: bool = False,
    person_ids: list[int] | None = None,
    hydrate: bool = True,
) -> list[DueRow]:
    """Who needs a visit now: overdue first, then due soon, then due (done only on request)."""
    today = today or timezone.localdate()
    persons = scoped(Person, actor, domain=Domain.SERVICES).filter(status=Status.IN_CORRECTION)
    if squadron:
        persons = persons.filter(squadron_id=squadron)
    if mine:
        persons = persons.filter(team__user=actor, team__until__isnull=True)
    if person_ids is not None:
        persons = persons.filter(pk__in=person_ids)
    items = due_for_persons(persons.distinct(), today=today)
    if visit_type:
        items = [i for i in items if i.standard.visit_type == visit_type]
    if status:
        items = [i for i in items if i.status == status]
    elif not include_done:
        items = [i for i in items if i.status != DueStatus.DONE]
    ids = {i.person_id for i in items}
    info = {
        r["id"]: r
        for r in Person.objects.filter(pk__in=ids).values(
            "id", "name", "squadron__sort_order", "status", "intake_on", "county_id"
        )
    }
    new = _new_entrants(info.values(), today)
    staff = responsible_staff(list(ids))
    rows = [DueRow(None, i, staff.get(i.person_id, []), i.person_id in new) for i in items]
    rows.sort(
        key=lambda r: (
            r.item.sort_key,
            info[r.person_id]["squadron__sort_order"],
            info[r.person_id]["name"],
            r.person_id,
        )
    )
    if hydrate:
        hydrate_rows(rows)
    return rows


def hydrate_rows(rows: Any, defer: tuple[str, ...] = ()) -> Any:
    """Attach the Person objects to due rows (only for the rows shown: a page of the list)."""
    persons = (
        Person.objects.select_related("squadron", "township")
        .defer(*defer)
        .in_bulk({r.person_id for r in rows})
    )
    for row in rows:
        row.person = persons[row.person_id]
    return rows


def _new_entrants(rows: Any, today: dt.date) -> set[int]:
    book = StandardBook()
    return {
        r["id"]
        for r in rows
        if r["status"] == Status.IN_CORRECTION
        and r["intake_on"] is not None
        and r["intake_on"]
        <= today
        < add_months(r["intake_on"], book.params(r["county_id"])["new_entrant_months"])
    }


def new_entrant_ids(persons: Any, *, today: dt.date | None = None) -> set[int]:
    """Ids of the persons who are new entrants today (one rule lookup per county, not per person)."""
    rows = [
        {"id": p.pk, "status": p.status, "intake_on": p.intake_on, "county_id": p.county_id} for p in persons
    ]
    return _new_entrants(rows, today or timezone.localdate())


def due_summary(rows: list[DueRow]) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.item.status] += 1
        counts[f"{row.item.status}:{row.item.standard.visit_type}"] += 1
    return dict(counts)


def responsible_staff(person_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for person_id, full_name, username in (
        TeamMember.objects.filter(person_id__in=person_ids, user__isnull=False, until__isnull=True)
        .order_by("role", "id")
        .values_list("person_id", "user__full_name", "user__username")
    ):
        out[person_id].append(full_name or username)
    return out


ORIGIN_LABELS = {
    "county": _("the county's own standards"),
    "province": _("the province's standards"),
    "default": _("the built-in standards (seed report and defaults)"),
}


@dataclass
class Compliance:
    origin: str
    items: list[DueItem]
    windows: list[Window]

    @property
    def origin_label(self) -> Any:
        return ORIGIN_LABELS[self.origin]


def person_compliance(
    *, actor: Any, person: Person, months: int = 12, today: dt.date | None = None
) -> Compliance:
    """One person's windows over the last ``months`` months and what is due now."""
    today = today or timezone.localdate()
    person = get_scoped_or_404(Person, actor, domain=Domain.SERVICES, pk=person.pk)
    book = StandardBook()
    origin, standards = book.origin_and_standards(person.county_id)
    params = book.params(person.county_id)
    since = today - dt.timedelta(days=months * 31)
    rows = list(Person.objects.filter(pk=person.pk).values(*PERSON_FIELDS))
    facts = load_facts(rows, book=book, today=today)
    if not facts:
        return Compliance(origin, [], [])
    f = facts[0]
    windows: list[Window] = []
    for std in standards:
        windows.extend(windows_for(f, std, min_days=params["min_window_days"], since=since, until=today))
    windows.sort(key=lambda w: (w.start, w.standard.visit_type))
    items = []
    if person.status == Status.IN_CORRECTION:
        items = due_items(
            f,
            standards,
            today=today,
            min_days=params["min_window_days"],
            due_soon_days=params["due_soon_days"],
        )
    return Compliance(origin, items, windows)


# --- tasks, hardship, route plans -----------------------------------------------------------------------


def task_list(
    *, actor: Any, status: str = TaskStatus.OPEN, mine: bool = False, squadron: int | None = None
) -> QuerySet[FollowUpTask]:
    qs = scoped(FollowUpTask, actor).select_related("person", "person__squadron", "assignee", "visit")
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(assignee=actor)
    if squadron:
        qs = qs.filter(person__squadron_id=squadron)
    return qs.order_by("status", "due_on", "id")


def hardship_list(
    *, actor: Any, squadron: int | None = None, q: str = "", include_ended: bool = False
) -> QuerySet[Person]:
    """困难对象名单: persons in scope marked as a family in hardship, with the help they received."""
    from jiaozheng.people.selectors import search_q

    qs = scoped(Person, actor, domain=Domain.SERVICES).filter(is_hardship=True)
    if not include_ended:
        qs = qs.filter(status__in=[Status.IN_CORRECTION, Status.PENDING])
    if squadron:
        qs = qs.filter(squadron_id=squadron)
    if q:
        qs = qs.filter(search_q(q))
    return (
        qs.select_related("squadron", "township")
        .annotate(
            help_count=Count("hardship_help", distinct=True),
            help_amount=Sum("hardship_help__amount"),
            last_help=Max("hardship_help__given_on"),
        )
        .order_by("status", "squadron__sort_order", "name", "id")
    )


def help_list(*, actor: Any, person: Person | None = None, year: int | None = None) -> QuerySet[HardshipHelp]:
    qs = scoped(HardshipHelp, actor).select_related("person", "person__squadron", "recorded_by", "visit")
    if person is not None:
        qs = qs.filter(person=person)
    if year:
        qs = qs.filter(given_on__year=year)
    return qs.order_by("-given_on", "-id")


def help_totals(qs: QuerySet[HardshipHelp]) -> dict[str, Any]:
    agg = qs.aggregate(n=Count("id"), persons=Count("person", distinct=True), amount=Sum("amount"))
    return {"n": agg["n"], "persons": agg["persons"], "amount": agg["amount"] or Decimal("0")}


def route_plan_list(*, actor: Any) -> QuerySet[RoutePlan]:
    return scoped(RoutePlan, actor).select_related("squadron", "created_by").order_by("-plan_date", "-id")


def route_plan_get(*, actor: Any, pk: Any) -> RoutePlan:
    return get_scoped_or_404(RoutePlan.objects.select_related("squadron", "created_by"), actor, pk=pk)


def squadrons_for(*, actor: Any) -> QuerySet[OrgUnit]:
    return (
        scoped(OrgUnit, actor).filter(kind=OrgUnit.Kind.SQUADRON).order_by("county_id", "sort_order", "name")
    )


def counties_for(*, actor: Any) -> QuerySet[OrgUnit]:
    scope = scope_for(actor)
    qs = OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY)
    if not scope.unrestricted:
        qs = qs.filter(pk__in=scope.all_county_ids)
    return qs.order_by("path")


def staff_for_squadron(squadron: OrgUnit) -> list[Any]:
    """Active staff posted to the squadron or its county who may record visits."""
    from jiaozheng.core.roles import CHANGE, role_allows
    from jiaozheng.orgs.models import User

    users = (
        User.objects.filter(is_active=True, assignments__unit_id__in=[squadron.pk, squadron.county_id])
        .exclude(role="subject")
        .distinct()
        .order_by("role", "full_name", "username")
    )
    return [u for u in users if role_allows(u.role, Domain.SERVICES, CHANGE)]


# --- standards and quotas -------------------------------------------------------------------------------


@dataclass
class CountyStandards:
    county: OrgUnit
    origin: str
    standards: list[Any]
    rows: list[VisitStandard]

    @property
    def origin_label(self) -> Any:
        return ORIGIN_LABELS[self.origin]


def standards_in_force(*, actor: Any) -> list[CountyStandards]:
    book = StandardBook()
    out = []
    for county in counties_for(actor=actor):
        origin, standards = book.origin_and_standards(county.pk)
        rows = list(VisitStandard.objects.filter(unit=county).order_by("-active", "visit_type", "id"))
        out.append(CountyStandards(county, origin, list(standards), rows))
    return out


@dataclass
class QuotaProgress:
    quota: VisitQuota
    actual: int
    expected: float  # linear share of the target by today
    measure_code: str

    @property
    def rate(self) -> float:
        return self.actual / self.quota.target if self.quota.target else 0.0

    @property
    def behind(self) -> bool:
        return self.actual < self.expected


def quota_code(visit_type: str, unit: str) -> str:
    return f"visits.{visit_type}_{'visits' if unit == QuotaUnit.VISITS else 'subjects'}"


def quota_progress(*, actor: Any, today: dt.date | None = None) -> list[tuple[Any, list[QuotaProgress]]]:
    """Per visible contract: each visit quota with its actual from the registered measure."""
    from jiaozheng.core.measures import MeasureContext, get_measure

    today = today or timezone.localdate()
    contracts = provider("contracts.visible")(actor=actor, domain=Domain.PERFORMANCE).prefetch_related(
        "counties"
    )
    quotas = defaultdict(list)
    for quota in scoped(VisitQuota, actor).select_related("contract"):
        quotas[quota.contract_id].append(quota)
    out = []
    for contract in contracts.order_by("-start_on", "code"):
        county_ids = tuple(sorted(c.pk for c in contract.counties.all()))
        ctx = MeasureContext(county_ids, contract.start_on, contract.end_on)
        total_days = (contract.end_on - contract.start_on).days + 1
        elapsed = min(max((today - contract.start_on).days + 1, 0), total_days)
        rows = []
        for quota in sorted(
            quotas.get(contract.pk, []), key=lambda q: (VisitType.values.index(q.visit_type), q.unit)
        ):
            code = quota_code(quota.visit_type, quota.unit)
            actual = int(get_measure(code).compute(ctx))
            rows.append(QuotaProgress(quota, actual, quota.target * elapsed / total_days, code))
        out.append((contract, rows))
    return out


def open_task_counts(*, actor: Any) -> dict[str, int]:
    today = timezone.localdate()
    qs = scoped(FollowUpTask, actor).filter(status=TaskStatus.OPEN)
    agg = qs.aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
    return {"open": agg["open"], "overdue": agg["overdue"]}
