"""Geofences without crying wolf: accuracy circles, dwell time and consecutive fixes, one alert per episode,
return-to-zone closes it; forbidden zones with schedules; approved trips."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.utils import timezone
from shapely.geometry import Point

from jiaozheng.core.geo import county_geometry
from jiaozheng.core.models import Notification, RuleValue
from jiaozheng.core.rules import clear_cache
from jiaozheng.location.choices import AlertOutcome, AlertStatus, AlertType
from jiaozheng.location.models import FLAG_OUTSIDE, Alert, Fix, LatestPosition
from jiaozheng.location.services import alert_acknowledge, travel_permit_create
from jiaozheng.location.tests.conftest import COUNTY_SEAT, HECHENG, fix, post
from jiaozheng.people.choices import ProhibitionKind
from jiaozheng.people.services import prohibition_add


def _offset(lat: float, lon: float, bearing_deg: float, metres: float) -> tuple[float, float]:
    dy = metres * math.cos(math.radians(bearing_deg)) / 110_574.0
    dx = metres * math.sin(math.radians(bearing_deg)) / (111_320.0 * math.cos(math.radians(lat)))
    return lat + dy, lon + dx


def _border_towards(lat: float, lon: float) -> tuple[float, float, float]:
    """The middle of a long straight stretch of 溆浦县's boundary facing (lat, lon), and the outward
    bearing there (the middle of an edge, so that "inside" and "outside" are measured from one line)."""
    geometry = county_geometry("431224")
    polygon = max(getattr(geometry, "geoms", [geometry]), key=lambda g: g.area)
    coords = list(polygon.exterior.coords)
    kx = 111_320.0 * math.cos(math.radians(lat))
    best = None
    for (x1, y1), (x2, y2) in zip(coords, coords[1:], strict=False):
        length = math.hypot((x2 - x1) * kx, (y2 - y1) * 110_574.0)
        if length < 3000:
            continue
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        far = math.hypot((lon - mx) * kx, (lat - my) * 110_574.0)
        if best is None or far < best[0]:
            best = (far, mx, my, x1, y1, x2, y2)
    assert best is not None
    _far, mx, my, x1, y1, x2, y2 = best
    edge_bearing = math.degrees(math.atan2((x2 - x1) * kx, (y2 - y1) * 110_574.0))
    for outward in (edge_bearing + 90, edge_bearing - 90):
        probe_lat, probe_lon = _offset(my, mx, outward, 100)
        if not geometry.contains(Point(probe_lon, probe_lat)):
            return my, mx, outward
    raise AssertionError("no outward side found")


def _geofence_alerts(person):
    return list(Alert.objects.filter(person=person, alert_type=AlertType.GEOFENCE_BREACH))


@pytest.fixture
def no_buffer(world):
    """Enforce the raw boundary (no simplification tolerance) so that only the accuracy rule is tested."""
    RuleValue.objects.create(key="location.county_buffer_m", unit=world.county_x, value=0)
    clear_cache()
    yield
    clear_cache()


def test_jitter_near_the_boundary_raises_no_alert(world, phone, no_buffer):
    # given a person standing about 50 m inside the county border whose phone jitters across it
    _device, token = phone
    blat, blon, outward = _border_towards(*HECHENG)
    # (metres beyond the border, reported accuracy): straddling circles, and lone confident fixes
    # outside that are followed by a confident fix inside
    pattern = [
        (40, 60),
        (-30, 50),
        (80, 100),
        (20, 30),
        (-50, 60),
        (90, 120),
        (45, 30),
        (-60, 40),
        (10, 25),
        (120, 150),
        (35, 30),
        (60, 40),
        (-80, 50),
        (15, 20),
        (70, 90),
    ]
    fixes = []
    for i in range(30):
        metres, accuracy = pattern[i % len(pattern)]
        lat, lon = _offset(blat, blon, outward, metres)
        fixes.append(fix(lat, lon, minutes_ago=60 - 2 * i, cid=f"j{i}", accuracy=accuracy))
    # when the fixes arrive one by one over an hour
    for item in fixes:
        assert post(token, [item]).status_code == 200
    # then there is no alert and no breach in progress, although several fixes lay outside the line
    assert _geofence_alerts(world.person_a) == []
    assert LatestPosition.objects.get(person=world.person_a).fence_state == {}
    assert Fix.objects.filter(person=world.person_a).count() == 30


def test_a_true_exit_raises_exactly_one_alert_and_return_closes_it(world, phone):
    # given a person who drives out of the county and stays 5 km beyond the border for half an hour
    _device, token = phone
    blat, blon, outward = _border_towards(*HECHENG)
    far = _offset(blat, blon, outward, 5000)
    minutes = [32, 28, 24, 20, 16, 12, 8, 4]
    # when the first three fixes arrive (8 minutes outside: not yet the 10-minute dwell)
    for i, m in enumerate(minutes[:3]):
        post(token, [fix(*far, minutes_ago=m, cid=f"out{i}")])
    # then nothing is raised yet
    assert _geofence_alerts(world.person_a) == []
    # when the person stays outside
    for i, m in enumerate(minutes[3:], start=3):
        post(token, [fix(*far, minutes_ago=m, cid=f"out{i}")])
    # then exactly one alert exists, with the triggering fixes and the rule parameters as evidence
    (alert,) = _geofence_alerts(world.person_a)
    assert alert.status == AlertStatus.NEW
    assert len(alert.evidence["fixes"]) >= 4
    assert alert.evidence["rule"]["dwell_minutes"] == 10 and alert.evidence["rule"]["min_fixes"] == 3
    assert alert.events.count() == 1
    assert (
        Notification.objects.filter(kind="location.geofence_breach", recipient=world.squadron_officer).count()
        == 1
    )
    assert Fix.objects.filter(person=world.person_a, flags__gte=FLAG_OUTSIDE).count() == len(minutes)
    # when the person comes back into the county
    post(token, [fix(*COUNTY_SEAT, minutes_ago=0, cid="home")])
    # then the untouched alert closes itself as "condition ended", and no second alert appears
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED and alert.outcome == AlertOutcome.CLEARED
    assert alert.cleared_at is not None
    assert len(_geofence_alerts(world.person_a)) == 1
    assert LatestPosition.objects.get(person=world.person_a).fence_state == {}


def test_an_acknowledged_breach_stays_open_after_the_return(world, phone):
    # given a breach that an officer has taken up
    _device, token = phone
    far = _offset(*_border_towards(*HECHENG)[:2], _border_towards(*HECHENG)[2], 5000)
    post(token, [fix(*far, minutes_ago=m, cid=f"o{m}") for m in (30, 25, 20, 15)])
    (alert,) = _geofence_alerts(world.person_a)
    alert_acknowledge(actor=world.squadron_officer, alert=alert)
    # when the person returns
    post(token, [fix(*COUNTY_SEAT, minutes_ago=1, cid="back")])
    # then the alert stays with the officer, marked as ended
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.cleared_at is not None


def test_a_buffer_uploaded_hours_later_raises_a_late_alert(world, phone):
    # given fixes taken outside the county three hours ago while the phone was offline
    _device, token = phone
    far = HECHENG
    batch = [fix(*far, minutes_ago=200 - 5 * i, cid=f"late{i}") for i in range(6)]
    # when the whole buffer arrives in one batch
    response = post(token, batch)
    # then one alert is raised, dated when the breach began and marked as reported late
    assert response.json()["stored"] == 6
    (alert,) = _geofence_alerts(world.person_a)
    assert alert.late is True
    assert alert.occurred_at == dt.datetime.fromisoformat(batch[0]["time"])


def test_cell_fixes_alone_never_raise(world, phone):
    # given coarse cell-tower fixes far outside the county for forty minutes
    _device, token = phone
    for i in range(10):
        post(token, [fix(*HECHENG, minutes_ago=40 - 4 * i, cid=f"cell{i}", source="cell", accuracy=800)])
    # then no alert is raised
    assert _geofence_alerts(world.person_a) == []
    # but GPS fixes confirming the position do raise one
    for i in range(3):
        post(token, [fix(*HECHENG, minutes_ago=3 - i, cid=f"gps{i}", accuracy=15)])
    assert len(_geofence_alerts(world.person_a)) == 1


def test_mocked_fixes_do_not_count_for_a_breach(world, phone):
    # given mocked fixes far away (a fake-GPS app)
    _device, token = phone
    post(token, [fix(*HECHENG, minutes_ago=30 - 5 * i, cid=f"m{i}", mock=True) for i in range(5)])
    # then they raise a mock-location alert, not a breach
    assert _geofence_alerts(world.person_a) == []
    assert world.person_a.alerts.filter(alert_type=AlertType.MOCK_LOCATION).count() == 1


def _local_hhmm(delta_minutes: int) -> str:
    t = timezone.localtime() + dt.timedelta(minutes=delta_minutes)
    return f"{t.hour:02d}:{t.minute:02d}"


@pytest.mark.parametrize("in_force", [True, False])
def test_forbidden_zone_respects_its_weekly_schedule(world, phone, in_force):
    # given a 禁止令 zone (a circle of 300 m round an entertainment venue) limited to a weekly window
    _device, token = phone
    venue = _offset(*COUNTY_SEAT, 90, 2000)
    window = (
        {"days": [1, 2, 3, 4, 5, 6, 7], "start": _local_hhmm(-90), "end": _local_hhmm(90)}
        if in_force
        else {"days": [1, 2, 3, 4, 5, 6, 7], "start": _local_hhmm(120), "end": _local_hhmm(180)}
    )
    today = timezone.localdate()
    prohibition_add(
        actor=world.bureau_officer,
        person=world.person_a,
        kind=ProhibitionKind.AREA,
        content="禁止进入娱乐场所",
        start_on=today - dt.timedelta(days=30),
        end_on=today + dt.timedelta(days=30),
        zone={"type": "Circle", "center": [venue[1], venue[0]], "radius_m": 300},
        schedule={"weekly": [window]},
    )
    # when the person stays at the venue for a quarter of an hour
    for i, m in enumerate((15, 11, 7, 3)):
        post(token, [fix(*venue, minutes_ago=m, cid=f"v{i}", accuracy=20)])
    # then an alert is raised only while the order's window is in force
    alerts = list(Alert.objects.filter(person=world.person_a, alert_type=AlertType.FORBIDDEN_ZONE))
    assert len(alerts) == (1 if in_force else 0)
    assert not Alert.objects.filter(alert_type=AlertType.GEOFENCE_BREACH).exists()


def test_an_approved_trip_permits_the_destination_and_the_way(world, phone):
    # given an approved trip to 长沙市芙蓉区 this week
    _device, token = phone
    today = timezone.localdate()
    travel_permit_create(
        actor=world.squadron_officer,
        person=world.person_a,
        destination="长沙市芙蓉区",
        destination_code="430102",
        start_on=today - dt.timedelta(days=1),
        end_on=today + dt.timedelta(days=3),
        reason="探望住院的母亲",
    )
    changsha = (28.196, 112.98)
    halfway = ((COUNTY_SEAT[0] + changsha[0]) / 2, (COUNTY_SEAT[1] + changsha[1]) / 2)
    # when the person travels there and stays
    for i in range(4):
        post(token, [fix(*halfway, minutes_ago=120 - 5 * i, cid=f"w{i}")])
    for i in range(6):
        post(token, [fix(*changsha, minutes_ago=90 - 5 * i, cid=f"c{i}")])
    # then nothing is raised
    assert _geofence_alerts(world.person_a) == []
    # but a detour far from the way (to 鹤城区, the other side of the county) is a breach
    for i in range(4):
        post(token, [fix(*HECHENG, minutes_ago=30 - 5 * i, cid=f"h{i}")])
    (alert,) = _geofence_alerts(world.person_a)
    assert alert.evidence["permit"]["destination"] == "长沙市芙蓉区"
