"""Background jobs of the set-up: a county's units, providers, staff or contract-years from a workbook."""

from __future__ import annotations

from typing import Any

from jiaozheng.core.imports import run_import
from jiaozheng.core.jobs import JobProgress, register_job
from jiaozheng.core.models import Job

# The import kinds of 系统设置, in the order they depend on each other (``jiaozheng import --list``).
# ``contracts`` is registered by the indicators app; it is looked up by name in the import registry.
SETUP_KINDS = ("org_units", "providers", "staff", "contracts")


@register_job("orgs.setup_import")
def import_setup(job: Job, progress: JobProgress) -> dict[str, Any]:
    kind = job.params["kind"]
    if kind not in SETUP_KINDS:
        raise ValueError(f"not a set-up import kind: {kind}")
    with job.input_file.open("rb") as handle:
        content = handle.read()

    result = run_import(
        actor=job.created_by,
        kind=kind,
        name=job.params.get("filename", "upload.xlsx"),
        content=content,
        progress=progress.report,
    )
    return result.as_dict()
