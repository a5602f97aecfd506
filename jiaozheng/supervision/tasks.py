"""Periodic supervision work (thin: call a service as the system actor)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="7", minute="10"), name="supervision.report_overdue")
def report_overdue() -> int:
    from jiaozheng.audit.context import acting_as
    from jiaozheng.orgs.services import system_user
    from jiaozheng.supervision.services import report_overdue_sweep

    actor = system_user()
    with acting_as(actor, "job"):
        return len(report_overdue_sweep(actor=actor))
