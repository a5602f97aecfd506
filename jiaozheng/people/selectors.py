"""Reads for the caseload. Every selector starts from the actor's scope."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jiaozheng.audit.models import TimelineEvent
from jiaozheng.core.fields import blind_index
from jiaozheng.core.params import id_param
from jiaozheng.core.roles import VIEW
from jiaozheng.core.scoping import get_scoped_or_404, scoped
from jiaozheng.orgs.models import OrgUnit
from jiaozheng.people.choices import Status
from jiaozheng.people.models import Person


@dataclass
class PersonFilters:
    q: str = ""
    squadron: int | None = None
    county: int | None = None
    supervision_class: str = ""
    correction_type: str = ""
    status: str = ""
    new_entrants: bool = False
    hardship: bool = False
    juvenile: bool | None = None

    @classmethod
    def from_mapping(cls, data: Any) -> PersonFilters:
        def as_int(key: str) -> int | None:
            return id_param(data, key)

        juvenile = data.get("juvenile")
        return cls(
            q=(data.get("q") or "").strip()[:50],
            squadron=as_int("squadron"),
            county=as_int("county"),
            supervision_class=data.get("supervision_class") or "",
            correction_type=data.get("correction_type") or "",
            status=data.get("status") if data.get("status") is not None else Status.IN_CORRECTION,
            new_entrants=str(data.get("new_entrants", "")).lower() in ("1", "true", "on", "yes"),
            hardship=str(data.get("hardship", "")).lower() in ("1", "true", "on", "yes"),
            juvenile=None if juvenile in (None, "") else str(juvenile).lower() in ("1", "true", "on", "yes"),
        )


def search_q(text: str) -> Q:
    """Name, case number, full ID number or phone (exact, via blind index), or the last 4 digits of either."""
    text = text.strip()
    q = Q(name__icontains=text) | Q(case_number__icontains=text)
    compact = re.sub(r"\s", "", text).upper()
    if re.fullmatch(r"\d{3}[\dX]", compact):
        q |= Q(id_tail=compact) | Q(phone_tail=compact)
    elif re.fullmatch(r"\d{17}[\dX]", compact):
        q |= Q(id_index=blind_index(compact))
    elif re.fullmatch(r"1\d{10}", compact):
        q |= Q(phone_index=blind_index(compact))
    return q


def person_list(*, actor: Any, filters: PersonFilters | None = None) -> QuerySet[Person]:
    filters = filters or PersonFilters()
    qs = scoped(Person, actor).select_related("squadron", "township")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.squadron:
        qs = qs.filter(squadron_id=filters.squadron)
    if filters.county:
        qs = qs.filter(county_id=filters.county)
    if filters.supervision_class:
        qs = qs.filter(supervision_class=filters.supervision_class)
    if filters.correction_type:
        qs = qs.filter(correction_type=filters.correction_type)
    if filters.new_entrants:
        qs = qs.new_entrants()  # type: ignore[attr-defined]
    if filters.hardship:
        qs = qs.filter(is_hardship=True)
    if filters.juvenile is not None:
        qs = qs.filter(is_juvenile=filters.juvenile)
    if filters.q:
        qs = qs.filter(search_q(filters.q))
    return qs.order_by("squadron__sort_order", "name", "id")


def person_get(*, actor: Any, pk: Any, action: str = VIEW) -> Person:
    return get_scoped_or_404(
        Person.objects.select_related("squadron", "township", "village", "county"), actor, action, pk=pk
    )


IDENTITY_REVEALED = "full ID number and phone shown"


def person_identity_reveal(*, actor: Any, pk: Any) -> Person:
    """The person whose full ID number and phone the actor asked to see, the read logged in the access
    log (kind "identity"). The one way to the unmasked values, for the page's reveal and the API's alike:
    everywhere else they are masked."""
    from jiaozheng.audit.services import access_log

    person = person_get(actor=actor, pk=pk)
    access_log("identity", person=person, obj=person, detail=IDENTITY_REVEALED, actor=actor)
    return person


def person_timeline(*, actor: Any, person: Person, limit: int = 200) -> list[TimelineEvent]:
    return list(scoped(TimelineEvent, actor).filter(person=person).select_related("actor")[:limit])


def squadrons_for(*, actor: Any) -> QuerySet[OrgUnit]:
    """Squadrons the actor may choose (for filters and forms)."""
    return (
        scoped(OrgUnit, actor).filter(kind=OrgUnit.Kind.SQUADRON).order_by("county_id", "sort_order", "name")
    )


def townships_for(*, actor: Any) -> QuerySet[OrgUnit]:
    return scoped(OrgUnit, actor).filter(kind=OrgUnit.Kind.TOWNSHIP).order_by("sort_order", "name")


def caseload_counts(*, actor: Any, on: dt.date | None = None) -> dict[str, Any]:
    """Counts by class and type, new entrants, pending reports: one aggregate query each, any caseload size."""
    on = on or timezone.localdate()
    active = scoped(Person, actor).filter(status=Status.IN_CORRECTION)
    by_class = dict(
        active.values_list("supervision_class").annotate(n=Count("id")).values_list("supervision_class", "n")
    )
    by_type = dict(
        active.values_list("correction_type").annotate(n=Count("id")).values_list("correction_type", "n")
    )
    return {
        "in_correction": sum(by_class.values()),
        "by_class": by_class,
        "by_type": by_type,
        "new_entrants": active.new_entrants(on).count(),  # type: ignore[attr-defined]
        "pending": scoped(Person, actor).filter(status=Status.PENDING).count(),
    }
