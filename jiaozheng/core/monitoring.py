"""Figures for monitoring (/metrics): the platform's health in numbers, no personal data.

Each app may add gauges by defining ``metrics()`` in its ``monitoring.py`` returning
``[(name, help, value), ...]``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone


def collect() -> list[tuple[str, str, Any]]:
    from jiaozheng.core.models import Job, Notification
    from jiaozheng.core.registry import app_modules

    since = timezone.now() - dt.timedelta(hours=1)
    rows: list[tuple[str, str, Any]] = [
        ("jz_jobs_queued", "Background jobs waiting", Job.objects.filter(status=Job.Status.QUEUED).count()),
        (
            "jz_jobs_failed_last_hour",
            "Background jobs failed in the last hour",
            Job.objects.filter(status=Job.Status.FAILED, finished_at__gte=since).count(),
        ),
        (
            "jz_notifications_unread",
            "Unread in-app notifications",
            Notification.objects.filter(read_at__isnull=True).count(),
        ),
    ]
    try:
        from huey.contrib.djhuey import HUEY

        rows.append(("jz_queue_pending", "Tasks waiting in the Huey queue", HUEY.pending_count()))
    except Exception:  # the queue being down is itself a signal: report -1
        rows.append(("jz_queue_pending", "Tasks waiting in the Huey queue (-1: unreachable)", -1))
    for cfg, module in app_modules("monitoring"):
        if cfg.label == "core":
            continue
        rows.extend(module.metrics())
    return rows
