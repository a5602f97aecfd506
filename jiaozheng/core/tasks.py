"""Huey entry points of the platform: thin wrappers that call services.

The job runner's task lives with the jobs (``jiaozheng.core.jobs.run_job``); it is named here so the
consumer's discovery of ``tasks`` modules registers it.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jiaozheng.core.jobs import run_job

__all__ = ["job_files_retention_task", "run_job"]


@db_periodic_task(crontab(hour="3", minute="40"), name="core.job_files_retention")
def job_files_retention_task() -> dict[str, int]:
    """Daily: delete the files of background jobs finished longer ago than ``core.job_file_retention_days``
    (location fixes and check-in frames have their own schedules in their apps)."""
    from jiaozheng.core.context import acting_as
    from jiaozheng.core.registry import provider
    from jiaozheng.core.retention import retention_apply

    with acting_as(provider("orgs.system_user")(), "job"):
        return retention_apply(kinds=["core.job_files"])
