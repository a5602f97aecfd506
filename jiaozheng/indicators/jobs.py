"""Background jobs: generating a report file (annual self-evaluation report, monthly plan or summary)."""

from __future__ import annotations

from typing import Any

from jiaozheng.core.jobs import JobProgress, register_job
from jiaozheng.core.models import Job


@register_job("indicators.report")
def generate_report(job: Job, progress: JobProgress) -> dict[str, Any]:
    from jiaozheng.contracts.models import Contract
    from jiaozheng.core.roles import Domain
    from jiaozheng.core.scoping import get_scoped_or_404
    from jiaozheng.indicators.generate import generate

    progress.every = 1
    progress.total(3)
    contract = get_scoped_or_404(
        Contract, job.created_by, domain=Domain.PERFORMANCE, pk=job.params["contract"]
    )
    progress.step(1, "正在计算指标")
    run = generate(
        actor=job.created_by,
        contract=contract,
        year=int(job.params["year"]),
        kind=job.params["kind"],
        fmt=job.params["format"],
        month=int(job.params.get("month") or 0),
        on_built=lambda: progress.step(2, "正在排版文件"),
    )
    with run.file.open("rb") as handle:
        progress.attach(run.file.name.rsplit("/", 1)[-1], handle.read())
    progress.step(3, "已生成")
    return {"message": f"已生成：{run.file.name.rsplit('/', 1)[-1]}", "run": run.pk}
