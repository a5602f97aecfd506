"""Ingestion of position reports: validate, classify against the fences, store durably, run the geofence
state machine when needed, raise or clear alerts. Shared by the batch API and the OsmAnd/Traccar protocol.

The common case (every fix inside the permitted area, nothing mocked, no breach in progress) is one SQL
statement on PostgreSQL (``storage.pg_store_fast``). Anything else runs in one transaction with the
person's latest row locked, so two batches of the same phone cannot interleave their state changes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from jiaozheng.location import fences as fences_mod
from jiaozheng.location import storage
from jiaozheng.location.choices import AlertSeverity, AlertType, FixSource
from jiaozheng.location.geofence import AREA, FixView, evaluate
from jiaozheng.location.models import FLAG_APPROXIMATE, FLAG_INVALID, FLAG_LATE, FLAG_MOCK
from jiaozheng.location.protocols import Batch, ParsedFix, Rejected, check_times
from jiaozheng.location.storage import DeviceInfo, LatestInput

log = logging.getLogger(__name__)


class DeviceInactive(Exception):
    """The device was revoked or replaced while the report was on its way."""


@dataclass
class IngestResult:
    stored: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    alerts: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "stored": self.stored,
            "duplicates": self.duplicates,
            "rejected": [r.as_dict() for r in self.rejected],
        }


def _approximate(fix: ParsedFix, params: dict[str, Any]) -> bool:
    if fix.source in (FixSource.CELL, FixSource.WIFI):
        return True
    if fix.source == FixSource.GPS:
        return False
    return fix.accuracy is not None and fix.accuracy > params["approximate_accuracy_m"]


@dataclass
class Prepared:
    fixes: list[ParsedFix]
    flags: list[int]
    classified: Any
    needs_state: bool
    has_mock: bool


def _prepare(fixes: list[ParsedFix], fences: Any, now: dt.datetime) -> Prepared:
    params = fences.params
    n = len(fixes)
    if n == 0:
        return Prepared([], [], None, False, False)
    epoch = np.fromiter((f.time.timestamp() for f in fixes), dtype=np.float64, count=n)
    lon = np.fromiter((f.lon for f in fixes), dtype=np.float64, count=n)
    lat = np.fromiter((f.lat for f in fixes), dtype=np.float64, count=n)
    acc = np.fromiter(
        (np.nan if f.accuracy is None else f.accuracy for f in fixes), dtype=np.float64, count=n
    )
    classified = fences.classify(epoch, lon, lat, acc)
    extra = np.zeros(n, dtype=np.int16)
    ignore = np.zeros(n, dtype=bool)
    late_after = dt.timedelta(minutes=params["late_minutes"])
    has_mock = False
    for i, fix in enumerate(fixes):
        bits = 0
        if fix.mock:
            bits |= FLAG_MOCK
            has_mock = True
            ignore[i] = True
        if not fix.valid:
            bits |= FLAG_INVALID
            ignore[i] = True
        if _approximate(fix, params):
            bits |= FLAG_APPROXIMATE
        if now - fix.time > late_after:
            bits |= FLAG_LATE
        extra[i] = bits
    if ignore.any():  # mocked or invalid fixes never count for or against a fence
        classified.area = classified.area.copy()
        classified.area[ignore] = 0
        classified.forbidden = [
            (zone, applies, np.where(ignore, 0, status).astype(np.int8))
            for zone, applies, status in classified.forbidden
        ]
    flags = (classified.flags() | extra).tolist()
    return Prepared(list(fixes), flags, classified, classified.any_bad(), has_mock)


def _latest_input(prep: Prepared, batch: Batch, params: dict[str, Any], now: dt.datetime) -> LatestInput:
    device_state = dict(batch.device_state)
    if device_state:
        device_state["at"] = now.isoformat()
    if not prep.fixes:
        return LatestInput(
            fix=None,
            flags=0,
            still_since=None,
            all_within=True,
            battery=device_state.get("battery"),
            charging=device_state.get("charging"),
            device_state=device_state,
        )
    order = sorted(range(len(prep.fixes)), key=lambda i: prep.fixes[i].time)
    newest_i = order[-1]
    newest = prep.fixes[newest_i]
    radius = params["still_radius_m"]
    still_since = newest.time
    all_within = True
    for i in reversed(order):
        fix = prep.fixes[i]
        if storage.distance_m(newest.lat, newest.lon, fix.lat, fix.lon) <= radius and (
            fix.moving is not True or fix is newest
        ):
            still_since = fix.time
        else:
            all_within = False
            break
    if newest.moving is True:
        all_within, still_since = False, newest.time
    battery = newest.battery if newest.battery is not None else device_state.get("battery")
    charging = newest.charging if newest.charging is not None else device_state.get("charging")
    return LatestInput(
        fix=newest,
        flags=int(prep.flags[newest_i]),
        still_since=still_since,
        all_within=all_within,
        battery=battery,
        charging=charging,
        device_state=device_state,
    )


def ingest(device: DeviceInfo, batch: Batch, *, now: dt.datetime | None = None) -> IngestResult:
    """Store a batch from an authenticated device; returns counts and the per-fix rejections."""
    now = now or timezone.now()
    fences = fences_mod.fences_for(device.person_id)
    params = fences.params
    check_times(
        batch,
        now=now,
        max_skew=dt.timedelta(minutes=params["max_clock_skew_minutes"]),
        max_age=dt.timedelta(days=params["max_fix_age_days"]),
    )
    result = IngestResult(rejected=batch.rejected, duplicates=batch.duplicates_in_batch)
    if batch.rejected:
        _note_rejection(device, batch.rejected, now)
        if not batch.fixes:
            return result  # nothing usable: no sign of life either (a wrong clock must not hide a person)
    prep = _prepare(batch.fixes, fences, now)
    for attempt in range(2):
        try:
            if storage.is_postgres() and not prep.needs_state and not prep.has_mock:
                if connection.in_atomic_block:  # called inside a transaction (tests, jobs): a savepoint
                    with transaction.atomic():
                        _store_fast(device, batch, prep, fences, now, result)
                else:  # a request: one autocommitted statement
                    _store_fast(device, batch, prep, fences, now, result)
            else:
                _store_with_state(device, batch, prep, fences, now, result)
            return result
        except Exception as exc:  # psycopg's own error from the binary cursor, or Django's wrapper
            if attempt == 0 and _missing_partition(exc):
                from jiaozheng.location.partitions import ensure_for_times

                ensure_for_times([f.time for f in prep.fixes])
                continue
            raise
    return result  # pragma: no cover


def _missing_partition(exc: Exception) -> bool:
    return "no partition of relation" in str(exc)


def _note_rejection(device: DeviceInfo, rejected: list[Rejected], now: dt.datetime) -> None:
    """Keep the last reason on the device (at most once a minute): a phone whose reports are refused is
    'not reporting, cause known' for the sweep and the device list."""
    from jiaozheng.location.models import Device

    first = rejected[0].errors[0] if rejected[0].errors else {"message": "rejected"}
    text = f"{first.get('field') or ''}: {first.get('message')}".strip(": ")[:300]
    Device.objects.filter(pk=device.device_id).exclude(
        last_rejected_at__gt=now - dt.timedelta(minutes=1)
    ).update(last_rejected_at=now, last_rejection=text)


def _store_fast(
    device: DeviceInfo, batch: Batch, prep: Prepared, fences: Any, now: dt.datetime, result: IngestResult
) -> None:
    latest = _latest_input(prep, batch, fences.params, now)
    fast = storage.pg_store_fast(
        device, prep.fixes, prep.flags, batch.protocol, latest, now, fences.params["still_radius_m"]
    )
    if not fast.device_active:
        from jiaozheng.location.auth import forget_device

        forget_device(device.device_id)
        raise DeviceInactive()
    result.stored = len(fast.inserted)
    result.duplicates += len(prep.fixes) - len(fast.inserted)
    previous = fast.previous
    stale = previous.exists and previous.fence_version != fences.version
    open_episode = bool((previous.fence_state or {}).get("zones"))
    if not stale and not open_episode:
        return
    # The fences changed under us, or a breach is in progress that these fixes may end: finish in a
    # transaction with the row locked (the fixes themselves are already durable).
    if stale:
        fences = fences_mod.fences_for(device.person_id, previous.fence_version)
        new_prep = _prepare(prep.fixes, fences, now)
        if new_prep.flags != prep.flags:
            storage.update_flags(device, prep.fixes, new_prep.flags)
        prep = new_prep
    fresh = [f for f in prep.fixes if f.client_id in fast.inserted]
    if not fresh:
        return
    with transaction.atomic():
        row = storage.lock_latest(device.person_id)
        if row is None:
            return
        horizon = previous.fix_time
        todo = [f for f in fresh if horizon is None or f.time > horizon]
        state = _run_state(device, row.get("fence_state") or {}, todo, fences, now, result)
        storage.save_fence_state(device.person_id, state)


def _store_with_state(
    device: DeviceInfo, batch: Batch, prep: Prepared, fences: Any, now: dt.datetime, result: IngestResult
) -> None:
    with transaction.atomic():
        if not storage.device_active(device.device_id):
            from jiaozheng.location.auth import forget_device

            forget_device(device.device_id)
            raise DeviceInactive()
        row = storage.lock_latest(device.person_id)
        if row is not None and row["fence_version"] != fences.version:
            fences = fences_mod.fences_for(device.person_id, row["fence_version"])
            prep = _prepare(prep.fixes, fences, now)
        inserted = storage.insert_fixes(device, prep.fixes, prep.flags, batch.protocol, now)
        result.stored = len(inserted)
        result.duplicates += len(prep.fixes) - len(inserted)
        latest = _latest_input(prep, batch, fences.params, now)
        new_row = storage.merge_latest(row, device, latest, now, fences.params["still_radius_m"])
        fresh = [f for f in prep.fixes if f.client_id in inserted]
        horizon = row["fix_time"] if row is not None else None
        todo = [f for f in fresh if horizon is None or f.time > horizon]
        old_state = (row or {}).get("fence_state") or {}
        if todo and (old_state.get("zones") or prep.needs_state):
            new_row["fence_state"] = _run_state(device, old_state, todo, fences, now, result)
        mocked = [f for f in fresh if f.mock]
        if mocked:
            result.alerts.append(_raise_mock(device, mocked, batch.protocol, now))
        storage.write_latest(new_row)


@contextmanager
def _as_system() -> Iterator[None]:
    """Alerts raised while storing a phone's report are written by the system user (origin "device"),
    unless a job or test already set an actor."""
    from jiaozheng.audit import context
    from jiaozheng.orgs.services import system_user

    if context.current().user is not None:
        yield
        return
    with context.acting_as(system_user(), "device"):
        yield


def _views(fixes: list[ParsedFix], params: dict[str, Any], now: dt.datetime) -> list[FixView]:
    late_after = dt.timedelta(minutes=params["late_minutes"])
    return [
        FixView(
            client_id=f.client_id,
            time=f.time,
            lat=f.lat,
            lon=f.lon,
            accuracy=f.accuracy,
            source=int(f.source),
            precise=not f.mock and f.valid and not _approximate(f, params),
            late=now - f.time > late_after,
        )
        for f in fixes
    ]


def _run_state(
    device: DeviceInfo,
    state: dict[str, Any],
    todo: list[ParsedFix],
    fences: Any,
    now: dt.datetime,
    result: IngestResult,
) -> dict[str, Any]:
    """Run the geofence state machine over the new fixes (in time order) and act on its decisions."""
    from jiaozheng.location.models import Alert
    from jiaozheng.location.services import alert_clear, alert_raise
    from jiaozheng.people.models import Person

    if not todo:
        return state
    todo = sorted(todo, key=lambda f: f.time)
    prep = _prepare(todo, fences, now)
    person = Person.objects.select_related("county").get(pk=device.person_id)
    with _as_system(), translation.override(settings.LANGUAGE_CODE):
        new_state, actions = evaluate(
            state, _views(todo, fences.params, now), prep.classified, fences, person=person
        )
        zones = new_state.get("zones", {})
        raised: dict[str, int] = {}
        for action in actions:
            if action.kind == "raise":
                alert = alert_raise(
                    person=person,
                    alert_type=action.alert_type,
                    severity=action.severity,
                    title=action.title,
                    evidence=action.evidence,
                    occurred_at=action.occurred_at,
                )
                raised[action.zone] = alert.pk
                result.alerts.append(alert.pk)
                if action.zone in zones:
                    zones[action.zone]["alert"] = alert.pk
            elif action.kind == "clear":
                alert_id = action.alert_id or raised.get(action.zone)
                if not alert_id:
                    continue
                still_used = any(
                    ep.get("alert") == alert_id for key, ep in zones.items() if key != action.zone
                )
                if still_used:
                    continue  # another forbidden zone of the same alert is still breached
                note = (
                    translation.gettext("Back in the permitted area")
                    if action.zone == AREA
                    else translation.gettext("Left the forbidden zone")
                )
                alert_clear(
                    alert=Alert(pk=alert_id), at=action.occurred_at, note=note, evidence=action.evidence
                )
    return new_state


def _raise_mock(device: DeviceInfo, mocked: list[ParsedFix], protocol: int, now: dt.datetime) -> int:
    from jiaozheng.location.services import alert_raise
    from jiaozheng.people.models import Person

    person = Person.objects.select_related("county").get(pk=device.person_id)
    params = fences_mod.params_for(person.county)
    views = _views(sorted(mocked, key=lambda f: f.time), params, now)
    with _as_system(), translation.override(settings.LANGUAGE_CODE):
        title = translation.gettext("The phone reported mocked positions (a fake-GPS app?)")
        alert = alert_raise(
            person=person,
            alert_type=AlertType.MOCK_LOCATION,
            severity=AlertSeverity.HIGH if person.supervision_class == "strict" else AlertSeverity.MEDIUM,
            title=title,
            evidence={
                "device_id": device.device_id,
                "protocol": protocol,
                "count": len(mocked),
                "fixes": [v.evidence() for v in views[:12]],
                "late": any(v.late for v in views),
            },
            occurred_at=views[0].time,
        )
    return alert.pk
