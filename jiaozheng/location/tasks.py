"""Huey periodic work of location supervision (thin wrappers: the work is in sweeps/services/partitions).

- every 5 minutes: the lost-contact sweep (失联, device offline, low battery; clears resumed reporting);
- daily 00:20: electronic-supervision figures of the day before (电子监管率 per county);
- daily 01:10: fix partitions for the next three months; devices of persons no longer in correction end;
- every 5 minutes, only in counties whose rule ``location.simulated_phones`` is set (the demo loader sets
  it): the demo's phones keep reporting on a realistic schedule (``demo.live_tick``);
- daily 07:30: the morning digest, one message per staff member with alerts in scope;
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


def run_digest() -> int:
    """The morning digest: one in-app message per staff member whose scope had alerts (see
    ``selectors.digest``); returns the number of messages sent."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    from jiaozheng.core.models import Notification
    from jiaozheng.core.notify import notify
    from jiaozheng.location.selectors import digest
    from jiaozheng.location.services import ALERT_ROLES, ESCALATION_ROLES
    from jiaozheng.orgs.models import User

    sent = 0
    link = reverse("location:digest")
    with translation.override(settings.LANGUAGE_CODE):
        for user in User.objects.filter(is_active=True, role__in=list(ALERT_ROLES) + list(ESCALATION_ROLES)):
            summary = digest(actor=user)
            if not summary["raised"] and not summary["open"]:
                continue
            notify(
                [user],
                title=translation.gettext(
                    "Morning digest: %(raised)s alerts in 24 h, %(open)s open (%(urgent)s urgent)"
                )
                % {"raised": summary["raised"], "open": summary["open"], "urgent": summary["urgent_open"]},
                body=translation.gettext("%(closed)s closed by themselves; %(new)s not yet taken up.")
                % {"closed": summary["closed_by_themselves"], "new": summary["new_open"]},
                link=link,
                level=Notification.Level.URGENT if summary["urgent_open"] else Notification.Level.INFO,
                kind="location.digest",
            )
            sent += 1
    return sent


def run_simulated_phones() -> int:
    """Counties whose rule ``location.simulated_phones`` is on (a demonstration): advance their
    simulated phones to now. The demo module is imported only there; the engine never needs it."""
    from jiaozheng.core.models import RuleValue

    counties = [
        (unit_id, value)
        for unit_id, value in RuleValue.objects.filter(key="location.simulated_phones").values_list(
            "unit_id", "value"
        )
        if value
    ]
    if not counties:
        return 0
    from jiaozheng.location import demo

    made = 0
    with _as_system():
        for unit_id, value in counties:
            made += demo.live_tick(unit_id, value)
    return made


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


@db_periodic_task(crontab(minute="*/5"))
@lock_task("location-simulated-phones")
def simulated_phones() -> int:
    return run_simulated_phones()


@db_periodic_task(crontab(minute="30", hour="7"))
def morning_digest() -> int:
    return run_digest()


@db_periodic_task(crontab(minute="30", hour="3", day="1"))
@lock_task("location-retention")
def location_retention() -> list[str]:
    return run_retention()
