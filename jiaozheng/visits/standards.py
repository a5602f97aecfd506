"""Visit standards as data and the engine that evaluates them (anchors.md §3, Recidiviz).

A *standard* says: persons of this supervision class and new-entrant status need ``required`` visits of
these kinds (and methods) in every window of ``period_length`` calendar months (aligned to January) or
days (counted from the day the standard starts to apply). The rows live in ``VisitStandard`` per province
or county; with none, ``DEFAULT_STANDARDS`` apply. The engine below never changes when the rules do.

Evaluation of one person against one standard:

1. The days the standard applies: in correction (intake to release, termination, or still open), in a
   matching class (from the class-change history), matching new-entrant status (intake to intake +
   ``people.new_entrant_months``) and inside the standard's validity.
2. Windows: calendar blocks (month unit) or consecutive runs of ``period_length`` days (day unit). In each
   window the *effective* span runs from the first to the last applicable day. A window whose applicable
   days number fewer than ``visits.min_window_days`` (or than the window's own length, if shorter) is not
   due: a person who enters on the 25th owes the first monthly visit in the next month.
3. ``done`` counts completed visits of a counted kind and method inside the effective span. A window is
   met when ``done ≥ required``; once its last day has passed unmet it is *missed*.

Status as of a day (the due list): *done* if the current window is met; *overdue* if the last closed window
was missed and no counted visit has been made since; otherwise *due* (or *due soon* within
``visits.due_soon_days`` of the window's end). The on-time rate of a period is Σ min(done, required) ÷
Σ required over the windows that closed inside the period.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _

from jiaozheng.people.choices import Status, SupervisionClass
from jiaozheng.people.models import add_months
from jiaozheng.visits.choices import DueStatus, Entrant, PeriodUnit, VisitMethod, VisitOutcome, VisitType

ONE_DAY = dt.timedelta(days=1)
ALL_TYPES = frozenset(VisitType.values)


@dataclass(frozen=True)
class Standard:
    key: str
    name: Any
    visit_type: str
    supervision_class: str  # "" = every class
    entrant: str
    required: int
    period_unit: str
    period_length: int
    counts_types: frozenset[str]
    methods: frozenset[str] = frozenset()  # empty = any method
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    source: str = ""
    builtin: bool = False

    @classmethod
    def from_row(cls, row: Any) -> Standard:
        return cls(
            key=f"s{row.pk}",
            name=row.name,
            visit_type=row.visit_type,
            supervision_class=row.supervision_class,
            entrant=row.entrant,
            required=row.required_count,
            period_unit=row.period_unit,
            period_length=row.period_length,
            counts_types=frozenset(row.counts_types or [row.visit_type]),
            methods=frozenset(row.methods or []),
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            source=row.source,
        )

    @property
    def type_label(self) -> Any:
        return VisitType(self.visit_type).label

    @property
    def class_label(self) -> Any:
        return SupervisionClass(self.supervision_class).label if self.supervision_class else _("Every class")

    @property
    def entrant_label(self) -> Any:
        return Entrant(self.entrant).label

    @property
    def counts_label(self) -> str:
        types = "、".join(str(VisitType(t).label) for t in VisitType.values if t in self.counts_types)
        if self.methods:
            methods = "、".join(str(VisitMethod(m).label) for m in VisitMethod.values if m in self.methods)
            return f"{types}（{methods}）"
        return types

    @property
    def max_days(self) -> int:
        return self.period_length * 31 if self.period_unit == PeriodUnit.MONTH else self.period_length

    def counts(self, visit_type: str, method: str) -> bool:
        return visit_type in self.counts_types and (not self.methods or method in self.methods)

    @property
    def cadence(self) -> str:
        """ "1 per month", "1 every 3 months", "2 every 30 days" in the reader's language."""
        values = {"n": self.required, "len": self.period_length}
        if self.period_unit == PeriodUnit.MONTH:
            text = _("%(n)s per month") if self.period_length == 1 else _("%(n)s every %(len)s months")
        else:
            text = _("%(n)s per day") if self.period_length == 1 else _("%(n)s every %(len)s days")
        return str(text) % values


