"""Retention: how long each kind of record with personal data is kept, in one list (PIPL art. 19, 47).

Each module registers its kinds in its ``retention.py`` (``register_retention``): the rule that holds the
period (so a province or county may set it, ``jiaozheng rules``), what is removed and what stays, a count
of what is due now and the removal itself. ``jiaozheng retention`` lists them with what is due;
``jiaozheng retention --apply`` removes it; a daily task does the same at 03:40. Every removal is audited
by the function that does it (location fixes drop whole monthly partitions, captured frames are cleared
with their attempts kept, generated files of finished jobs are deleted with the job row kept).

The records themselves (a person's file, visits, sessions, assessments) are archives the bureau keeps; they
are not deleted here. A juvenile's records are sealed instead (people.sealing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiaozheng.core.rules import positive_int, register_rule, rule


@dataclass(frozen=True)
class RetentionPolicy:
    kind: str
    label: Any  # lazy text: what is removed
    keeps: Any  # lazy text: what stays
    rule: str  # the rule holding the period
    unit: str  # "days" or "months"
    due: Callable[[dt.datetime], int]  # how many would be removed at this moment
    apply: Callable[[dt.datetime], int]  # remove them, return how many


_POLICIES: dict[str, RetentionPolicy] = {}


def register_retention(policy: RetentionPolicy) -> RetentionPolicy:
    _POLICIES[policy.kind] = policy
    return policy


def retention_policies() -> list[RetentionPolicy]:
    from jiaozheng.core.registry import app_modules

    for _cfg, _module in app_modules("retention"):
        pass  # importing an app's retention.py registers its kinds
    return [_POLICIES[k] for k in sorted(_POLICIES)]


def retention_status(now: dt.datetime | None = None) -> list[dict[str, Any]]:
    now = now or timezone.now()
    return [{"policy": p, "period": rule(p.rule), "due": p.due(now)} for p in retention_policies()]


def retention_apply(now: dt.datetime | None = None, kinds: list[str] | None = None) -> dict[str, int]:
    """Remove what every (or the named) kind's period has passed; {kind: removed}."""
    now = now or timezone.now()
    return {p.kind: p.apply(now) for p in retention_policies() if not kinds or p.kind in kinds}


# --- the platform's own kind: files of finished background jobs ----------------------------------------------

register_rule(
    "core.job_file_retention_days",
    30,
    _("Days the files of a finished background job (generated reports, exports, error reports) are kept"),
    source="D: long enough to download again; the job's row and its audit stay",
    validate=positive_int,
)


def _finished_with_files(now: dt.datetime) -> Any:
    from jiaozheng.core.models import Job

    cutoff = now - dt.timedelta(days=int(rule("core.job_file_retention_days")))
    return Job.objects.filter(finished_at__lt=cutoff).exclude(result_file="", input_file="")


def _job_files_due(now: dt.datetime) -> int:
    return _finished_with_files(now).count()


def _job_files_apply(now: dt.datetime) -> int:
    from jiaozheng.core.registry import provider

    record_action = provider("audit.record_action")
    removed = 0
    for job in _finished_with_files(now).iterator(chunk_size=200):
        names = [f.name for f in (job.result_file, job.input_file) if f]
        for f in (job.result_file, job.input_file):
            if f:
                f.delete(save=False)
        job.save(update_fields=["result_file", "input_file"])
        record_action(job, "core.job_files_removed", {"files": len(names)})
        removed += 1
    return removed


register_retention(
    RetentionPolicy(
        kind="core.job_files",
        label=_("files of finished background jobs"),
        keeps=_("the job's row, status and result summary"),
        rule="core.job_file_retention_days",
        unit="days",
        due=_job_files_due,
        apply=_job_files_apply,
    )
)
