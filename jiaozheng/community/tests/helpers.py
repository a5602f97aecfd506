"""Builders for the community-service tests (through the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from jiaozheng.community import services


def activity_data(
    world: Any, *, day: dt.date | None = None, squadrons: list | None = None, **extra: Any
) -> dict:
    data = {
        "theme": "环境卫生清扫",
        "kind": "cleaning",
        "place": "县城步行街",
        "date": day or timezone.localdate() - dt.timedelta(days=1),
        "start_time": dt.time(8, 0),
        "end_time": dt.time(11, 0),
        "organiser_name": "周婷",
        "squadrons": squadrons if squadrons is not None else [world.squadron_a],
    }
    data.update(extra)
    return data


def held_activity(
    world: Any, *, day: dt.date | None = None, persons: tuple = (), actor: Any = None, **extra: Any
):
    actor = actor or world.bureau_admin
    activity = services.activity_create(actor=actor, data=activity_data(world, day=day, **extra))
    services.activity_hold(actor=actor, activity=activity)
    if persons:
        services.participants_add_persons(actor=actor, activity=activity, persons=persons)
    return activity
