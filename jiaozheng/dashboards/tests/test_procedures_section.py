"""Late supervision steps on the home pages of the roles that act on them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _late_sanction(world):
    from jiaozheng.supervision.models import SanctionCase

    today = timezone.localdate()
    return SanctionCase.objects.create(
        person=world.person_a,
        kind="admonition",
        ground="minor_breach",
        facts="未按规定报告",
        occurred_on=today - dt.timedelta(days=20),
        proposed_on=today - dt.timedelta(days=19),
        decision_due_on=today - dt.timedelta(days=3),
    )


def _home(user) -> str:
    client = Client()
    client.force_login(user)
    return client.get("/").content.decode()


def test_late_step_on_the_deciding_roles_home_pages(world):
    assert "考核奖惩决定或裁定逾期" not in _home(world.bureau_officer)  # nothing late: no section
    _late_sanction(world)
    for user in (world.bureau_officer, world.squadron_officer):
        body = _home(user)
        assert "逾期环节" in body and "考核奖惩决定或裁定逾期" in body, user
    # the social worker decides nothing, and another county does not see county X's steps
    assert "考核奖惩决定或裁定逾期" not in _home(world.social_worker)
    assert "考核奖惩决定或裁定逾期" not in _home(world.users["bureau_officer_y"])


def test_late_steps_counts(world):
    from jiaozheng.supervision.selectors import late_steps

    _late_sanction(world)
    counts = {row["kind"]: row["count"] for row in late_steps(actor=world.bureau_officer)}
    assert counts["sanctions"] == 1
    assert {row["kind"]: row["count"] for row in late_steps(actor=world.users["bureau_officer_y"])}[
        "sanctions"
    ] == 0
