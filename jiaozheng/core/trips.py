"""Approved trips (外出) handed to the modules that act on them, without importing each other.

Supervision decides a 外出 request; location turns the approved trip into the permitted zone and the
expected-absence window its alerts honour. Neither imports the other: an app that wants to hear of
approved trips lists its callbacks in its own ``trips.py`` (discovered like ``nav.py``)::

    LISTENERS = [TripListener(name="location.permit", approved=..., ended=...)]

``approved(trip, actor)`` returns an opaque reference (e.g. "location.TravelPermit:12") or None when it
has nothing to do; ``ended(reference, actor, reason)`` undoes it when the trip ends early or is withdrawn.
A listener's ValidationError stops the caller's transaction, so an approval whose zone cannot be built
changes nothing and shows the listener's message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jiaozheng.core.registry import app_modules


@dataclass(frozen=True)
class ApprovedTrip:
    person_id: int
    destination: str
    destination_code: str  # 6-digit division code of the destination county, or ""
    start_on: dt.date
    end_on: dt.date
    reason: str
    source: str  # who approved it, e.g. "supervision.TravelRequest:5"


@dataclass(frozen=True)
class TripListener:
    name: str
    approved: Callable[[ApprovedTrip, Any], str | None]
    ended: Callable[[str, Any, str], None] | None = None


_listeners: list[TripListener] | None = None


def trip_listeners() -> list[TripListener]:
    global _listeners
    if _listeners is None:
        found: list[TripListener] = []
        for _cfg, module in app_modules("trips"):
            found.extend(getattr(module, "LISTENERS", []))
        _listeners = found
    return _listeners


def trip_approved(trip: ApprovedTrip, actor: Any) -> list[str]:
    """Tell every listener; the references they return, in order."""
    refs = []
    for listener in trip_listeners():
        ref = listener.approved(trip, actor)
        if ref:
            refs.append(f"{listener.name}={ref}")
    return refs


def trip_ended(refs: list[str], actor: Any, reason: str) -> None:
    by_name = {listener.name: listener for listener in trip_listeners()}
    for item in refs:
        name, _sep, ref = item.partition("=")
        listener = by_name.get(name)
        if listener is not None and listener.ended is not None:
            listener.ended(ref, actor, reason)
