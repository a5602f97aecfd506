"""Huey entry points of the visits module: thin wrappers around services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="7", minute="10"))
def warn_overdue_visits() -> int:
    """Every morning: warn the responsible staff of visits whose window ended unmet (once per window)."""
    from jiaozheng.audit.context import acting_as
    from jiaozheng.orgs.services import system_user
    from jiaozheng.visits.services import overdue_warn

    with acting_as(system_user(), "job"):
        return overdue_warn()