_ANY_CONTACT = frozenset({VisitType.ROUTINE, VisitType.FOCUS, VisitType.SPECIAL})
_FIELD = frozenset({VisitMethod.FIELD_VISIT})

# The built-in standards (used where neither the county nor its province has rows). The focus rows are the
# seed's rule: 严管 and 新入矫 persons get a focus field visit every month. Routine cadences are a design
# default per class (any completed contact counts), to be set by each province.
DEFAULT_STANDARDS: tuple[Standard, ...] = (
    Standard(
        "default:focus_new",
        _("New entrants: a focus field visit every month"),
        VisitType.FOCUS,
        "",
        Entrant.NEW,
        1,
        PeriodUnit.MONTH,
        1,
        frozenset({VisitType.FOCUS}),
        _FIELD,
        source="R: 每月对严管级和新入矫社区矫正对象作为重点对象重点走访 (seed report ④)",
        builtin=True,
    ),
    Standard(
        "default:focus_strict",
        _("Strict class: a focus field visit every month"),
        VisitType.FOCUS,
        SupervisionClass.STRICT,
        Entrant.NOT_NEW,
        1,
        PeriodUnit.MONTH,
        1,
        frozenset({VisitType.FOCUS}),
        _FIELD,
        source="R: 每月对严管级和新入矫社区矫正对象作为重点对象重点走访 (seed report ④)",
        builtin=True,
    ),
    Standard(
        "default:routine_strict",
        _("Strict class: a routine check every month"),
        VisitType.ROUTINE,
        SupervisionClass.STRICT,
        Entrant.ANY,
        1,
        PeriodUnit.MONTH,
        1,
        _ANY_CONTACT,
        source="D",
        builtin=True,
    ),
    Standard(
        "default:routine_ordinary",
        _("Ordinary class: a routine check every 3 months"),
        VisitType.ROUTINE,
        SupervisionClass.ORDINARY,
        Entrant.ANY,
        1,
        PeriodUnit.MONTH,
        3,
        _ANY_CONTACT,
        source="D",
        builtin=True,
    ),
    Standard(
        "default:routine_lenient",
        _("Lenient class: a routine check every 6 months"),
        VisitType.ROUTINE,
        SupervisionClass.LENIENT,
        Entrant.ANY,
        1,
        PeriodUnit.MONTH,
        6,
        _ANY_CONTACT,
        source="D",
        builtin=True,
    ),
)


# --- which standards are in force where --------------------------------------------------------------


