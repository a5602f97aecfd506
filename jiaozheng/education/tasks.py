"""Huey tasks of education (thin: they call services)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="5", minute="10"))
def refresh_rosters() -> None:
    """Every morning: put new entrants and transfers on the rosters of the coming two weeks' sessions."""
    from jiaozheng.audit.context import acting_as
    from jiaozheng.education.services import rosters_refresh_upcoming
    from jiaozheng.orgs.services import system_user

    with acting_as(system_user(), "job"):
        rosters_refresh_upcoming(days=14)
