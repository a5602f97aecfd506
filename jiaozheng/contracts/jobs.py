"""Background jobs of the funds: importing a payments or expenditures file; attaching an archive of
voucher scans."""

from __future__ import annotations

from typing import Any

from jiaozheng.core.imports import run_import
from jiaozheng.core.jobs import JobProgress, register_job
from jiaozheng.core.models import Job


@register_job("contracts.import")
def import_funds(job: Job, progress: JobProgress) -> dict[str, Any]:
    with job.input_file.open("rb") as handle:
        content = handle.read()

    context: dict[str, Any] = {}
    if job.params.get("contract"):
        context["contract"] = job.params["contract"]
    result = run_import(
        actor=job.created_by,
        kind=job.params["kind"],
        name=job.params.get("filename", "upload.csv"),
        content=content,
        context=context,
        progress=progress.report,
    )
    return result.as_dict()


@register_job("contracts.vouchers_archive")
def attach_voucher_archive(job: Job, progress: JobProgress) -> dict[str, Any]:
    from django.core.exceptions import ValidationError

    from jiaozheng.contracts.models import Contract
    from jiaozheng.contracts.services import vouchers_attach_archive

    with job.input_file.open("rb") as handle:
        content = handle.read()

    contract = Contract.objects.get(pk=job.params["contract"])
    try:
        return vouchers_attach_archive(
            actor=job.created_by, contract=contract, content=content, progress=progress.report
        )
    except ValidationError as exc:  # the archive as a whole is refused: nothing attached
        return {"errors": [{"row": None, "column": None, "message": m} for m in exc.messages]}