class StandardBook:
    """Standards and the parameters in force per county, read once per evaluation."""

    def __init__(self) -> None:
        self._by_county: dict[int, tuple[str, tuple[Standard, ...]]] = {}
        self._params: dict[int, dict[str, int]] = {}

    def origin_and_standards(self, county_id: int) -> tuple[str, tuple[Standard, ...]]:
        """("county"|"province"|"default", standards) in force for the county."""
        if county_id not in self._by_county:
            self._by_county[county_id] = _load_standards(county_id)
        return self._by_county[county_id]

    def standards(self, county_id: int) -> tuple[Standard, ...]:
        return self.origin_and_standards(county_id)[1]

    PARAM_KEYS = {
        "new_entrant_months": "people.new_entrant_months",
        "min_window_days": "visits.min_window_days",
        "due_soon_days": "visits.due_soon_days",
    }

    def prime(self, county_ids: Iterable[int]) -> None:
        """Read the standards and parameters of many counties in four queries (measures over a province).

        The parameters follow ``core.rules.rule``: the county's value, else its province's, else the default.
        """
        from jiaozheng.core.models import RuleValue
        from jiaozheng.core.rules import registered_rules
        from jiaozheng.orgs.models import OrgUnit
        from jiaozheng.visits.models import VisitStandard

        wanted = [c for c in set(county_ids) if c not in self._by_county or c not in self._params]
        if not wanted:
            return
        province = {}
        for pk, path in OrgUnit.objects.filter(pk__in=wanted).values_list("pk", "path"):
            ids = [int(p) for p in path.strip("/").split("/") if p]
            province[pk] = ids[0] if ids else None
        units = set(wanted) | {p for p in province.values() if p is not None}
        rows: dict[int, list[Any]] = defaultdict(list)
        for row in VisitStandard.objects.filter(unit_id__in=units, active=True).order_by("id"):
            rows[row.unit_id].append(row)
        values = {
            (key, unit_id): value
            for key, unit_id, value in RuleValue.objects.filter(
                key__in=self.PARAM_KEYS.values(), unit_id__in=units
            ).values_list("key", "unit_id", "value")
        }
        defaults = registered_rules()
        for county_id in wanted:
            prov = province.get(county_id)
            if rows.get(county_id):
                self._by_county[county_id] = ("county", tuple(Standard.from_row(r) for r in rows[county_id]))
            elif prov is not None and rows.get(prov):
                self._by_county[county_id] = ("province", tuple(Standard.from_row(r) for r in rows[prov]))
            else:
                self._by_county[county_id] = ("default", DEFAULT_STANDARDS)
            params = {}
            for name, key in self.PARAM_KEYS.items():
                if (key, county_id) in values:
                    params[name] = values[(key, county_id)]
                elif (key, prov) in values:
                    params[name] = values[(key, prov)]
                else:
                    params[name] = defaults[key].default
            self._params[county_id] = params

    def params(self, county_id: int) -> dict[str, int]:
        if county_id not in self._params:
            from jiaozheng.core.rules import rule
            from jiaozheng.orgs.models import OrgUnit

            unit = OrgUnit.objects.only("path", "county_id", "kind").get(pk=county_id)
            self._params[county_id] = {
                "new_entrant_months": rule("people.new_entrant_months", unit),
                "min_window_days": rule("visits.min_window_days", unit),
                "due_soon_days": rule("visits.due_soon_days", unit),
            }
        return self._params[county_id]


def _load_standards(county_id: int) -> tuple[str, tuple[Standard, ...]]:
    from jiaozheng.orgs.models import OrgUnit
    from jiaozheng.visits.models import VisitStandard

    rows = list(VisitStandard.objects.filter(unit_id=county_id, active=True).order_by("id"))
    if rows:
        return "county", tuple(Standard.from_row(r) for r in rows)
    path = OrgUnit.objects.filter(pk=county_id).values_list("path", flat=True).first() or ""
    ids = [int(p) for p in path.strip("/").split("/") if p]
    if ids:
        rows = list(VisitStandard.objects.filter(unit_id=ids[0], active=True).order_by("id"))
        if rows:
            return "province", tuple(Standard.from_row(r) for r in rows)
    return "default", DEFAULT_STANDARDS


# --- the facts about a person that the engine needs --------------------------------------------------


@dataclass
class PersonFacts:
    id: int
    county_id: int
    status: str
    intake_on: dt.date
    last_day: dt.date  # inclusive end of supervision (or an open end)
    classes: list[tuple[dt.date, str]]  # (effective from, class), sorted
    new_until: dt.date  # first day after the new-entrant period
    visits: list[tuple[dt.date, str, str]] = field(default_factory=list)  # (date, type, method), sorted


PERSON_FIELDS = (
    "id",
    "county_id",
    "status",
    "intake_on",
    "released_on",
    "terminated_on",
    "term_end",
    "supervision_class",
)


def _of_counties(county_ids: list[int]) -> dict[str, Any]:
    """Rows of the persons of these counties, as ``person_id IN (subquery)``: SQLite then walks the
    (person, day) index person by person, where a join on the person's county made it read the whole period
    and sort it (ten times slower at a province's scale); PostgreSQL plans both as the same semi-join."""
    from jiaozheng.people.models import Person

    return {"person_id__in": Person.objects.filter(county_id__in=county_ids).values("id")}


