"""Retention in one list: every kind with its rule, what is due, and its removal."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from jiaozheng.core.models import Job
from jiaozheng.core.retention import retention_apply, retention_status

pytestmark = pytest.mark.django_db


def _finished_job(owner, days_ago: int) -> Job:
    job = Job(kind="test", title="导出", created_by=owner, status=Job.Status.SUCCEEDED)
    job.result_file.save("out.xlsx", ContentFile(b"PK data"), save=False)
    job.finished_at = timezone.now() - dt.timedelta(days=days_ago)
    job.save()
    return job


def test_every_kind_is_listed_with_its_rule_and_what_is_due(world):
    old = _finished_job(world.bureau_officer, 40)
    recent = _finished_job(world.bureau_officer, 3)
    status = {row["policy"].kind: row for row in retention_status()}
    assert {"core.job_files", "location.fixes", "checkins.frames"} <= set(status)
    assert status["core.job_files"]["period"] == 30 and status["core.job_files"]["due"] == 1
    # when retention is applied, the old job's file goes, its row stays; the recent job is untouched
    path = old.result_file.path
    removed = retention_apply()
    assert removed["core.job_files"] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.result_file and old.status == Job.Status.SUCCEEDED
    assert recent.result_file
    import os

    assert not os.path.exists(path)
    assert {row["policy"].kind: row["due"] for row in retention_status()}["core.job_files"] == 0


def test_the_command_lists_applies_and_refuses_an_unknown_kind(world):
    _finished_job(world.bureau_officer, 60)
    out = io.StringIO()
    call_command("retention", stdout=out)
    lines = out.getvalue().splitlines()
    assert any(line.startswith("core.job_files\t30 days") and "due: 1" in line for line in lines)
    out = io.StringIO()
    call_command("retention", "--apply", "--kind", "core.job_files", stdout=out)
    assert "removed\tcore.job_files\t1" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("retention", "--kind", "nothing.such")
