"""Background jobs of education and community service: imports of past records."""

from __future__ import annotations

from typing import Any

from jiaozheng.core.imports import run_import
from jiaozheng.core.jobs import JobProgress, register_job
from jiaozheng.core.models import Job

ALLOWED_KINDS = {"education_sessions", "community_activities"}


def _run(job: Job, progress: JobProgress, kind: str) -> dict[str, Any]:
    with job.input_file.open("rb") as handle:
        content = handle.read()

    def report(done: int, total: int) -> None:
        if progress.job.total != total:
            progress.total(total)
        progress.step(done)

    result = run_import(
        actor=job.created_by,
        kind=kind,
        name=job.params.get("filename", "upload.csv"),
        content=content,
        progress=report,
    )
    return result.as_dict()


@register_job("education.import")
def import_sessions(job: Job, progress: JobProgress) -> dict[str, Any]:
    return _run(job, progress, "education_sessions")


@register_job("community.import")
def import_activities(job: Job, progress: JobProgress) -> dict[str, Any]:
    return _run(job, progress, "community_activities")