def load_facts(
    person_rows: Iterable[dict[str, Any]],
    *,
    book: StandardBook,
    today: dt.date,
    visits_from: dt.date | None = None,
    visits_until: dt.date | None = None,
    by_county: bool = False,
    person_filter: dict[str, Any] | None = None,
) -> list[PersonFacts]:
    """Facts for persons given as ``values(*PERSON_FIELDS)`` rows: two more queries per batch.

    Batches hold 2,000 persons, read by id; with ``by_county`` (a whole county's caseload, as the measures
    read it) they hold whole counties and related rows are read by county, without long id lists; with
    ``person_filter`` (a lookup on ``person``, e.g. a subquery) everything is read in one batch.
    """
    from jiaozheng.people.models import ClassChange
    from jiaozheng.visits.models import Visit

    rows = [r for r in person_rows if r["intake_on"] is not None and r["status"] != Status.PENDING]
    batches: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    if person_filter is not None:
        # the caller's own filter (e.g. a subquery of the scoped persons): one batch, any caseload size
        batches.append((person_filter, rows))
    elif by_county:
        per_county: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            per_county[r["county_id"]].append(r)
        batch: list[dict[str, Any]] = []
        counties: list[int] = []
        for county_id, county_rows in sorted(per_county.items()):
            if batch and len(batch) + len(county_rows) > 5000:
                batches.append((_of_counties(counties), batch))
                batch, counties = [], []
            batch.extend(county_rows)
            counties.append(county_id)
        if batch:
            batches.append((_of_counties(counties), batch))
    else:
        for start in range(0, len(rows), 2000):
            chunk = rows[start : start + 2000]
            batches.append(({"person_id__in": [r["id"] for r in chunk]}, chunk))
    out: list[PersonFacts] = []
    for where, chunk in batches:
        changes: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
        for person_id, effective_on, to_class in (
            ClassChange.objects.filter(**where)
            .order_by("person_id", "effective_on", "id")
            .values_list("person_id", "effective_on", "to_class")
        ):
            changes[person_id].append((effective_on, to_class))
        visits: dict[int, list[tuple[dt.date, str, str]]] = defaultdict(list)
        vq = Visit.objects.filter(outcome=VisitOutcome.COMPLETED, **where)
        if visits_from is not None:
            vq = vq.filter(visited_on__gte=visits_from)
        if visits_until is not None:
            vq = vq.filter(visited_on__lte=visits_until)
        for person_id, day, visit_type, method in vq.order_by("person_id", "visited_on").values_list(
            "person_id", "visited_on", "visit_type", "method"
        ):
            visits[person_id].append((day, visit_type, method))
        for r in chunk:
            months = book.params(r["county_id"])["new_entrant_months"]
            intake = r["intake_on"]
            last = r["released_on"] or r["terminated_on"]
            if last is None:
                last = max(r["term_end"], today) if r["status"] == Status.IN_CORRECTION else r["term_end"]
            classes = changes.get(r["id"]) or [(intake, r["supervision_class"])]
            out.append(
                PersonFacts(
                    id=r["id"],
                    county_id=r["county_id"],
                    status=r["status"],
                    intake_on=intake,
                    last_day=max(last, intake),
                    classes=classes,
                    new_until=add_months(intake, months),
                    visits=visits.get(r["id"], []),
                )
            )
    return out


# --- windows ------------------------------------------------------------------------------------------


@dataclass
class Window:
    standard: Standard
    start: dt.date  # first applicable day in the window
    end: dt.date  # last applicable day in the window (the due date)
    required: int
    done: int
    last_visit: dt.date | None = None

    @property
    def met(self) -> bool:
        return self.done >= self.required

    def closed(self, today: dt.date) -> bool:
        return self.end < today


