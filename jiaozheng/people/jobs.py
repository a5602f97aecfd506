"""Background jobs of the caseload: the import of a caseload file."""

from __future__ import annotations

from typing import Any

from jiaozheng.core.imports import run_import
from jiaozheng.core.jobs import JobProgress, register_job
from jiaozheng.core.models import Job


@register_job("people.import")
def import_persons(job: Job, progress: JobProgress) -> dict[str, Any]:
    with job.input_file.open("rb") as handle:
        content = handle.read()

    result = run_import(
        actor=job.created_by,
        kind="persons",
        name=job.params.get("filename", "upload.csv"),
        content=content,
        progress=progress.report,
    )
    return result.as_dict()
