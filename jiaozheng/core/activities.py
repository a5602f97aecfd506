"""Activities that supervised persons attend, as one list over the modules that hold them.

Education sessions, community-service activities and group counselling sessions live in different apps.
Modules that ask something of "an activity a person attended" (participant feedback, the evidence of the
year) must not import those apps, so each app describes its activities here, from its own
``activities.py`` (discovered like ``nav.py``)::

    SOURCES = [ActivitySource(kind="education.session", label=..., held=..., attended=..., get=...)]

Every callable returns ``ActivityRef`` values, never model instances, so callers stay independent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from jiaozheng.core.registry import app_modules


@dataclass(frozen=True)
class ActivityRef:
    kind: str  # the source's kind, e.g. "education.session"
    id: int
    title: str
    date: dt.date
    county_id: int
    attendee_ids: frozenset[int] = frozenset()  # supervised persons recorded as present
    url_name: str = ""  # staff detail page (reversed with the id), when there is one

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)


@dataclass(frozen=True)
class ActivitySource:
    kind: str
    label: Any  # a translatable name: 教育学习, 社区服务, 团体心理辅导
    # held(actor, start, end) -> held activities in the period that the actor may see (scoped)
    held: Callable[[Any, dt.date, dt.date], Iterable[ActivityRef]]
    # attended(person_id, start, end) -> held activities the person was present at (unscoped)
    attended: Callable[[int, dt.date, dt.date], Iterable[ActivityRef]]
    # get(activity_id) -> the held activity, or None (unscoped; callers check attendance or scope)
    get: Callable[[int], ActivityRef | None]
    # in_counties(county_ids, start, end) -> held activities of those counties (unscoped, for measures)
    in_counties: Callable[[tuple[int, ...], dt.date, dt.date], Iterable[ActivityRef]] | None = None


_sources: dict[str, ActivitySource] | None = None


def activity_sources() -> dict[str, ActivitySource]:
    global _sources
    if _sources is None:
        found: dict[str, ActivitySource] = {}
        for _cfg, module in app_modules("activities"):
            for source in getattr(module, "SOURCES", []):
                if source.kind in found:
                    raise ValueError(f"activity source {source.kind!r} is declared twice")
                found[source.kind] = source
        _sources = found
    return _sources


def activity_source(kind: str) -> ActivitySource | None:
    return activity_sources().get(kind)
