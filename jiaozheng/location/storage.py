"""Set-based SQL for the fix tables (the hot path of ingestion).

PostgreSQL: one statement per batch in the common case (``pg_store_fast``): the fixes go in through
``INSERT … SELECT FROM unnest(…)`` with *binary* array parameters (dependencies.md §11: about twice the
throughput of the ORM's bulk_create), duplicates are skipped by the (county, device, client id, fix time)
key, the person's latest position is upserted, and the previous geofence state is returned from the same
snapshot, all in autocommit: when the statement returns, the fixes are durable. Batches that need the
geofence state machine run in a transaction with the latest row locked (``lock_latest`` …).

SQLite: the same statements in a transaction (one writer at a time anyway), with the rows passed as one
JSON parameter to ``json_each``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from jiaozheng.location.protocols import ParsedFix

FIX_COLUMNS = (
    "county_id",
    "person_id",
    "device_id",
    "client_id",
    "fix_time",
    "received_at",
    "latitude",
    "longitude",
    "accuracy",
    "altitude",
    "speed",
    "bearing",
    "battery",
    "charging",
    "moving",
    "source",
    "protocol",
    "flags",
    "attributes",
)
LATEST_COLUMNS = (
    "person_id",
    "county_id",
    "device_id",
    "fix_time",
    "received_at",
    "last_seen_at",
    "expected_since",
    "latitude",
    "longitude",
    "accuracy",
    "speed",
    "battery",
    "charging",
    "moving",
    "source",
    "flags",
    "still_since",
    "anchor_latitude",
    "anchor_longitude",
    "device_state",
    "fence_state",
    "fence_version",
)


@dataclass(frozen=True)
class DeviceInfo:
    device_id: int
    person_id: int
    county_id: int


@dataclass
class LatestInput:
    """What a batch says about the person's latest position (None fields: a heartbeat)."""

    fix: ParsedFix | None
    flags: int
    still_since: dt.datetime | None
    all_within: bool  # every fix of the batch lies within the still radius of the newest one
    battery: float | None
    charging: bool | None
    device_state: dict[str, Any] = field(default_factory=dict)


@dataclass
class PreviousLatest:
    fix_time: dt.datetime | None
    fence_state: dict[str, Any]
    fence_version: int
    exists: bool


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


_cursors = threading.local()
_PREPARE = os.environ.get("JZ_LOCATION_PREPARE", "1") != "0"


def _pg_cursor() -> Any:
    """A server-binding psycopg cursor on Django's connection (Django's own cursors bind on the client
    side, which cannot send binary parameters), reused while the connection lives."""
    import psycopg

    connection.ensure_connection()
    raw = connection.connection
    cached = getattr(_cursors, "pair", None)
    if cached is not None and cached[0] is raw and not cached[1].closed:
        return cached[1]
    cursor = psycopg.Cursor(raw)
    _cursors.pair = (raw, cursor)
    return cursor


def _execute_prepared(cursor: Any, sql: str, params: list[Any]) -> None:
    """Run one of the ingest statements as a server-side prepared statement (parsed and planned once per
    connection). Django opens connections with ``prepare_threshold=None`` (nothing is ever prepared, for
    PgBouncer's sake); it is lifted for this call only, with a threshold no other query reaches. Behind a
    transaction-pooling PgBouncer older than 1.21, set ``JZ_LOCATION_PREPARE=0``."""
    if not _PREPARE:
        cursor.execute(sql, params, binary=True)
        return
    raw = cursor.connection
    saved = raw.prepare_threshold
    raw.prepare_threshold = 1_000_000_000
    try:
        cursor.execute(sql, params, binary=True, prepare=True)
    finally:
        raw.prepare_threshold = saved


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * 110_574.0
    dx = (lon2 - lon1) * 111_320.0 * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


