"""When a person is due to check in: scheduled times and unannounced random times.

Scheduled times come from the person's own plan (``CheckinPlan``) while it is in force, otherwise from
the class defaults (rule ``checkins.schedule_by_class``). Random times: ``random_per_week`` moments are
drawn for each ISO week within the allowed hours, from a generator seeded with a keyed hash of the person
and the week (``FIELD_HASH_KEY``): the same on every server and every run, so issuing is idempotent, and
impossible for the person to predict without the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone

from jiaozheng.checkins.choices import RequestKind


@dataclass(frozen=True)
class Slot:
    kind: str
    key: str  # unique per person: a request is issued once per slot
    at: dt.datetime  # aware


@dataclass(frozen=True)
class Schedule:
    times: tuple[str, ...]
    weekdays: tuple[int, ...]
    random_per_week: int
    random_hours: tuple[int, int]
    source: str  # "plan" or "class"


def schedule_for(
    supervision_class: str,
    plan: Any,
    day: dt.date,
    class_rules: dict[str, Any],
    random_rules: dict[str, int],
    random_hours: list[int],
) -> Schedule:
    if plan is not None and plan.in_force(day):
        return Schedule(
            tuple(plan.times),
            tuple(plan.weekdays),
            int(plan.random_per_week),
            (random_hours[0], random_hours[1]),
            "plan",
        )
    entry = class_rules.get(supervision_class) or {"times": [], "weekdays": []}
    return Schedule(
        tuple(entry.get("times", [])),
        tuple(entry.get("weekdays", [])),
        int(random_rules.get(supervision_class, 0)),
        (random_hours[0], random_hours[1]),
        "class",
    )


@lru_cache(maxsize=8192)
def _aware(day: dt.date, minutes: int) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time(0, 0)) + dt.timedelta(minutes=minutes)
    return timezone.make_aware(naive, timezone.get_current_timezone())


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


@lru_cache(maxsize=16)
def _candidates(first: int, last: int) -> tuple[int, ...]:
    return tuple(d * 1440 + h * 60 + m for d in range(7) for h in range(first, last) for m in range(0, 60, 5))


@lru_cache(maxsize=200_000)
def random_minutes_of_week(
    person_id: int, monday: dt.date, count: int, hours: tuple[int, int]
) -> tuple[int, ...]:
    """``count`` distinct minutes of the week (0 = Monday 00:00) inside the allowed hours, keyed per person."""
    if count <= 0:
        return ()
    digest = hmac.new(
        settings.FIELD_HASH_KEY.encode(),
        f"checkins:{person_id}:{monday.isoformat()}".encode(),
        hashlib.sha256,
    ).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    candidates = _candidates(*hours)
    # Keep random moments at least 2 hours apart so they do not bunch up.
    chosen: list[int] = []
    for _try in range(500):
        if len(chosen) >= count:
            break
        pick = rng.choice(candidates)
        if all(abs(pick - c) >= 120 for c in chosen):
            chosen.append(pick)
    return tuple(sorted(chosen))


def slots_on(person_id: int, day: dt.date, schedule: Schedule) -> list[Slot]:
    slots: list[Slot] = []
    if day.weekday() in schedule.weekdays:
        for hhmm in schedule.times:
            slots.append(
                Slot(
                    RequestKind.SCHEDULED,
                    f"S{day:%Y%m%d}T{hhmm.replace(':', '')}",
                    _aware(day, _minutes(hhmm)),
                )
            )
    monday = day - dt.timedelta(days=day.weekday())
    for minute in random_minutes_of_week(
        person_id, monday, schedule.random_per_week, tuple(schedule.random_hours)
    ):
        if minute // 1440 == day.weekday():
            in_day = minute % 1440
            slots.append(
                Slot(
                    RequestKind.RANDOM,
                    f"R{day:%Y%m%d}T{in_day // 60:02d}{in_day % 60:02d}",
                    _aware(day, in_day),
                )
            )
    return sorted(slots, key=lambda s: s.at)
