"""Small builders for the education tests (through the services, as the UI does)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jiaozheng.education import services


def session_data(
    world: Any, *, days: int = -1, squadrons: list | None = None, **extra: Any
) -> dict[str, Any]:
    """Valid data for a centralised session ``days`` from today (negative: in the past)."""
    data = {
        "title": "学法守法",
        "category": "law",
        "mode": "centralised",
        "stage": "routine",
        "date": timezone.localdate() + dt.timedelta(days=days),
        "start_time": dt.time(9, 0),
        "end_time": dt.time(11, 0),
        "place": "卢峰中队教育室",
        "lecturer_name": "周婷",
        "lecturer_kind": "social_worker",
        "squadrons": squadrons if squadrons is not None else [world.squadron_a],
    }
    data.update(extra)
    return data


def make_session(world: Any, actor: Any = None, **kwargs: Any):
    return services.session_create(actor=actor or world.bureau_admin, data=session_data(world, **kwargs))


def held_session(world: Any, actor: Any = None, present: tuple = (), absent: tuple = (), **kwargs: Any):
    """A session held yesterday with the given persons marked present or absent."""
    actor = actor or world.bureau_admin
    session = make_session(world, actor, **kwargs)
    services.session_hold(actor=actor, session=session)
    for person in present:
        row = session.attendances.get(person=person)
        services.attendance_mark(actor=actor, attendance=row, status="present")
    for person in absent:
        row = session.attendances.get(person=person)
        services.attendance_mark(actor=actor, attendance=row, status="absent")
    return session


def remote_now(world: Any, actor: Any = None, minutes: int = 0, **kwargs: Any):
    """A remote session of squadron A running now (starting ``minutes`` from now, one hour long)."""
    now = timezone.localtime() + dt.timedelta(minutes=minutes)
    start = now.replace(second=0, microsecond=0)
    if minutes > 0:
        if start.hour == 23:  # a later session must stay later: start it just after midnight
            start = (start + dt.timedelta(days=1)).replace(hour=0, minute=0)
    elif start.hour == 23:  # running now and ending before midnight: the last hour of the day
        start = start.replace(hour=22, minute=59)
    end = (dt.datetime.combine(start.date(), start.time()) + dt.timedelta(hours=1)).time()
    data = session_data(
        world,
        days=0,
        mode="remote",
        online_link="https://live.example.cn/room/1",
        place="",
        date=start.date(),
        start_time=start.time(),
        end_time=end,
        hours=Decimal("1.5"),
    )
    data.update(kwargs)
    return services.session_create(actor=actor or world.bureau_admin, data=data)
