"""Huey entry points of the platform: thin wrappers that call services."""

from huey.contrib.djhuey import db_task


@db_task()
def run_job(job_id: int) -> None:
    from jiaozheng.core.jobs import job_run

    job_run(job_id)