def applicable_intervals(facts: PersonFacts, std: Standard) -> list[tuple[dt.date, dt.date]]:
    """Inclusive day intervals in which ``std`` applies to the person, sorted and merged."""
    lo, hi = facts.intake_on, facts.last_day
    if std.valid_from and std.valid_from > lo:
        lo = std.valid_from
    if std.valid_until and std.valid_until < hi:
        hi = std.valid_until
    if lo > hi:
        return []
    spans: list[tuple[dt.date, dt.date]] = []
    classes = facts.classes
    for i, (since, cls) in enumerate(classes):
        start = facts.intake_on if i == 0 else since
        end = classes[i + 1][0] - ONE_DAY if i + 1 < len(classes) else hi
        if std.supervision_class and cls != std.supervision_class:
            continue
        start, end = max(start, lo), min(end, hi)
        if start > end:
            continue
        if std.entrant == Entrant.NEW:
            end = min(end, facts.new_until - ONE_DAY)
        elif std.entrant == Entrant.NOT_NEW:
            start = max(start, facts.new_until)
        if start <= end:
            if spans and spans[-1][1] + ONE_DAY >= start:
                spans[-1] = (spans[-1][0], max(spans[-1][1], end))
            else:
                spans.append((start, end))
    return spans


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


@lru_cache(maxsize=4096)
def _month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


