"""A simulator of realistic phone behaviour, driving the real ingestion and sweep (engine side, reusable).

Each simulated phone belongs to an enrolled person: a home and a daytime place in the county, a commute
on working days and errands at weekends; it reports while moving (a fix every two and a half minutes,
uploaded every five), while still it reports at its class's interval, and at night it lies on its charger
and goes quiet (traccar-client#14: no reports while stationary). Battery drains by day and charges at
night; a phone left off the charger dies the next evening and comes back when charged in the morning. A
few people work in a mountain dead zone (fixes buffered, uploaded late when the signal returns), some fixes
are cell fixes with coarse accuracy.

Scripted real events, whose alerts must come: one **absconder** (the phone goes off for good), one
**fake-GPS** phone (mocked fixes), one **breach with dwell** (越界: a trip to another county for hours).

``Simulation.step(now)`` advances every phone to ``now`` and ingests what each uploads; ``run(start,
end)`` steps through a period, running the lost-contact sweep on its schedule. The benchmark (P8) runs a
week with the clock patched to simulated time; the demo runs the step on the real clock (``demo_live``).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from django.utils import timezone

from jiaozheng.location.choices import FixSource, Protocol
from jiaozheng.location.protocols import Batch, ParsedFix
from jiaozheng.location.storage import DeviceInfo

MOVING_FIX_SECONDS = 150
UPLOAD_MOVING_SECONDS = 300
INTERVAL_MINUTES = {"strict": 15, "ordinary": 30, "lenient": 60}
BREACH_PLACE = (27.55, 109.998)  # 鹤城区, another county about 60 km from 溆浦's seat
METRES_PER_DEGREE = 111_320.0


@dataclass
class Phone:
    person_id: int
    county_id: int
    device_id: int
    supervision_class: str
    home: tuple[float, float]
    work: tuple[float, float]
    leave_h: float
    back_h: float
    works: bool
    charges_nightly: float  # probability of charging on a given night
    script: str = ""  # "" | absconder | fake_gps | breach | mountain
    battery: float = 0.9
    charging: bool = False
    dead: bool = False
    off_for_good: bool = False
    buffer: list[ParsedFix] = field(default_factory=list)
    last_fix_at: dt.datetime | None = None
    last_upload_at: dt.datetime | None = None
    plugged_tonight: bool | None = None
    told_charging: bool = False
    seq: int = 0
    rng: random.Random = field(default_factory=random.Random)


@dataclass
class Event:
    """A scripted real event and what became of it."""

    kind: str
    person_id: int
    due_at: dt.datetime | None = None  # simulated time at which the condition is complete
    raised_at: dt.datetime | None = None  # simulated time of the request / sweep that raised the alert
    processing_ms: float | None = None  # wall time of that request or sweep
    alert_type: str = ""


def _offset(rng: random.Random, origin: tuple[float, float], km: float) -> tuple[float, float]:
    r = km * math.sqrt(rng.random()) * 1000
    a = rng.random() * 2 * math.pi
    lat = origin[0] + r * math.cos(a) / METRES_PER_DEGREE
    lon = origin[1] + r * math.sin(a) / (METRES_PER_DEGREE * math.cos(math.radians(origin[0])))
    return lat, lon


def _towards(a: tuple[float, float], b: tuple[float, float], f: float) -> tuple[float, float]:
    return a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f


class Simulation:
    """Phones of enrolled persons; ``scripts`` maps person ids to a scripted event."""

    def __init__(
        self,
        rows: Iterable[tuple[int, int, int, str]],
        *,
        centre: tuple[float, float],
        seed: int = 13,
        scripts: dict[int, str] | None = None,
        script_days: dict[str, dt.date] | None = None,
        radius_km: float = 9.0,
        mountain_share: float = 0.04,
    ) -> None:
        self.rng = random.Random(seed)
        self.scripts = scripts or {}
        self.script_days = script_days or {}
        self.events: dict[int, Event] = {}
        self.phones: list[Phone] = []
        self.requests = 0
        self.max_request_ms = 0.0
        for person_id, county_id, device_id, cls in rows:
            rng = random.Random(self.rng.random())
            home = _offset(rng, centre, radius_km)
            script = self.scripts.get(person_id, "")
            if not script and rng.random() < mountain_share:
                script = "mountain"
            phone = Phone(
                person_id=person_id,
                county_id=county_id,
                device_id=device_id,
                supervision_class=cls if cls in INTERVAL_MINUTES else "ordinary",
                home=home,
                work=_offset(rng, home, 6.0),
                leave_h=rng.uniform(6.8, 8.6),
                back_h=rng.uniform(17.0, 19.5),
                works=rng.random() < 0.8,
                charges_nightly=0.97 if rng.random() < 0.9 else 0.75,
                script=script,
                battery=rng.uniform(0.5, 1.0),
                rng=rng,
            )
            self.phones.append(phone)
            if script in ("absconder", "fake_gps", "breach"):
                self.events[person_id] = Event(kind=script, person_id=person_id)

    # --- what a person does ------------------------------------------------------------------------

    def _where(self, p: Phone, t: dt.datetime) -> tuple[tuple[float, float], bool, bool]:
        """(position, moving, in a dead zone) at local time t."""
        local = timezone.localtime(t)
        h = local.hour + local.minute / 60
        day = local.date()
        if p.script == "breach" and day == self.script_days.get("breach"):
            # 09:00 drives out (75 min), stays until 13:30, drives back
            if 9 <= h < 10.25:
                return _towards(p.home, BREACH_PLACE, (h - 9) / 1.25), True, False
            if 10.25 <= h < 13.5:
                return _offset(p.rng, BREACH_PLACE, 0.05), False, False
            if 13.5 <= h < 14.75:
                return _towards(BREACH_PLACE, p.home, (h - 13.5) / 1.25), True, False
        workday = p.works and local.isoweekday() <= 6
        if h < p.leave_h or h >= p.back_h + 0.5:
            if not workday and 10 <= h < 11 and p.rng.random() < 0.5:
                return _offset(p.rng, p.home, 1.5), True, False  # an errand
            return p.home, False, False
        if not workday:
            if 15 <= h < 16.5:
                return _towards(p.home, p.work, min(1.0, (h - 15) / 0.5)), h < 15.5, False
            return p.home, False, False
        if h < p.leave_h + 0.5:
            return _towards(p.home, p.work, (h - p.leave_h) / 0.5), True, False
        if h >= p.back_h:
            return _towards(p.work, p.home, (h - p.back_h) / 0.5), True, False
        dead_zone = p.script == "mountain" and 9 <= h < 15
        return p.work, False, dead_zone

    def _battery(self, p: Phone, t: dt.datetime, minutes: float, moving: bool) -> None:
        local = timezone.localtime(t)
        h = local.hour + local.minute / 60
        night = h >= 22 or h < 6.5
        if night and p.plugged_tonight is None:
            p.plugged_tonight = p.rng.random() < p.charges_nightly
        if not night:
            p.plugged_tonight = None
        if p.dead and (7.5 <= h < 9 or p.back_h + 0.5 <= h < 22) and p.rng.random() < 0.2:
            p.dead, p.battery = False, 0.5  # put on the charger at home, in the evening or the morning
        p.charging = bool(night and p.plugged_tonight)
        if p.charging:
            p.battery = min(1.0, p.battery + 0.25 * minutes / 60)
        else:
            p.battery = max(0.0, p.battery - (0.07 if moving else 0.035) * minutes / 60)
        if p.battery <= 0.02 and not p.charging:
            p.dead = True

    # --- a step ------------------------------------------------------------------------------------------

    def _fix(
        self, p: Phone, t: dt.datetime, pos: tuple[float, float], moving: bool, mock_: bool
    ) -> ParsedFix:
        p.seq += 1
        cell = not moving and p.rng.random() < 0.08
        accuracy = p.rng.uniform(300, 1200) if cell else p.rng.uniform(4, 22)
        lat, lon = pos if cell else _offset(p.rng, pos, 0.008)
        return ParsedFix(
            client_id=f"s{p.seq}",
            time=t,
            lat=lat,
            lon=lon,
            accuracy=round(accuracy, 1),
            speed=p.rng.uniform(3, 14) if moving else 0.0,
            battery=round(p.battery, 3),
            charging=p.charging,
            moving=moving,
            source=FixSource.CELL if cell else FixSource.GPS,
            mock=mock_,
        )

    def _advance(self, p: Phone, start: dt.datetime, now: dt.datetime) -> bool:
        """Fixes of ``p`` in (start, now]; returns whether the phone uploads at ``now``."""
        if p.off_for_good:
            return False
        if p.script == "absconder" and self.script_days.get("absconder"):
            off_at = dt.datetime.combine(
                self.script_days["absconder"], dt.time(14, 10), tzinfo=timezone.get_default_timezone()
            )
            if now >= off_at:
                p.off_for_good = True
                event = self.events[p.person_id]
                event.due_at = off_at
                return False
        pos, moving, dead_zone = self._where(p, now)
        self._battery(p, now, (now - start).total_seconds() / 60, moving)
        if p.dead:
            return False
        local = timezone.localtime(now)
        mock_ = (
            p.script == "fake_gps"
            and local.date() == self.script_days.get("fake_gps")
            and 10 <= local.hour < 12
        )
        interval = dt.timedelta(minutes=INTERVAL_MINUTES[p.supervision_class])
        on_charger = p.charging and not moving
        if moving:
            t = max(p.last_fix_at or start, start) + dt.timedelta(seconds=MOVING_FIX_SECONDS)
            while t <= now:
                p.buffer.append(self._fix(p, t, self._where(p, t)[0], True, mock_))
                t += dt.timedelta(seconds=MOVING_FIX_SECONDS)
            if p.buffer:
                p.last_fix_at = p.buffer[-1].time
        elif on_charger:
            if not p.told_charging:  # the report when it is plugged in says so; then it rests quietly
                p.buffer.append(self._fix(p, now, pos, False, False))
                p.last_fix_at = now
                p.told_charging = True
        elif p.last_fix_at is None or now - p.last_fix_at >= interval:
            p.buffer.append(self._fix(p, now, pos, False, mock_))
            p.last_fix_at = now
        if not on_charger:
            p.told_charging = False
        if dead_zone or not p.buffer:
            return False
        if moving:
            return p.last_upload_at is None or now - p.last_upload_at >= dt.timedelta(
                seconds=UPLOAD_MOVING_SECONDS
            )
        return True

    def step(self, start: dt.datetime, now: dt.datetime, ingest: Callable[..., Any] | None = None) -> int:
        """Advance every phone from ``start`` to ``now``; ingest the uploads. Returns the requests made."""
        from jiaozheng.location.ingest import ingest as real_ingest

        ingest = ingest or real_ingest
        made = 0
        for p in self.phones:
            if not self._advance(p, start, now):
                continue
            fixes, p.buffer = p.buffer, []
            batch = Batch(protocol=Protocol.DEMO, fixes=fixes)
            batch.device_state = {"battery": p.battery, "charging": p.charging, "app_version": "sim"}
            began = time.perf_counter()
            result = ingest(DeviceInfo(p.device_id, p.person_id, p.county_id), batch, now=now)
            elapsed = (time.perf_counter() - began) * 1000
            p.last_upload_at = now
            made += 1
            self.max_request_ms = max(self.max_request_ms, elapsed)
            event = self.events.get(p.person_id)
            if event is not None and event.raised_at is None and getattr(result, "alerts", None):
                if event.kind in ("fake_gps", "breach"):
                    event.raised_at, event.processing_ms = now, elapsed
                    if event.due_at is None:
                        event.due_at = self._due(event, fixes)
        self.requests += made
        return made

    def _due(self, event: Event, fixes: list[ParsedFix]) -> dt.datetime | None:
        if event.kind == "fake_gps":
            mocked = [f.time for f in fixes if f.mock]
            return min(mocked) if mocked else None
        return None  # breaches: the state machine knows (dwell reached); read from the alert

    def run(
        self,
        start: dt.datetime,
        end: dt.datetime,
        *,
        step_minutes: int = 5,
        sweep_minutes: int = 10,
        on_sweep: Callable[[dt.datetime, dict[str, Any], float], None] | None = None,
    ) -> None:
        """Step through [start, end]; run the lost-contact sweep every ``sweep_minutes``."""
        from jiaozheng.location.sweeps import sweep_lost_contact

        t = start
        last_sweep = start
        while t < end:
            nxt = t + dt.timedelta(minutes=step_minutes)
            with clock(nxt):
                self.step(t, nxt)
                if nxt - last_sweep >= dt.timedelta(minutes=sweep_minutes):
                    began = time.perf_counter()
                    result = sweep_lost_contact(now=nxt)
                    elapsed = (time.perf_counter() - began) * 1000
                    last_sweep = nxt
                    if on_sweep is not None:
                        on_sweep(nxt, result, elapsed)
            t = nxt


@contextmanager
def clock(at: dt.datetime):
    """Run with ``django.utils.timezone.now()`` at simulated time ``at`` (every module that calls
    ``timezone.now()`` sees it: ingestion, sweeps, alert services)."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield
