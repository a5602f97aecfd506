"""Access-matrix factories and API bodies of location supervision, and helpers for this app's tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from jiaozheng.core.testing.matrix import api_body, object_factory
from jiaozheng.location import tiles_testing  # noqa: F401  (registers the tile route's matrix setup)
from jiaozheng.location.choices import AlertSeverity, AlertType, DevicePlatform
from jiaozheng.location.models import Alert, Device, TravelPermit


def times_today(count: int, spacing: dt.timedelta = dt.timedelta(minutes=5)) -> list[dt.datetime]:
    """``count`` instants, oldest first, ending a minute ago and all within today's local date (a track
    "of today" must not start yesterday when a test runs just after midnight): the spacing shrinks as needed."""
    now = timezone.now()
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    end = max(now - dt.timedelta(minutes=1), midnight + (now - midnight) / 2)
    spacing = min(spacing, (end - midnight) / (count + 1))
    return [end - spacing * (count - 1 - i) for i in range(count)]


@object_factory("location.Alert")
def make_alert(world: Any, where: str) -> Alert:
    person = world.person(where)
    now = timezone.now()
    return Alert.objects.create(
        person=person,
        county_id=person.county_id,
        alert_type=AlertType.LOST_CONTACT,
        severity=AlertSeverity.HIGH,
        title="test",
        evidence={},
        occurred_at=now,
        last_event_at=now,
    )


@object_factory("location.Device")
def make_device(world: Any, where: str) -> Device:
    person = world.person(where)
    return Device.objects.create(
        person=person,
        county_id=person.county_id,
        platform=DevicePlatform.TRACCAR_CLIENT,
        token_hash=f"{where}-{person.pk}-{timezone.now().timestamp()}".ljust(64, "0")[:64],
        token_hint="test",
    )


@object_factory("location.TravelPermit")
def make_permit(world: Any, where: str) -> TravelPermit:
    person = world.person(where)
    today = timezone.localdate()
    return TravelPermit.objects.create(
        person=person,
        county_id=person.county_id,
        destination="长沙市芙蓉区",
        destination_code="430102",
        start_on=today,
        end_on=today + dt.timedelta(days=3),
        reason="探亲",
    )


@api_body("location_acknowledge_alert")
def acknowledge_body(world: Any, obj: Any) -> dict:
    return {"note": "已电话联系"}


@api_body("location_escalate_alert")
def escalate_body(world: Any, obj: Any) -> dict:
    return {"note": "电话关机，需要上报"}


@api_body("location_resolve_alert")
def resolve_body(world: Any, obj: Any) -> dict:
    return {"outcome": "explained", "note": "手机没电，已核实"}


@api_body("location_enrol_device")
def enrol_body(world: Any, obj: Any) -> dict:
    return {"platform": "traccar_client", "label": "红米 Note 12"}


@api_body("location_end_device")
def end_body(world: Any, obj: Any) -> dict:
    return {"reason": "手机丢失"}


@api_body("location_create_permit")
def permit_body(world: Any, obj: Any) -> dict:
    today = timezone.localdate()
    return {
        "destination": "长沙市芙蓉区",
        "destination_code": "430102",
        "start_on": today.isoformat(),
        "end_on": (today + dt.timedelta(days=2)).isoformat(),
        "reason": "探亲",
    }


@api_body("location_cancel_permit")
def cancel_permit_body(world: Any, obj: Any) -> dict:
    return {"reason": "行程取消"}


# --- helpers for tests -------------------------------------------------------------------------------


def enrol(world: Any, person: Any, actor: Any = None) -> tuple[Device, str]:
    from jiaozheng.location.services import device_enrol

    return device_enrol(
        actor=actor or world.bureau_officer,
        person=person,
        platform=DevicePlatform.TRACCAR_CLIENT,
        label="test",
    )


@object_factory("people.ProhibitionOrder")
def make_prohibition(world: Any, where: str) -> Any:
    """An area prohibition with a circular zone (for the location schedule page)."""
    from jiaozheng.people.models import ProhibitionOrder

    today = timezone.localdate()
    return ProhibitionOrder.objects.create(
        person=world.person(where),
        kind="area",
        content="禁止进入娱乐场所",
        start_on=today,
        end_on=today + dt.timedelta(days=90),
        zone={"type": "Circle", "center": [110.6, 27.9], "radius_m": 300},
    )