@lru_cache(maxsize=4096)
def _block_of(index: int, length: int) -> tuple[dt.date, dt.date]:
    first = (index // length) * length
    return _month_start(first), _month_start(first + length) - ONE_DAY


def _block(day: dt.date, length: int) -> tuple[dt.date, dt.date]:
    return _block_of(day.year * 12 + day.month - 1, length)


def windows_for(
    facts: PersonFacts,
    std: Standard,
    *,
    min_days: int,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[Window]:
    """Due windows of ``std`` for the person that end on or after ``since`` and start on or before ``until``."""
    if std.supervision_class and all(cls != std.supervision_class for _d, cls in facts.classes):
        return []  # never in this class
    if std.entrant == Entrant.NEW and since is not None and facts.new_until <= since:
        return []  # the new-entrant period ended before the range
    spans = applicable_intervals(facts, std)
    if not spans:
        return []
    raw: list[tuple[dt.date, dt.date]] = []
    if std.period_unit == PeriodUnit.MONTH:
        current: list[Any] | None = None  # [block start, first, last, days, block days]
        lo_clip = _block(since, std.period_length)[0] if since is not None else None
        hi_clip = _block(until, std.period_length)[1] if until is not None else None
        for start, end in spans:
            if lo_clip is not None:
                start = max(start, lo_clip)
            if hi_clip is not None:
                end = min(end, hi_clip)
            if start > end:
                continue
            day = start
            while day <= end:
                block_start, block_end = _block(day, std.period_length)
                seg_end = min(end, block_end)
                days = (seg_end - day).days + 1
                if current is not None and current[0] == block_start:
                    current[2] = seg_end
                    current[3] += days
                else:
                    if current is not None:
                        raw.append(_keep(current, min_days))
                    current = [block_start, day, seg_end, days, (block_end - block_start).days + 1]
                day = seg_end + ONE_DAY
        if current is not None:
            raw.append(_keep(current, min_days))
        raw = [w for w in raw if w[0] is not None]
    else:
        length = std.period_length
        threshold = min(min_days, length)
        for start, end in spans:
            k = 0
            if since is not None and since > start:
                k = max(0, (since - start).days // length - 1)
            while True:
                w_start = start + dt.timedelta(days=k * length)
                if w_start > end or (until is not None and w_start > until):
                    break
                w_end = min(w_start + dt.timedelta(days=length - 1), end)
                if (w_end - w_start).days + 1 >= threshold:
                    raw.append((w_start, w_end))
                k += 1
    dates = [d for d, t, m in facts.visits if std.counts(t, m)]
    out = []
    for w_start, w_end in raw:
        if since is not None and w_end < since:
            continue
        if until is not None and w_start > until:
            continue
        lo = bisect.bisect_left(dates, w_start)
        hi = bisect.bisect_right(dates, w_end)
        out.append(Window(std, w_start, w_end, std.required, hi - lo, dates[hi - 1] if hi > lo else None))
    return out


def _keep(current: list[Any], min_days: int) -> tuple[Any, Any]:
    _block_start, first, last, days, block_days = current
    if days >= min(min_days, block_days):
        return first, last
    return None, None


# --- status as of a day: the due list ----------------------------------------------------------------


@dataclass
class DueItem:
    person_id: int
    standard: Standard
    status: str
    window: Window | None  # the current window (None after the last window)
    missed: Window | None  # the last closed window, when missed and not made up
    last_visit: dt.date | None
    overdue_days: int = 0
    days_left: int | None = None

    @property
    def due_by(self) -> dt.date | None:
        return self.window.end if self.window else None

    @property
    def sort_key(self) -> tuple[int, int, int]:
        order = {DueStatus.OVERDUE: 0, DueStatus.DUE_SOON: 1, DueStatus.DUE: 2, DueStatus.DONE: 3}
        return (order[self.status], -self.overdue_days, self.days_left if self.days_left is not None else 0)


def due_items(
    facts: PersonFacts, standards: Sequence[Standard], *, today: dt.date, min_days: int, due_soon_days: int
) -> list[DueItem]:
    """One item per standard that currently applies or was missed and not made up."""
    items = []
    for std in standards:
        lookback = today - dt.timedelta(days=std.max_days * 2 + 31)
        windows = windows_for(facts, std, min_days=min_days, since=lookback, until=today)
        if not windows:
            continue
        counted = [d for d, t, m in facts.visits if std.counts(t, m) and d <= today]
        last_visit = counted[-1] if counted else None
        current = next((w for w in windows if w.start <= today <= w.end), None)
        closed = [w for w in windows if w.end < today]
        previous = closed[-1] if closed else None
        missed = None
        if previous is not None and not previous.met:
            made_up = last_visit is not None and last_visit > previous.end
            if not made_up:
                missed = previous
        if current is None and missed is None:
            continue  # nothing due now (e.g. between windows, or released)
        if current is None and missed is not None and (today - missed.end).days > std.max_days:
            continue  # the standard no longer applies and the miss is older than one period
        if current is not None and current.met:
            status = DueStatus.DONE
        elif missed is not None:
            status = DueStatus.OVERDUE
        else:
            assert current is not None
            status = DueStatus.DUE_SOON if (current.end - today).days <= due_soon_days else DueStatus.DUE
        items.append(
            DueItem(
                person_id=facts.id,
                standard=std,
                status=status,
                window=current,
                missed=missed if status == DueStatus.OVERDUE else None,
                last_visit=last_visit,
                overdue_days=(today - missed.end).days if status == DueStatus.OVERDUE and missed else 0,
                days_left=(current.end - today).days if current else None,
            )
        )
    return items


def merge_by_type(items: Iterable[DueItem]) -> list[DueItem]:
    """Keep the most urgent item per (person, visit kind) when several standards ask for the same kind."""
    best: dict[tuple[int, str], DueItem] = {}
    for item in items:
        key = (item.person_id, item.standard.visit_type)
        if key not in best or item.sort_key < best[key].sort_key:
            best[key] = item
    return list(best.values())


# --- the on-time rate ---------------------------------------------------------------------------------


@dataclass
class RateParts:
    due: int = 0
    on_time: int = 0
    by_type: dict[str, list[int]] = field(default_factory=dict)

    def add(self, window: Window) -> None:
        self.due += window.required
        self.on_time += min(window.done, window.required)
        parts = self.by_type.setdefault(window.standard.visit_type, [0, 0])
        parts[0] += window.required
        parts[1] += min(window.done, window.required)

    @property
    def rate(self) -> float:
        return self.on_time / self.due if self.due else 1.0


def closed_windows(
    facts: PersonFacts, standards: Sequence[Standard], *, start: dt.date, end: dt.date, min_days: int
) -> list[Window]:
    """Windows whose last day lies in [start, end]."""
    out = []
    for std in standards:
        out.extend(
            w for w in windows_for(facts, std, min_days=min_days, since=start, until=end) if w.end <= end
        )
    return out
