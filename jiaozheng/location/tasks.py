"""Huey periodic work of location supervision (thin wrappers: the work is in sweeps/services/partitions).

- every 5 minutes: the lost-contact sweep (失联, device offline, low battery; clears resumed reporting);
- daily 00:20: electronic-supervision figures of the day before (电子监管率 per county);
- daily 01:10: fix partitions for the next three months; devices of persons no longer in correction end;
- monthly (1st, 03:30): retention: partitions older than ``location.retention_months`` are dropped.

The plain ``run_*`` functions are what the tasks call; tests enqueue them on SqliteHuey and RedisHuey.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


def _as_system() -> Any:
    from jiaozheng.audit.context import acting_as
    from jiaozheng.orgs.services import system_user

    return acting_as(system_user(), "job")


def run_sweep() -> dict[str, int]:
    from jiaozheng.location.sweeps import sweep_lost_contact

    with _as_system():
        return sweep_lost_contact()


def run_coverage(day: str | None = None) -> int:
    from django.utils import timezone

    from jiaozheng.location.sweeps import coverage_snapshot

    target = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
    return coverage_snapshot(target)


def run_maintenance() -> dict[str, Any]:
    from jiaozheng.location.partitions import ensure_partitions
    from jiaozheng.location.services import devices_end_after_correction

    with _as_system():
        ended = devices_end_after_correction()
    return {"partitions_created": ensure_partitions(months_ahead=3), "devices_ended": ended}


def run_retention() -> list[str]:
    from django.utils import timezone

    from jiaozheng.core.rules import rule
    from jiaozheng.location.partitions import add_months, drop_before, month_start

    months = int(rule("location.retention_months"))
    cutoff = add_months(month_start(timezone.localdate()), -months)
    return drop_before(cutoff)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("location-lost-contact-sweep")
def lost_contact_sweep() -> dict[str, int]:
    return run_sweep()


@db_periodic_task(crontab(minute="20", hour="0"))
def coverage_daily() -> int:
    return run_coverage()


@db_periodic_task(crontab(minute="10", hour="1"))
def location_maintenance() -> dict[str, Any]:
    return run_maintenance()


@db_periodic_task(crontab(minute="30", hour="3", day="1"))
@lock_task("location-retention")
def location_retention() -> list[str]:
    return run_retention()
