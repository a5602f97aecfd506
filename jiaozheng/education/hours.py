"""Monthly study and public-welfare hours per person, against the rules of their supervision class.

Required hours come from the rules ``education.study_hours_<class>`` and ``community.service_hours_<class>``
(configurable per province or county), pro-rated by the days the person was in correction that month
(entering or leaving mid-month). The class is the one in force at the end of the month (class changes
are replayed backwards from the current class). Hours done are:

- study: hours credited to the person's *present* rows of *held* education sessions dated in the month;
- public welfare: hours of the person's *present* participations in *held* community activities.

Cancelled and rescheduled sessions and activities never count. A person is short when hours done are
below hours required; persons with unexcused absences at or above ``education.absences_to_flag`` are
flagged for an admonition (the county decides).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from jiaozheng.core.registry import provider
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import scoped
from jiaozheng.education.choices import AttendanceStatus, SessionStatus
from jiaozheng.education.models import Attendance
from jiaozheng.education.services import month_end, month_start
from jiaozheng.people.choices import Status, SupervisionClass
from jiaozheng.people.models import ClassChange, Person

ZERO = Decimal("0")


@dataclass
class HoursRow:
    person: Person
    supervision_class: str
    days: int
    days_in_month: int
    study_required: Decimal
    study_done: Decimal
    service_required: Decimal
    service_done: Decimal
    sessions_present: int
    absences: int
    excused: int
    absences_flag: bool

    @property
    def study_short(self) -> Decimal:
        return max(ZERO, self.study_required - self.study_done)

    @property
    def service_short(self) -> Decimal:
        return max(ZERO, self.service_required - self.service_done)

    @property
    def short(self) -> bool:
        return self.study_short > 0 or self.service_short > 0

    def get_supervision_class_display(self) -> str:
        return str(SupervisionClass(self.supervision_class).label)


@dataclass
class HoursReport:
    month: dt.date
    end: dt.date
    complete: bool  # the month is over
    rows: list[HoursRow]

    @property
    def short_rows(self) -> list[HoursRow]:
        return [r for r in self.rows if r.short or r.absences_flag]

    @property
    def study_short_count(self) -> int:
        return sum(1 for r in self.rows if r.study_short > 0)

    @property
    def service_short_count(self) -> int:
        return sum(1 for r in self.rows if r.service_short > 0)

    @property
    def flagged_count(self) -> int:
        return sum(1 for r in self.rows if r.absences_flag)


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def persons_in_month(qs: Any, start: dt.date, end: dt.date) -> Any:
    """Persons in correction at some time between start and end (inclusive)."""
    return qs.filter(intake_on__isnull=False, intake_on__lte=end).filter(
        Q(status=Status.IN_CORRECTION, term_end__gte=start)
        | Q(status=Status.RELEASED, released_on__gte=start)
        | Q(status=Status.TERMINATED, terminated_on__gte=start)
    )


def _last_day(person: Person) -> dt.date:
    if person.status == Status.RELEASED and person.released_on:
        return person.released_on
    if person.status == Status.TERMINATED and person.terminated_on:
        return person.terminated_on
    return person.term_end


def month_hours(
    *, actor: Any, month: dt.date, squadron: int | None = None, county: int | None = None
) -> HoursReport:
    """Every person the actor sees who was in correction during the month, with hours and shortfalls."""
    start, end = month_start(month), month_end(month)
    days_in_month = (end - start).days + 1
    persons = persons_in_month(scoped(Person, actor), start, end).select_related("squadron", "county")
    if squadron:
        persons = persons.filter(squadron_id=squadron)
    if county:
        persons = persons.filter(county_id=county)
    persons = list(persons.order_by("squadron__sort_order", "name", "id"))
    ids = [p.pk for p in persons]

    study: dict[int, Decimal] = defaultdict(lambda: ZERO)
    present: dict[int, int] = defaultdict(int)
    absent: dict[int, int] = defaultdict(int)
    excused: dict[int, int] = defaultdict(int)
    rows = (
        Attendance.objects.filter(
            person_id__in=ids, session__status=SessionStatus.HELD, session__date__range=(start, end)
        )
        .values("person_id", "status")
        .annotate(n=Count("id"), hours=Sum("hours"))
    )
    for row in rows:
        pid = row["person_id"]
        if row["status"] == AttendanceStatus.PRESENT:
            study[pid] += row["hours"] or ZERO
            present[pid] += row["n"]
        elif row["status"] == AttendanceStatus.ABSENT:
            absent[pid] += row["n"]
        elif row["status"] == AttendanceStatus.EXCUSED:
            excused[pid] += row["n"]
    service: dict[int, Decimal] = defaultdict(lambda: ZERO)
    # community service hours, through the registry (education does not import community)
    service.update(provider("community.service_hours")(person_ids=ids, start=start, end=end))

    # the class in force at the end of the month: undo the changes made after it
    later: dict[int, str] = {}
    for change in ClassChange.objects.filter(person_id__in=ids, effective_on__gt=end).order_by(
        "person_id", "effective_on", "id"
    ):
        later.setdefault(change.person_id, change.from_class)

    rules: dict[int, dict[str, Any]] = {}

    def rules_for(county: Any) -> dict[str, Any]:
        if county.pk not in rules:
            rules[county.pk] = {
                **{
                    f"study_{c}": Decimal(str(rule(f"education.study_hours_{c}", county)))
                    for c in SupervisionClass.values
                },
                **{
                    f"service_{c}": Decimal(str(rule(f"community.service_hours_{c}", county)))
                    for c in SupervisionClass.values
                },
                "flag": rule("education.absences_to_flag", county),
            }
        return rules[county.pk]

    out = []
    for person in persons:
        first_day = max(start, person.intake_on)
        last_day = min(end, _last_day(person))
        days = max(0, (last_day - first_day).days + 1)
        cls = later.get(person.pk) or person.supervision_class
        if cls not in SupervisionClass.values:
            cls = person.supervision_class
        values = rules_for(person.county)
        out.append(
            HoursRow(
                person=person,
                supervision_class=cls,
                days=days,
                days_in_month=days_in_month,
                study_required=_quantize(values[f"study_{cls}"] * days / days_in_month),
                study_done=study[person.pk],
                service_required=_quantize(values[f"service_{cls}"] * days / days_in_month),
                service_done=service[person.pk],
                sessions_present=present[person.pk],
                absences=absent[person.pk],
                excused=excused[person.pk],
                absences_flag=absent[person.pk] >= values["flag"],
            )
        )
    return HoursReport(month=start, end=end, complete=end < timezone.localdate(), rows=out)


def person_month_hours(*, actor: Any, person: Person, month: dt.date) -> HoursRow | None:
    """One person's hours for a month (their phone page), or None if not in correction that month."""
    report = month_hours(actor=actor, month=month, squadron=person.squadron_id)
    return next((r for r in report.rows if r.person.pk == person.pk), None)