def _num(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


# --- PostgreSQL ---------------------------------------------------------------------------------------

_PG_ROWS = """
    SELECT * FROM unnest(
        %b::text[], %b::timestamptz[], %b::float8[], %b::float8[], %b::float8[], %b::float8[],
        %b::float8[], %b::float8[], %b::float8[], %b::bool[], %b::bool[], %b::int2[], %b::int2[], %b::jsonb[]
    ) AS r(client_id, fix_time, latitude, longitude, accuracy, altitude, speed, bearing, battery, charging,
           moving, source, flags, attributes)
"""

# ON CONFLICT without a target: the only key a new row can collide with is the de-duplication key
# (county, device, client id, fix time); the id comes from a sequence.
_PG_INSERT = """
    INSERT INTO location_fix (county_id, person_id, device_id, client_id, fix_time, received_at, latitude,
        longitude, accuracy, altitude, speed, bearing, battery, charging, moving, source, protocol, flags,
        attributes)
    SELECT %s, %s, %s, r.client_id, r.fix_time, %s, r.latitude, r.longitude, r.accuracy, r.altitude, r.speed,
        r.bearing, r.battery, r.charging, r.moving, r.source, %s, r.flags, r.attributes
    FROM rows r {guard}
    ON CONFLICT DO NOTHING
    RETURNING client_id
"""

# excluded.fix_time is NULL for a heartbeat: the comparison is then NULL, which CASE takes as false
_NEWER = "excluded.fix_time>COALESCE(l.fix_time,'-infinity')"
# "has not moved": the new fix lies within the still radius of the anchor; computed once, in the ``prev``
# common table expression that reads the person's row (the same snapshot the upsert sees)
_STAY = "COALESCE((SELECT stay FROM prev),false)"
_PREV = (
    "prev AS (SELECT fix_time, fence_state, fence_version, (%(all_within)s AND anchor_latitude IS NOT NULL"
    " AND ((%(lat)s-anchor_latitude)*110574.0)^2+((%(lon)s-anchor_longitude)*111320.0"
    "*cos(radians(anchor_latitude)))^2<=%(radius_sq)s) AS stay FROM location_latest WHERE person_id=%(person)s)"
)


def _latest_upsert_sql() -> str:
    position = (
        "fix_time",
        "received_at",
        "latitude",
        "longitude",
        "accuracy",
        "speed",
        "moving",
        "source",
        "flags",
    )
    sets = [
        "last_seen_at = excluded.last_seen_at",
        "device_id = excluded.device_id",
        "county_id = excluded.county_id",
        "device_state = l.device_state || excluded.device_state",
    ]
    for col in position:
        sets.append(f"{col} = CASE WHEN {_NEWER} THEN excluded.{col} ELSE l.{col} END")
    for col in ("battery", "charging"):
        sets.append(
            f"{col} = CASE WHEN excluded.{col} IS NOT NULL AND ({_NEWER} OR excluded.fix_time IS NULL) "
            f"THEN excluded.{col} ELSE l.{col} END"
        )
    sets.append(
        f"still_since = CASE WHEN {_NEWER} THEN (CASE WHEN {_STAY} THEN COALESCE(l.still_since,"
        f" excluded.still_since) ELSE excluded.still_since END) ELSE l.still_since END"
    )
    for col in ("anchor_latitude", "anchor_longitude"):
        sets.append(
            f"{col} = CASE WHEN {_NEWER} AND NOT {_STAY} THEN excluded.{col} ELSE COALESCE(l.{col}, excluded.{col}) END"
        )
    return (
        "INSERT INTO location_latest AS l (person_id, county_id, device_id, fix_time, received_at, last_seen_at,"
        " expected_since, latitude, longitude, accuracy, speed, battery, charging, moving, source, flags, still_since,"
        " anchor_latitude, anchor_longitude, device_state, fence_state, fence_version)"
        " SELECT %(person)s, %(county)s, %(device)s, %(t)s, %(received)s, %(now)s, %(now)s, %(lat)s, %(lon)s, %(acc)s,"
        " %(speed)s, %(battery)s, %(charging)s, %(moving)s, %(source)s, %(flags)s, %(still_since)s, %(lat)s,"
        " %(lon)s, %(device_state)s, '{{}}'::jsonb, 0 {guard}"
        " ON CONFLICT (person_id) DO UPDATE SET " + ", ".join(sets)
    )


def _optional(values: list[Any]) -> list[Any] | None:
    """A column of the batch, or None when every value is missing: a NULL array costs nothing to send and
    ``unnest`` pads it with NULLs (phones often leave altitude, bearing or the charging state out)."""
    for value in values:
        if value is not None:
            return values
    return None


def _rows_params(rows: list[ParsedFix], flags: list[int]) -> list[Any]:
    from psycopg.types.json import Jsonb

    return [
        [f.client_id for f in rows],
        [f.time for f in rows],
        [f.lat for f in rows],
        [f.lon for f in rows],
        _optional([_num(f.accuracy) for f in rows]),
        _optional([_num(f.altitude) for f in rows]),
        _optional([_num(f.speed) for f in rows]),
        _optional([_num(f.bearing) for f in rows]),
        _optional([_num(f.battery) for f in rows]),
        _optional([f.charging for f in rows]),
        _optional([f.moving for f in rows]),
        [int(f.source) for f in rows],
        [int(x) for x in flags],
        _optional([Jsonb(f.attributes) if f.attributes else None for f in rows]),
    ]


def _latest_params(
    device: DeviceInfo, latest: LatestInput, now: dt.datetime, radius: float
) -> dict[str, Any]:
    from psycopg.types.json import Jsonb

    fix = latest.fix
    return {
        "person": device.person_id,
        "county": device.county_id,
        "device": device.device_id,
        "t": fix.time if fix else None,
        "received": now if fix else None,
        "now": now,
        "lat": fix.lat if fix else None,
        "lon": fix.lon if fix else None,
        "acc": _num(fix.accuracy) if fix else None,
        "speed": _num(fix.speed) if fix else None,
        "battery": latest.battery,
        "charging": latest.charging,
        "moving": fix.moving if fix else None,
        "source": int(fix.source) if fix else 0,
        "flags": latest.flags,
        "still_since": latest.still_since,
        "all_within": latest.all_within,
        "radius": float(radius),
        "radius_sq": float(radius) ** 2,
        "device_state": Jsonb(latest.device_state or {}),
    }


_FAST_SQL: tuple[str, list[str]] | None = None


def _fast_sql() -> tuple[str, list[str]]:
    """The statement of ``pg_store_fast`` (built once) and the order of its named upsert parameters."""
    global _FAST_SQL
    if _FAST_SQL is None:
        import re

        tail = (
            _PREV + ", up AS (" + _latest_upsert_sql().format(guard="WHERE EXISTS (SELECT 1 FROM dev)") + ")"
        )
        names = re.findall(r"%\((\w+)\)s", tail)
        tail = re.sub(r"%\((\w+)\)s", "%s", tail)
        sql = (
            "WITH dev AS (SELECT 1 FROM location_device WHERE id = %s AND status = 'active'),"
            f" rows AS ({_PG_ROWS}),"
            f" ins AS ({_PG_INSERT.format(guard='WHERE EXISTS (SELECT 1 FROM dev)')}),"
            f" {tail}"
            " SELECT EXISTS(SELECT 1 FROM dev),p.fix_time,p.fence_state,p.fence_version,"
            "p.fence_version IS NOT NULL,ARRAY(SELECT client_id FROM ins) FROM (SELECT 1) o LEFT JOIN prev p ON true"
        )
        # one line without runs of spaces: under 4 KB psycopg caches the query's conversion
        _FAST_SQL = (" ".join(sql.split()), names)
    return _FAST_SQL


@dataclass
class FastResult:
    device_active: bool
    inserted: set[str]
    previous: PreviousLatest


def pg_store_fast(
    device: DeviceInfo,
    rows: list[ParsedFix],
    flags: list[int],
    protocol: int,
    latest: LatestInput,
    now: dt.datetime,
    radius: float,
) -> FastResult:
    """Everything for a batch that needs no state machine, in one autocommitted statement."""
    sql, names = _fast_sql()
    named = _latest_params(device, latest, now, radius)
    upsert_params = [named[name] for name in names]
    params: list[Any] = [device.device_id]
    params += _rows_params(rows, flags)
    params += [device.county_id, device.person_id, device.device_id, now, protocol]
    params += upsert_params
    cursor = _pg_cursor()
    _execute_prepared(cursor, sql, params)
    active, prev_time, prev_state, prev_version, exists, inserted = cursor.fetchone()
    return FastResult(
        device_active=bool(active),
        inserted=set(inserted or ()),
        previous=PreviousLatest(prev_time, prev_state or {}, prev_version or 0, bool(exists)),
    )


# --- statements used inside a transaction (both databases) ------------------------------------------


def device_active(device_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM location_device WHERE id = %s AND status = 'active'", [device_id])
        return cursor.fetchone() is not None


def lock_latest(person_id: int) -> dict[str, Any] | None:
    """The person's latest row, locked until the end of the transaction (PostgreSQL; SQLite has one
    writer at a time already)."""
    suffix = " FOR UPDATE" if is_postgres() else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(LATEST_COLUMNS) + " FROM location_latest WHERE person_id = %s" + suffix,
            [person_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    out = dict(zip(LATEST_COLUMNS, row, strict=True))
    for key in ("fix_time", "received_at", "last_seen_at", "expected_since", "still_since"):
        out[key] = _as_datetime(out[key])
    for key in ("device_state", "fence_state"):
        if isinstance(out[key], str):
            out[key] = json.loads(out[key])
        out[key] = out[key] or {}
    return out


def _as_datetime(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def insert_fixes(
    device: DeviceInfo, rows: list[ParsedFix], flags: list[int], protocol: int, now: dt.datetime
) -> set[str]:
    """Insert the fixes, skipping those already stored; returns the client ids inserted now."""
    if not rows:
        return set()
    if is_postgres():
        sql = f"WITH rows AS ({_PG_ROWS}) " + _PG_INSERT.format(guard="")
        params = _rows_params(rows, flags) + [
            device.county_id,
            device.person_id,
            device.device_id,
            now,
            protocol,
        ]
        cursor = _pg_cursor()
        _execute_prepared(cursor, sql, params)
        return {r[0] for r in cursor.fetchall()}
    ops = connection.ops
    payload = json.dumps(
        [
            [
                f.client_id,
                ops.adapt_datetimefield_value(f.time),
                f.lat,
                f.lon,
                _num(f.accuracy),
                _num(f.altitude),
                _num(f.speed),
                _num(f.bearing),
                _num(f.battery),
                f.charging,
                f.moving,
                int(f.source),
                int(flag),
                json.dumps(f.attributes, ensure_ascii=False) if f.attributes else None,
            ]
            for f, flag in zip(rows, flags, strict=True)
        ],
        ensure_ascii=False,
    )
    j = [f"json_extract(value, '$[{i}]')" for i in range(14)]
    select = ["%s", "%s", "%s", j[0], j[1], "%s", *j[2:12], "%s", j[12], j[13]]
    sql = (
        f"INSERT INTO location_fix ({', '.join(FIX_COLUMNS)}) SELECT {', '.join(select)}"
        " FROM json_each(%s) WHERE true ON CONFLICT (county_id, device_id, client_id, fix_time) DO NOTHING"
        " RETURNING client_id"
    )
    params = [device.county_id, device.person_id, device.device_id, ops.adapt_datetimefield_value(now)]
    params += [protocol, payload]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {r[0] for r in cursor.fetchall()}


def merge_latest(
    old: dict[str, Any] | None, device: DeviceInfo, latest: LatestInput, now: dt.datetime, radius: float
) -> dict[str, Any]:
    """The new latest row (the same rules as the PostgreSQL upsert of ``pg_store_fast``)."""
    fix = latest.fix
    if old is None:
        return {
            "person_id": device.person_id,
            "county_id": device.county_id,
            "device_id": device.device_id,
            "fix_time": fix.time if fix else None,
            "received_at": now if fix else None,
            "last_seen_at": now,
            "expected_since": now,
            "latitude": fix.lat if fix else None,
            "longitude": fix.lon if fix else None,
            "accuracy": _num(fix.accuracy) if fix else None,
            "speed": _num(fix.speed) if fix else None,
            "battery": latest.battery,
            "charging": latest.charging,
            "moving": fix.moving if fix else None,
            "source": int(fix.source) if fix else 0,
            "flags": latest.flags,
            "still_since": latest.still_since,
            "anchor_latitude": fix.lat if fix else None,
            "anchor_longitude": fix.lon if fix else None,
            "device_state": dict(latest.device_state or {}),
            "fence_state": {},
            "fence_version": 0,
        }
    new = dict(old)
    new.update(
        last_seen_at=now,
        device_id=device.device_id,
        county_id=device.county_id,
        device_state={**(old.get("device_state") or {}), **(latest.device_state or {})},
    )
    newer = fix is not None and (old["fix_time"] is None or fix.time > old["fix_time"])
    if newer:
        new.update(
            fix_time=fix.time,
            received_at=now,
            latitude=fix.lat,
            longitude=fix.lon,
            accuracy=_num(fix.accuracy),
            speed=_num(fix.speed),
            moving=fix.moving,
            source=int(fix.source),
            flags=latest.flags,
        )
        stay = (
            latest.all_within
            and old["anchor_latitude"] is not None
            and distance_m(old["anchor_latitude"], old["anchor_longitude"], fix.lat, fix.lon) <= radius
        )
        if stay:
            new["still_since"] = old["still_since"] or latest.still_since
        else:
            new["still_since"] = latest.still_since
            new["anchor_latitude"], new["anchor_longitude"] = fix.lat, fix.lon
    for key, value in (("battery", latest.battery), ("charging", latest.charging)):
        if value is not None and (newer or fix is None):
            new[key] = value
    return new


def write_latest(row: dict[str, Any]) -> None:
    """Insert or replace the latest row (inside the caller's transaction, after ``lock_latest``)."""
    values = dict(row)
    if is_postgres():
        from psycopg.types.json import Jsonb

        values["device_state"] = Jsonb(values["device_state"] or {})
        values["fence_state"] = Jsonb(values["fence_state"] or {})
    else:
        ops = connection.ops
        for key in ("fix_time", "received_at", "last_seen_at", "expected_since", "still_since"):
            values[key] = ops.adapt_datetimefield_value(values[key]) if values[key] is not None else None
        values["device_state"] = json.dumps(values["device_state"] or {}, ensure_ascii=False)
        values["fence_state"] = json.dumps(values["fence_state"] or {}, ensure_ascii=False)
    cols = list(LATEST_COLUMNS)
    sql = (
        f"INSERT INTO location_latest ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
        " ON CONFLICT (person_id) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in cols if c != "person_id")
    )
    params = [values[c] for c in cols]
    if is_postgres():
        _pg_cursor().execute(sql, params)
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def save_fence_state(person_id: int, state: dict[str, Any]) -> None:
    text = json.dumps(state or {}, ensure_ascii=False)
    cast = "::jsonb" if is_postgres() else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE location_latest SET fence_state = %s{cast} WHERE person_id = %s", [text, person_id]
        )


def update_flags(device: DeviceInfo, rows: list[ParsedFix], flags: list[int]) -> None:
    """Correct the flags of just-stored fixes after the fences changed under a batch (rare)."""
    with connection.cursor() as cursor:
        for fix, flag in zip(rows, flags, strict=True):
            cursor.execute(
                "UPDATE location_fix SET flags = %s WHERE county_id = %s AND device_id = %s AND client_id = %s"
                " AND fix_time = %s",
                [int(flag), device.county_id, device.device_id, fix.client_id, fix.time],
            )


def bump_fence_version(person_id: int) -> None:
    """The person's fences changed (travel permit, prohibition order): caches reload them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE location_latest SET fence_version = fence_version + 1 WHERE person_id = %s", [person_id]
        )


# --- bulk loading (demo data, imports of history, the COPY baseline of the bench) ----------------------

COPY_TYPES = (
    "int8",
    "int8",
    "int8",
    "text",
    "timestamptz",
    "timestamptz",
    "float8",
    "float8",
    "float8",
    "float8",
    "float8",
    "float8",
    "float8",
    "bool",
    "bool",
    "int2",
    "int2",
    "int2",
    "jsonb",
)


def copy_rows(rows: list[tuple[Any, ...]]) -> int:
    """Append fix rows (tuples in ``FIX_COLUMNS`` order) as fast as the database allows: binary COPY on
    PostgreSQL, executemany on SQLite. No de-duplication: for data known to be new."""
    if not rows:
        return 0
    cols = ", ".join(FIX_COLUMNS)
    if is_postgres():
        from psycopg.types.json import Jsonb

        cursor = _pg_cursor()
        with cursor.copy(f"COPY location_fix ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(COPY_TYPES)
            for row in rows:
                attrs = row[18]
                copy.write_row(row[:18] + (Jsonb(attrs) if attrs else None,))
        return len(rows)
    ops = connection.ops
    prepared = []
    for row in rows:
        values = list(row)
        values[4] = ops.adapt_datetimefield_value(values[4])
        values[5] = ops.adapt_datetimefield_value(values[5])
        values[18] = json.dumps(values[18], ensure_ascii=False) if values[18] else None
        prepared.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO location_fix ({cols}) VALUES ({', '.join(['%s'] * len(FIX_COLUMNS))})", prepared
        )
    return len(rows)
