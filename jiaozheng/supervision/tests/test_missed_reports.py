"""未按时报到: a follow-up and a notification once the report deadline has passed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiaozheng.core.models import Notification
from jiaozheng.people.choices import Status
from jiaozheng.people.services import person_report
from jiaozheng.supervision import selectors, services
from jiaozheng.supervision.models import ReportFollowUp


def _pending(person, judged_days_ago):
    today = timezone.localdate()
    person.status = Status.PENDING
    person.intake_on = None
    person.judgment_effective_on = today - dt.timedelta(days=judged_days_ago)
    person.term_start = person.judgment_effective_on
    person.save()
    return person


def test_overdue_person_raises_one_followup_and_a_notice(world):
    # given one person judged 12 days ago who has not reported, and one judged 3 days ago
    late = _pending(world.person_a, 12)
    _pending(world.person_b, 3)
    # when the sweep runs twice
    raised = services.report_overdue_sweep(actor=world.bureau_admin)
    again = services.report_overdue_sweep(actor=world.bureau_admin)
    # then one follow-up for the late one (deadline 10 days after the judgment), raised once
    assert [t.person for t in raised] == [late] and again == []
    assert raised[0].deadline == late.judgment_effective_on + dt.timedelta(days=10)
    assert Notification.objects.filter(kind="supervision.report_overdue").exists()
    assert late.name not in [t.person.name for t in selectors.followup_list(actor=world.social_worker_b)]


def test_report_closes_the_followup_and_manual_close_needs_a_note(world):
    late = _pending(world.person_a, 12)
    (task,) = services.report_overdue_sweep(actor=world.bureau_admin)
    with pytest.raises(ValidationError):
        services.report_followup_close(actor=world.squadron_officer, followup=task, note="")
    person_report(actor=world.squadron_officer, person=late, reported_on=timezone.localdate())
    services.report_overdue_sweep(actor=world.bureau_admin)
    task.refresh_from_db()
    assert task.closed_on == timezone.localdate()
    with pytest.raises(ValidationError, match="closed"):
        services.report_followup_close(actor=world.squadron_officer, followup=task, note="已找到")


def test_page_lists_and_closes(world, login):
    _pending(world.person_a, 12)
    (task,) = services.report_overdue_sweep(actor=world.bureau_admin)
    client = login(world.squadron_officer)
    assert world.person_a.name in client.get("/supervision/missed-reports/").content.decode()
    client.post(f"/supervision/missed-reports/{task.pk}/close/", {"note": "电话联系，已到司法所报到"})
    assert ReportFollowUp.objects.get(pk=task.pk).closed_on is not None
