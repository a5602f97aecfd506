"""The due-visit widget names the period an overdue count belongs to (the missed window, not the current)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jiaozheng.core.testing.world import person_data
from jiaozheng.dashboards.sections import visits
from jiaozheng.people.services import person_create

pytestmark = pytest.mark.django_db


def test_an_overdue_row_names_the_missed_window(world, client):
    today = timezone.localdate()
    # a strict-class person since long ago: a focus visit was due every month and none was made
    person_create(
        actor=world.bureau_admin,
        data=person_data(squadron=world.squadron("A"), intake_days_ago=400, supervision_class="strict"),
    )
    rows = [r for r in visits(world.bureau_admin)["rows"] if r["status"] == "overdue"]
    assert rows
    row = rows[0]
    assert row["missed_from"] <= row["missed_to"] < today
    assert row["overdue_days"] == (today - row["missed_to"]).days
    assert row["due_by"] is None or row["due_by"] > row["missed_to"]

    client.force_login(world.bureau_admin)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"未走访：{row['missed_from']:%Y-%m-%d} 至 {row['missed_to']:%Y-%m-%d}" in page
    assert f"自 {row['missed_to']:%Y-%m-%d} 起逾期 {row['overdue_days']} 天" in page
