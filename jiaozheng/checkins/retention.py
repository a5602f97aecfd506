"""Retention of captured check-in frames (``checkins.frame_retention_days``, per county)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from jiaozheng.core.retention import RetentionPolicy, register_retention


def _due(now: dt.datetime) -> int:
    from jiaozheng.checkins.models import CheckinAttempt
    from jiaozheng.core.rules import rule
    from jiaozheng.orgs.models import OrgUnit

    total = 0
    for county_id in OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY).values_list("pk", flat=True):
        cutoff = now - dt.timedelta(days=int(rule("checkins.frame_retention_days", county_id)))
        total += CheckinAttempt.objects.filter(
            request__person__county_id=county_id,
            submitted_at__lt=cutoff,
            frames_purged_at__isnull=True,
            frames__isnull=False,
        ).count()
    return total


def _apply(now: dt.datetime) -> int:
    from jiaozheng.checkins.services import frames_purge_expired

    return frames_purge_expired(now)


register_retention(
    RetentionPolicy(
        kind="checkins.frames",
        label=_("captured check-in frames (face images)"),
        keeps=_("the check-in's result, liveness score and face distance"),
        rule="checkins.frame_retention_days",
        unit="days",
        due=_due,
        apply=_apply,
    )
)
