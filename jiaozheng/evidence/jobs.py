"""Background job: the evidence pack of a contract-year (Huey; progress per indicator)."""

from __future__ import annotations

from typing import Any

from jiaozheng.core.jobs import JobProgress, register_job
from jiaozheng.core.models import Job


@register_job("evidence.pack")
def generate_pack(job: Job, progress: JobProgress) -> dict[str, Any]:
    from jiaozheng.contracts.models import Contract
    from jiaozheng.core.roles import Domain
    from jiaozheng.core.scoping import get_scoped_or_404
    from jiaozheng.evidence.services import pack_generate

    progress.every = 1
    contract = get_scoped_or_404(
        Contract, job.created_by, domain=Domain.PERFORMANCE, pk=job.params["contract"]
    )

    def on_indicator(n: int, total: int, name: str) -> None:
        if n == 1:
            progress.total(total + 1)
        progress.step(n, f"正在汇集：{name}")

    pack = pack_generate(
        actor=job.created_by, contract=contract, year=int(job.params["year"]), on_indicator=on_indicator
    )
    Job.objects.filter(pk=job.pk).update(result_file=pack.file.name)
    progress.step(progress.job.total or 1, "已生成")
    return {"message": f"已生成：{pack.file.name.rsplit('/', 1)[-1]}", "pack": pack.pk}
