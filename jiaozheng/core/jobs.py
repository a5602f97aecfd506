"""Long-running work (imports, report generation) as Job rows run by the Huey worker.

A module registers a handler for a job kind; ``job_start`` creates the row and enqueues it after commit;
the handler reports progress through ``JobProgress`` and may attach a result file. The page
``/jobs/<id>/`` shows a progress bar (polled with htmx) and, when done, the download link or the errors.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import db_task

from jiaozheng.core.context import acting_as
from jiaozheng.core.models import Job

log = logging.getLogger(__name__)

JobHandler = Callable[[Job, "JobProgress"], dict[str, Any] | None]
_HANDLERS: dict[str, JobHandler] = {}


def register_job(kind: str) -> Callable[[JobHandler], JobHandler]:
    def decorator(func: JobHandler) -> JobHandler:
        _HANDLERS[kind] = func
        return func

    return decorator


class JobProgress:
    """Progress reporting that writes at most every ``every`` steps (cheap for 5,000-row files)."""

    def __init__(self, job: Job, every: int = 100):
        self.job = job
        self.every = every

    def total(self, total: int) -> None:
        self.job.total = total
        Job.objects.filter(pk=self.job.pk).update(total=total)

    def report(self, done: int, total: int) -> None:
        """The ``progress(done, total)`` callback of ``run_import`` and the other long loops."""
        if self.job.total != total:
            self.total(total)
        self.step(done)

    def step(self, done: int, message: str = "") -> None:
        if done % self.every and done != self.job.total:
            return
        self.job.progress = done
        fields: dict[str, Any] = {"progress": done}
        if message:
            fields["message"] = message[:500]
        Job.objects.filter(pk=self.job.pk).update(**fields)

    def attach(self, filename: str, content: bytes) -> None:
        self.job.result_file.save(filename, ContentFile(content), save=False)
        Job.objects.filter(pk=self.job.pk).update(result_file=self.job.result_file.name)


def _discover() -> None:
    from jiaozheng.core.registry import app_modules

    for _cfg, _module in app_modules("jobs"):
        pass  # importing an app's jobs.py registers its handlers


def job_start(
    *,
    actor: Any,
    kind: str,
    title: str,
    params: dict | None = None,
    county: Any = None,
    input_name: str = "",
    input_bytes: bytes | None = None,
) -> Job:
    _discover()
    if kind not in _HANDLERS:
        raise KeyError(f"no handler for job kind {kind!r}")
    job = Job(
        kind=kind,
        title=title[:200],
        created_by=actor if getattr(actor, "pk", None) else None,
        params=params or {},
        county=county,
    )
    if input_bytes is not None:
        job.input_file.save(input_name or "input", ContentFile(input_bytes), save=False)
    job.save()
    transaction.on_commit(lambda: run_job(job.pk))
    return job


def job_run(job_id: int) -> Job:
    """Run one job to the end (called by the Huey task, or directly in tests)."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        return job  # another worker has it, or it already ran
    _discover()
    handler = _HANDLERS[job.kind]
    try:
        with acting_as(job.created_by, "job", request_id=f"job-{job.pk}"):
            result = handler(job, JobProgress(job)) or {}
        job.refresh_from_db()
        job.status = Job.Status.SUCCEEDED if not result.get("errors") else Job.Status.FAILED
        job.result = result
        job.message = str(result.get("message", ""))[:500]
    except Exception as exc:  # the job records its failure; the worker survives
        log.exception("job %s failed", job_id)
        job.refresh_from_db()
        job.status = Job.Status.FAILED
        job.message = str(exc)[:500]
        job.result = {
            "errors": [{"row": None, "column": None, "message": str(exc)}],
            "traceback": traceback.format_exc()[-2000:],
        }
    job.finished_at = timezone.now()
    if job.input_file:
        # The uploaded file (often full ID numbers) is not kept once the job has read it: the job's result
        # holds the row-by-row error report, which names rows and columns, not the file's content.
        job.input_file.delete(save=False)
    job.save()
    return job


@db_task()
def run_job(job_id: int) -> None:
    """The Huey task that runs a job; it lives with the jobs (``core/tasks.py`` re-exports it)."""
    job_run(job_id)


@register_job("core.import")
def import_kind(job: Job, progress: JobProgress) -> dict:
    """Any registered import kind (the shared import page, ``jiaozheng.core.import_pages``)."""
    from jiaozheng.core.imports import run_import

    with job.input_file.open("rb") as handle:
        content = handle.read()

    result = run_import(
        actor=job.created_by,
        kind=job.params["kind"],
        name=job.params.get("filename", "upload.csv"),
        content=content,
        progress=progress.report,
    )
    return result.as_dict()
