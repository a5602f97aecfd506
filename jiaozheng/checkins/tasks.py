"""Huey periodic tasks of face check-in: thin wrappers that call services as the system user.

Every five minutes: issue the scheduled and random check-ins that are due, then close the overdue ones
(missed / failed, raising their alerts). Daily at 03:20: delete captured frames past their retention.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


def _as_system(func, *args, **kwargs):
    from jiaozheng.audit.context import acting_as
    from jiaozheng.orgs.services import system_user

    with acting_as(system_user(), "job"):
        return func(*args, **kwargs)


def checkins_tick() -> dict:
    """One pass: issue what is due, then close what is overdue (callable directly in tests)."""
    from jiaozheng.checkins.services import requests_expire_overdue, requests_issue_due

    issued = _as_system(requests_issue_due)
    expired = _as_system(requests_expire_overdue)
    return {"issued": issued.created, "missed": expired.missed, "failed": expired.failed}


@db_periodic_task(crontab(minute="*/5"), name="checkins.tick")
def checkins_tick_task() -> dict:
    return checkins_tick()


@db_periodic_task(crontab(hour="3", minute="20"), name="checkins.purge_frames")
def purge_frames_task() -> int:
    from jiaozheng.checkins.services import frames_purge_expired

    return _as_system(frames_purge_expired)
