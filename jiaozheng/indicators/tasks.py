"""Huey tasks of the indicators (thin: they call a service)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(day="1,16", hour="8", minute="30"), name="indicators.progress_notify")
def progress_reminders() -> None:
    """On the 1st and the 16th: tell squadrons and managers which indicators are behind and what to schedule."""
    from jiaozheng.audit.context import acting_as
    from jiaozheng.indicators.notices import progress_notify
    from jiaozheng.orgs.services import system_user

    with acting_as(system_user(), "job"):
        progress_notify()
