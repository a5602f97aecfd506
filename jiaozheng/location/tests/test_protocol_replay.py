"""Replay of every request form of the protocol table (docs/location.md), twice: each answers 200 or a
documented code, nothing is stored twice, nothing is lost; a fix 90 days old and a report from an ended
device are acknowledged (200) and recorded as refused for staff, never a 400 the app would retry forever."""

from __future__ import annotations

import datetime as dt
import json

from django.test import Client
from django.utils import timezone

from jiaozheng.location import services
from jiaozheng.location.models import Device, Fix, LatestPosition
from jiaozheng.location.testing import enrol
from jiaozheng.location.tests.conftest import COUNTY_SEAT

OSMAND = "/api/v1/location/osmand"
BATCH = "/api/v1/location/fixes"


def _forms(token: str, base: dt.datetime) -> list[tuple[str, int, int, dict]]:
    """(name, fixes it carries that must be stored, expected status, request) for every form."""
    lat, lon = COUNTY_SEAT
    t = [base + dt.timedelta(minutes=i) for i in range(12)]
    local = timezone.localtime(t[5]).strftime("%Y-%m-%d %H:%M:%S")
    jz = {
        "sent_at": timezone.now().isoformat(),
        "device": {"battery": 0.6, "charging": False},
        "fixes": [
            {"id": "b1", "time": t[0].isoformat(), "lat": lat, "lon": lon, "accuracy": 8, "source": "gps"},
            {"id": "b2", "time": int(t[1].timestamp() * 1000), "lat": lat, "lon": lon + 0.001},
        ],
    }
    traccar_one = {
        "device_id": token,
        "location": {
            "timestamp": t[6].isoformat(),
            "uuid": "u-6",
            "coords": {"latitude": lat, "longitude": lon, "accuracy": 7, "speed": 1.2},
            "battery": {"level": 0.5, "is_charging": False},
            "is_moving": True,
        },
    }
    traccar_list = {
        "device_id": token,
        "location": [
            {"timestamp": t[7].isoformat(), "uuid": "u-7", "coords": {"latitude": lat, "longitude": lon}},
            {"timestamp": t[8].isoformat(), "coords": {"latitude": lat, "longitude": lon + 0.002}},
        ],
    }
    q = {"id": token, "lat": lat, "lon": lon}
    return [
        ("batch bearer", 2, 200, {"method": "post", "path": BATCH, "json": jz, "auth": "bearer"}),
        ("batch header", 0, 200, {"method": "post", "path": BATCH, "json": jz, "auth": "header"}),
        ("osmand seconds", 1, 200, {"method": "get", "data": {**q, "timestamp": int(t[2].timestamp())}}),
        (
            "osmand milliseconds, deviceid",
            1,
            200,
            {
                "method": "get",
                "data": {
                    "deviceid": token,
                    "lat": lat,
                    "lon": lon,
                    "timestamp": int(t[3].timestamp() * 1000),
                },
            },
        ),
        ("osmand iso", 1, 200, {"method": "get", "data": {**q, "timestamp": t[4].isoformat()}}),
        ("osmand local text", 1, 200, {"method": "get", "data": {**q, "timestamp": local}}),
        (
            "osmand form, location pair, knots, percent",
            1,
            200,
            {
                "method": "form",
                "data": {
                    "id": token,
                    "location": f"{lat},{lon + 0.003}",
                    "timestamp": int(t[9].timestamp()),
                    "speed": 3,
                    "batt": 80,
                    "charge": "true",
                    "hdop": 1.1,
                    "accuracy": 6,
                    "bearing": 45,
                    "altitude": 230,
                    "valid": "true",
                },
            },
        ),
        ("traccar json", 1, 200, {"method": "post", "path": OSMAND, "json": traccar_one, "auth": None}),
        ("traccar json list", 2, 200, {"method": "post", "path": OSMAND, "json": traccar_list, "auth": None}),
        ("heartbeat 0,0", 0, 200, {"method": "get", "data": {"id": token, "lat": 0, "lon": 0, "batt": 40}}),
        (
            "fix 90 days old",
            0,
            200,
            {"method": "get", "data": {**q, "timestamp": int((base - dt.timedelta(days=90)).timestamp())}},
        ),
        ("latitude out of range", 0, 400, {"method": "get", "data": {**q, "lat": 127.9, "timestamp": 1}}),
        ("unknown identifier", 0, 401, {"method": "get", "data": {**q, "id": "jz-not-a-device"}}),
    ]


def _send(client: Client, token: str, req: dict):
    if req["method"] == "get":
        return client.get(OSMAND, req["data"])
    if req["method"] == "form":
        return client.post(OSMAND, req["data"])
    headers = {}
    if req.get("auth") == "bearer":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    elif req.get("auth") == "header":
        headers["HTTP_X_DEVICE_TOKEN"] = token
    return client.post(req["path"], data=json.dumps(req["json"]), content_type="application/json", **headers)


def test_every_request_form_replayed_twice_stores_each_fix_once(world):
    device, token = enrol(world, world.person_a)
    base = timezone.now() - dt.timedelta(hours=1)
    forms = _forms(token, base)
    client = Client()
    expected = sum(n for _name, n, _status, _req in forms)
    for round_ in (1, 2):
        for name, _n, status, req in forms:
            response = _send(client, token, req)
            assert response.status_code == status, (round_, name, response.content)
        # nothing lost, nothing stored twice
        assert Fix.objects.filter(device=device).count() == expected, round_
    assert Fix.objects.filter(device=device).values("client_id", "fix_time").distinct().count() == expected
    # the 90-day-old fix is not stored, and staff see why on the device
    assert not Fix.objects.filter(fix_time__lt=base - dt.timedelta(days=30)).exists()
    device.refresh_from_db()
    assert device.last_rejection  # the last refusal (age or range) is kept for staff
    latest = LatestPosition.objects.get(person=world.person_a)
    assert latest.last_seen_at is not None


def test_an_old_fix_alone_is_acknowledged_and_recorded_as_refused(world):
    device, token = enrol(world, world.person_a)
    old = int((timezone.now() - dt.timedelta(days=90)).timestamp())
    response = Client().get(
        OSMAND, {"id": token, "lat": COUNTY_SEAT[0], "lon": COUNTY_SEAT[1], "timestamp": old}
    )
    assert response.status_code == 200
    assert "not stored" in response.content.decode()
    assert not Fix.objects.exists()
    device.refresh_from_db()
    assert "older than" in device.last_rejection and device.last_rejected_at is not None


def test_a_report_from_an_ended_device_is_acknowledged_and_kept_for_staff(world):
    device, token = enrol(world, world.person_a)
    services.device_end(actor=world.squadron_officer, device=device, reason="手机丢失")
    now = int(timezone.now().timestamp())
    query = {"id": token, "lat": COUNTY_SEAT[0], "lon": COUNTY_SEAT[1], "timestamp": now}
    for _ in range(2):
        response = Client().get(OSMAND, query)
        assert response.status_code == 200
        assert "nothing stored" in response.content.decode()
    assert not Fix.objects.exists()
    ended = Device.objects.get(pk=device.pk)
    assert ended.status != "active" and "taken out of use" in ended.last_rejection
    # our batch API keeps answering 401 (our app knows to stop)
    batch = Client().post(
        BATCH,
        data=json.dumps({"fixes": []}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert batch.status_code == 401
