"""Background jobs of the funds: importing a payments or expenditures file."""

from __future__ import annotations

from typing import Any

from jiaozheng.core.imports import run_import
from jiaozheng.core.jobs import JobProgress, register_job
from jiaozheng.core.models import Job


@register_job("contracts.import")
def import_funds(job: Job, progress: JobProgress) -> dict[str, Any]:
    with job.input_file.open("rb") as handle:
        content = handle.read()

    def report(done: int, total: int) -> None:
        if progress.job.total != total:
            progress.total(total)
        progress.step(done)

    context: dict[str, Any] = {}
    if job.params.get("contract"):
        context["contract"] = job.params["contract"]
    result = run_import(
        actor=job.created_by,
        kind=job.params["kind"],
        name=job.params.get("filename", "upload.csv"),
        content=content,
        context=context,
        progress=report,
    )
    return result.as_dict()
