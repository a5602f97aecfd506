"""Huey entry points of the platform: thin wrappers that call services.

The job runner's task lives with the jobs (``jiaozheng.core.jobs.run_job``); it is named here so the
consumer's discovery of ``tasks`` modules registers it.
"""

from jiaozheng.core.jobs import run_job

__all__ = ["run_job"]
