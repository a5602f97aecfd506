"""The OsmAnd query/form protocol and Traccar Client's JSON body, as the unmodified apps send them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from jiaozheng.location.models import FLAG_MOCK, Fix, LatestPosition
from jiaozheng.location.protocols import KNOT, parse_timestamp
from jiaozheng.location.tests.conftest import COUNTY_SEAT

URL = "/api/v1/location/osmand"


def _stored(person):
    return list(Fix.objects.filter(person=person).order_by("fix_time"))


def test_query_string_with_seconds_knots_and_percent(world, phone):
    # given the classic Traccar Client query: timestamp in seconds, speed in knots, battery in percent
    _device, token = phone
    t = int(timezone.now().timestamp()) - 60
    lat, lon = COUNTY_SEAT
    # when it is sent as GET
    response = Client().get(
        URL,
        {
            "id": token,
            "timestamp": t,
            "lat": lat,
            "lon": lon,
            "speed": 10,
            "bearing": 90,
            "altitude": 250,
            "accuracy": 12.5,
            "batt": 64,
            "charge": "false",
        },
    )
    # then the fix is stored in SI units: m/s and a battery fraction, at the right time
    assert response.status_code == 200, response.content
    (stored,) = _stored(world.person_a)
    assert stored.fix_time == dt.datetime.fromtimestamp(t, dt.UTC)
    assert stored.speed == pytest.approx(10 * KNOT)
    assert stored.battery == pytest.approx(0.64)
    assert stored.charging is False
    assert stored.accuracy == 12.5 and stored.bearing == 90
    assert stored.protocol == 2


def test_form_body_with_milliseconds_and_location_pair(world, phone):
    # given a form post with the deviceid key, a millisecond timestamp and location=lat,lon
    _device, token = phone
    t_ms = int(timezone.now().timestamp() * 1000) - 30_000
    lat, lon = COUNTY_SEAT
    # when it is posted as a form
    response = Client().post(
        URL, {"deviceid": token, "timestamp": t_ms, "location": f"{lat},{lon}", "valid": "true"}
    )
    # then the position and the time (to the millisecond) are read correctly
    assert response.status_code == 200, response.content
    (stored,) = _stored(world.person_a)
    assert (stored.latitude, stored.longitude) == (lat, lon)
    assert stored.fix_time == dt.datetime.fromtimestamp(t_ms / 1000, dt.UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-26T08:00:00Z", dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)),
        ("2026-11-26T16:00:00+08:00", dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)),
        ("2026-11-26T08:00:00.250Z", dt.datetime(2026, 11, 26, 8, 0, 0, 250000, tzinfo=dt.UTC)),
        (
            "2026-11-26 16:00:00",
            dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC),
        ),  # server zone (Asia/Shanghai)
        ("1795680000", dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)),
        ("1795680000000", dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)),
        ("1795680000.5", dt.datetime(2026, 11, 26, 8, 0, 0, 500000, tzinfo=dt.UTC)),
    ],
)
def test_timestamp_forms(text, expected):
    # given a timestamp in one of the forms the protocol allows; when read; then it is the same instant
    assert parse_timestamp(text, naive_local=True) == expected


def test_iso_timestamp_in_a_query(world, phone):
    # given an ISO timestamp with a zone in the query string
    _device, token = phone
    when = (timezone.now() - dt.timedelta(minutes=3)).replace(microsecond=0)
    lat, lon = COUNTY_SEAT
    # when sent
    response = Client().get(URL, {"id": token, "timestamp": when.isoformat(), "lat": lat, "lon": lon})
    # then it is stored at that instant
    assert response.status_code == 200
    assert _stored(world.person_a)[0].fix_time == when


def test_traccar_client_json_body_with_mock_flag(world, phone):
    # given the JSON body of Traccar Client 9: metres per second, a battery fraction, and a mocked fix
    _device, token = phone
    lat, lon = COUNTY_SEAT
    when = timezone.now() - dt.timedelta(minutes=2)
    body = {
        "device_id": token,
        "location": {
            "timestamp": when.isoformat().replace("+00:00", "Z"),
            "coords": {
                "latitude": lat,
                "longitude": lon,
                "accuracy": 8,
                "speed": 1.5,
                "heading": 180,
                "altitude": 220,
            },
            "is_moving": True,
            "odometer": 1200,
            "event": "motionchange",
            "battery": {"level": 0.52, "is_charging": True},
            "activity": {"type": "walking"},
            "mock": True,
        },
    }
    # when posted as JSON
    response = Client().post(URL, data=json.dumps(body), content_type="application/json")
    # then the fix is stored with m/s and the fraction as they are, flagged as mocked, and raises an alert
    assert response.status_code == 200, response.content
    (stored,) = _stored(world.person_a)
    assert (
        stored.speed == 1.5 and stored.battery == 0.52 and stored.charging is True and stored.moving is True
    )
    assert stored.flags & FLAG_MOCK
    assert stored.attributes["activity"] == "walking"
    assert world.person_a.alerts.filter(alert_type="mock_location").count() == 1


def test_zero_position_is_a_heartbeat_and_unknown_device_is_refused(world, phone):
    # given the Traccar convention lat=lon=0 (no new position) with a battery reading
    _device, token = phone
    # when sent
    ok = Client().get(URL, {"id": token, "lat": 0, "lon": 0, "batt": 15})
    unknown = Client().get(URL, {"id": "not-a-device", "lat": 27.9, "lon": 110.6})
    # then nothing is stored, but the phone counts as reporting; an unknown identifier gets 401
    assert ok.status_code == 200
    assert not Fix.objects.exists()
    latest = LatestPosition.objects.get(person=world.person_a)
    assert latest.last_seen_at is not None and latest.battery == pytest.approx(0.15)
    assert unknown.status_code == 401


def test_refused_fix_answers_400_with_the_reason(world, phone):
    # given a fix with a latitude out of range
    _device, token = phone
    # when sent
    response = Client().get(URL, {"id": token, "lat": 127.9, "lon": 110.6})
    # then the app gets 400 and the reason; nothing is stored and the device shows why
    assert response.status_code == 400
    assert "lat" in response.content.decode()
    assert not Fix.objects.exists()
    device = phone[0]
    device.refresh_from_db()
    assert "lat" in device.last_rejection
