"""Storage of fixes by month: PostgreSQL range partitions on ``fix_time``, and retention.

On PostgreSQL ``location_fix`` is a partitioned table (``PARTITION BY RANGE (fix_time)``), one partition
per calendar month in UTC, named ``location_fix_pYYYY_MM``. Partitions are created ahead by a daily task
(``ensure_partitions``) and on demand when a fix arrives for a month that has none (a phone that buffered
fixes for weeks). Retention drops whole partitions (``drop_before``): no row-by-row DELETE that would lock
the table for minutes (Traccar's lesson). On SQLite the table is a plain table and retention deletes rows
in chunks.

Every row carries ``county_id``, and both the primary key and the de-duplication key include it, so a
deployment that outgrows one machine can distribute the table by county (Citus
``create_distributed_table('location_fix', 'county_id')``) without changing the schema.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from django.db import connection as default_connection
from django.db import transaction

log = logging.getLogger(__name__)

TABLE = "location_fix"
_NAME = re.compile(r"^location_fix_p(\d{4})_(\d{2})$")

CREATE_PARTITIONED_TABLE = f"""
CREATE TABLE {TABLE} (
    id bigserial NOT NULL,
    county_id bigint NOT NULL,
    person_id bigint NOT NULL,
    device_id bigint NOT NULL,
    client_id varchar(64) NOT NULL,
    fix_time timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    latitude double precision NOT NULL,
    longitude double precision NOT NULL,
    accuracy double precision NULL,
    altitude double precision NULL,
    speed double precision NULL,
    bearing double precision NULL,
    battery double precision NULL,
    charging boolean NULL,
    moving boolean NULL,
    source smallint NOT NULL DEFAULT 0,
    protocol smallint NOT NULL DEFAULT 1,
    flags smallint NOT NULL DEFAULT 0,
    attributes jsonb NULL,
    CONSTRAINT location_fix_pkey PRIMARY KEY (id, fix_time, county_id)
) PARTITION BY RANGE (fix_time);
ALTER TABLE {TABLE} ADD CONSTRAINT location_fix_dedup UNIQUE (county_id, device_id, client_id, fix_time);
CREATE INDEX location_fix_person_time ON {TABLE} (person_id, fix_time);
"""


def month_start(day: dt.date | dt.datetime) -> dt.date:
    return dt.date(day.year, day.month, 1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def partition_name(month: dt.date) -> str:
    return f"{TABLE}_p{month.year:04d}_{month.month:02d}"


def is_partitioned(connection: Any = None) -> bool:
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s", [TABLE])
        row = cursor.fetchone()
    return bool(row and row[0] == "p")


def existing_partitions(connection: Any = None) -> list[dt.date]:
    """Months that have a partition, oldest first (PostgreSQL only)."""
    connection = connection or default_connection
    if not is_partitioned(connection):
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [r[0] for r in cursor.fetchall()]
    months = []
    for name in names:
        match = _NAME.match(name)
        if match:
            months.append(dt.date(int(match[1]), int(match[2]), 1))
    return sorted(months)


def create_partition(month: dt.date, connection: Any = None) -> bool:
    """Create the partition of ``month`` if missing; True if it was created."""
    connection = connection or default_connection
    month = month_start(month)
    name = partition_name(month)
    upper = add_months(month, 1)
    sql = (
        f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF {TABLE} '
        f"FOR VALUES FROM ('{month.isoformat()} 00:00:00+00') TO ('{upper.isoformat()} 00:00:00+00')"
    )
    from psycopg import errors

    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is not None:
                return False
            cursor.execute(sql)
    except (errors.DuplicateTable, errors.UniqueViolation):  # created concurrently by another worker
        return False
    except Exception as exc:  # django wraps driver errors
        cause = getattr(exc, "__cause__", None)
        if isinstance(cause, (errors.DuplicateTable, errors.UniqueViolation)):
            return False
        raise
    log.info("created partition %s", name)
    return True


def ensure_partitions(
    *, months_back: int = 0, months_ahead: int = 3, around: dt.date | None = None, connection: Any = None
) -> list[str]:
    """Create the partitions from ``months_back`` before to ``months_ahead`` after the month of
    ``around`` (today); returns the names created. A no-op on SQLite."""
    connection = connection or default_connection
    if not is_partitioned(connection):
        return []
    from django.utils import timezone

    base = month_start(around or timezone.now().astimezone(dt.UTC).date())
    created = []
    for n in range(-months_back, months_ahead + 1):
        month = add_months(base, n)
        if create_partition(month, connection):
            created.append(partition_name(month))
    return created


def ensure_for_times(times: list[dt.datetime], connection: Any = None) -> list[str]:
    """On demand: the partitions of the months these fix times fall in (a no-op on SQLite)."""
    if not is_partitioned(connection):
        return []
    months = sorted({month_start(t.astimezone(dt.UTC)) for t in times})
    return [partition_name(m) for m in months if create_partition(m, connection)]


def drop_before(cutoff: dt.date, *, dry_run: bool = False, connection: Any = None) -> list[str]:
    """Retention: remove fixes taken before the month of ``cutoff``.

    PostgreSQL: drop every partition whose whole month lies before ``cutoff`` (instant, no bloat).
    SQLite: delete those rows in chunks. Returns the partitions dropped (or "N rows" on SQLite).
    """
    connection = connection or default_connection
    cutoff_month = month_start(cutoff)
    if is_partitioned(connection):
        doomed = [m for m in existing_partitions(connection) if add_months(m, 1) <= cutoff_month]
        names = [partition_name(m) for m in doomed]
        if not dry_run:
            with connection.cursor() as cursor:
                for name in names:
                    cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
                    log.info("dropped partition %s", name)
        return names
    boundary = dt.datetime(cutoff_month.year, cutoff_month.month, 1, tzinfo=dt.UTC)
    value = connection.ops.adapt_datetimefield_value(boundary)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE fix_time < %s", [value])
        total = cursor.fetchone()[0]
        if not dry_run:
            while True:
                cursor.execute(
                    f"DELETE FROM {TABLE} WHERE id IN (SELECT id FROM {TABLE} WHERE fix_time < %s LIMIT 20000)",
                    [value],
                )
                if cursor.rowcount == 0:
                    break
    return [f"{total} rows"] if total else []
