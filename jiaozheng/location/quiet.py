"""Expected-silence windows: how much of a phone's silence counts.

A silence is measured on the wall clock minus the windows in which a quiet phone is expected:

- the county's night hours (rule ``location.night_quiet_hours``, local time);
- the person's declared work shifts (``ExpectedSilence``, weekly hours from a date, until a date);
- after a report from a phone that was charging and not moving, ``location.charging_quiet_hours``.

Windows are turned into absolute intervals over the silence, merged, and their overlap subtracted:
``counted_silence(since, now, ...)``. Pure functions; the sweep and the simulator use them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from jiaozheng.location.fences import parse_schedule

Interval = tuple[dt.datetime, dt.datetime]
MAX_DAYS = 62  # beyond two months of silence the windows no longer matter for the tiers


def weekly_intervals(
    windows: list[tuple[frozenset[int], int, int]],
    start: dt.datetime,
    end: dt.datetime,
    *,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
) -> list[Interval]:
    """Absolute intervals of weekly windows (ISO weekdays, start and end minute, local time; a window
    belongs to the day it starts and may cross midnight) that overlap [start, end]."""
    if not windows or end <= start:
        return []
    tz = timezone.get_default_timezone()
    day = timezone.localtime(start, tz).date() - dt.timedelta(days=1)
    last = min(timezone.localtime(end, tz).date(), day + dt.timedelta(days=MAX_DAYS))
    out: list[Interval] = []
    while day <= last:
        if (first_day is None or day >= first_day) and (last_day is None or day <= last_day):
            weekday = day.isoweekday()
            midnight = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
            for days, a, b in windows:
                if weekday not in days:
                    continue
                lo = midnight + dt.timedelta(minutes=a)
                hi = midnight + dt.timedelta(minutes=b if b > a else b + 1440)
                if hi > start and lo < end:
                    out.append((max(lo, start), min(hi, end)))
        day += dt.timedelta(days=1)
    return out


def night_windows(night: dict[str, str] | None) -> list[tuple[frozenset[int], int, int]]:
    """The rule ``location.night_quiet_hours`` as weekly windows (every day)."""
    if not night:
        return []
    return parse_schedule([{"start": night["start"], "end": night["end"]}])


def merged_length(intervals: Iterable[Interval]) -> dt.timedelta:
    total = dt.timedelta(0)
    current: Interval | None = None
    for lo, hi in sorted(intervals):
        if current is None or lo > current[1]:
            if current is not None:
                total += current[1] - current[0]
            current = (lo, hi)
        elif hi > current[1]:
            current = (current[0], hi)
    if current is not None:
        total += current[1] - current[0]
    return total


def counted_silence(
    since: dt.datetime,
    now: dt.datetime,
    *,
    night: dict[str, str] | None = None,
    shifts: Iterable[Any] = (),
    charging_still: bool = False,
    charging_hours: float = 0,
) -> dt.timedelta:
    """The part of the silence [since, now] outside every expected-silence window.

    ``shifts``: objects with ``schedule``, ``start_on``, ``end_on`` (ExpectedSilence rows)."""
    if now <= since:
        return dt.timedelta(0)
    intervals = weekly_intervals(night_windows(night), since, now)
    for shift in shifts:
        try:
            windows = parse_schedule(shift.schedule)
        except ValueError:
            continue
        intervals += weekly_intervals(windows, since, now, first_day=shift.start_on, last_day=shift.end_on)
    if charging_still and charging_hours:
        intervals.append((since, min(now, since + dt.timedelta(hours=charging_hours))))
    return (now - since) - merged_length(intervals)
