"""Retention of location fixes: whole calendar months older than ``location.retention_months``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiaozheng.core.retention import RetentionPolicy, register_retention
from jiaozheng.core.rules import rule


def _cutoff(now: dt.datetime) -> dt.date:
    from jiaozheng.location.partitions import add_months, month_start

    return add_months(month_start(timezone.localtime(now).date()), -int(rule("location.retention_months")))


def _count(now: dt.datetime) -> int:
    from django.db import connection

    from jiaozheng.location.partitions import TABLE

    boundary = dt.datetime.combine(_cutoff(now), dt.time.min, tzinfo=dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {TABLE} WHERE fix_time < %s",  # noqa: S608 (a constant table name)
            [connection.ops.adapt_datetimefield_value(boundary)],
        )
        return int(cursor.fetchone()[0])


def _apply(now: dt.datetime) -> int:
    from jiaozheng.location.partitions import drop_before

    due = _count(now)
    drop_before(_cutoff(now))
    return due


register_retention(
    RetentionPolicy(
        kind="location.fixes",
        label=_("location fixes"),
        keeps=_("alerts, their evidence and the daily coverage figures"),
        rule="location.retention_months",
        unit="months",
        due=_count,
        apply=_apply,
    )
)
