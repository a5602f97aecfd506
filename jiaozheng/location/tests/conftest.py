"""Fixtures of the location tests: an enrolled phone and helpers to post fixes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jiaozheng.location import auth, fences


@pytest.fixture(autouse=True)
def _fresh_caches():
    fences.forget()
    auth.forget_device()
    yield
    fences.forget()
    auth.forget_device()


@pytest.fixture
def phone(world):
    """(device, token) enrolled for person_a in squadron A of county X (溆浦县)."""
    from jiaozheng.location.testing import enrol

    return enrol(world, world.person_a)


def fix(lat: float, lon: float, *, minutes_ago: float = 0, cid: str | None = None, **extra: Any) -> dict:
    t = timezone.now() - dt.timedelta(minutes=minutes_ago)
    out = {
        "id": cid or f"c{t.timestamp():.3f}-{lat:.5f}-{lon:.5f}",
        "time": t.isoformat(),
        "lat": lat,
        "lon": lon,
    }
    out.setdefault("accuracy", 10.0)
    out.setdefault("source", "gps")
    out.update(extra)
    return out


def post(token: str, fixes: list[dict], **envelope: Any):
    body = {"fixes": fixes, **envelope}
    return Client().post(
        "/api/v1/location/fixes",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


# Places in and around 溆浦县 (WGS-84).
COUNTY_SEAT = (27.908, 110.595)  # 卢峰镇, deep inside
HECHENG = (27.55, 109.998)  # 鹤城区, another county ~60 km away
