"""The batch API: durable, de-duplicated, out-of-order batches with per-fix validation."""

from __future__ import annotations

import json

from django.test import Client

from jiaozheng.location.models import Fix, LatestPosition
from jiaozheng.location.tests.conftest import COUNTY_SEAT, fix, post


def test_a_batch_is_stored_and_a_resent_batch_adds_nothing(world, phone):
    # given three fixes from the phone's buffer, sent out of order
    device, token = phone
    lat, lon = COUNTY_SEAT
    fixes = [
        fix(lat + 0.001, lon, minutes_ago=5, cid="b"),
        fix(lat, lon, minutes_ago=10, cid="a"),
        fix(lat + 0.002, lon, minutes_ago=1, cid="c"),
    ]
    # when they are posted
    response = post(token, fixes)
    # then all three are stored and the latest position is the newest fix, not the last one sent
    assert response.status_code == 200, response.content
    assert response.json() == {"stored": 3, "duplicates": 0, "rejected": []}
    assert Fix.objects.filter(device=device).count() == 3
    latest = LatestPosition.objects.get(person=world.person_a)
    assert abs(latest.latitude - (lat + 0.002)) < 1e-9
    # when the same batch is resent (the phone did not get the answer)
    again = post(token, fixes)
    # then nothing new is stored
    assert again.json() == {"stored": 0, "duplicates": 3, "rejected": []}
    assert Fix.objects.filter(device=device).count() == 3


def test_an_older_batch_arriving_late_does_not_move_the_latest_position(world, phone):
    # given a recent fix
    _device, token = phone
    lat, lon = COUNTY_SEAT
    post(token, [fix(lat, lon, minutes_ago=1, cid="new")])
    # when a batch buffered an hour ago arrives afterwards
    response = post(token, [fix(lat + 0.01, lon, minutes_ago=60 + i, cid=f"old{i}") for i in range(5)])
    # then it is stored, but the latest position stays the recent fix
    assert response.json()["stored"] == 5
    latest = LatestPosition.objects.get(person=world.person_a)
    assert abs(latest.latitude - lat) < 1e-9
    assert Fix.objects.filter(person=world.person_a).count() == 6


def test_bad_fixes_are_refused_one_by_one_and_the_rest_is_stored(world, phone):
    # given a batch with one good fix and several bad ones
    _device, token = phone
    lat, lon = COUNTY_SEAT
    good = fix(lat, lon, cid="good")
    bad_lat = fix(95.0, lon, cid="bad-lat")
    no_zone = dict(fix(lat, lon, cid="naive"), time="2026-01-01T08:00:00")
    future = fix(lat, lon, minutes_ago=-120, cid="future")
    zero = fix(0.0, 0.0, cid="zero")
    negative_accuracy = fix(lat, lon, cid="acc", accuracy=-5)
    # when they are posted
    response = post(token, [good, bad_lat, no_zone, future, zero, negative_accuracy])
    # then the good fix is stored and every bad one is listed with the field and a reason
    body = response.json()
    assert response.status_code == 200
    assert body["stored"] == 1
    refused = {r["id"]: r for r in body["rejected"]}
    assert set(refused) == {"bad-lat", "naive", "future", "zero", "acc"}
    assert refused["bad-lat"]["errors"][0]["field"] == "lat"
    assert "zone" in refused["naive"]["errors"][0]["message"]
    assert "future" in refused["future"]["errors"][0]["message"]
    assert refused["acc"]["errors"][0]["field"] == "accuracy"
    assert [r["index"] for r in body["rejected"]] == [1, 2, 3, 4, 5]


def test_nan_and_non_numbers_are_refused(world, phone):
    # given fixes whose coordinates are NaN or text
    _device, token = phone
    lat, lon = COUNTY_SEAT
    raw = (
        '{"fixes": [{"id": "n", "time": "2026-11-26T08:00:00Z", "lat": NaN, "lon": 110.5},'
        ' {"id": "t", "time": 1795000000000, "lat": "north", "lon": 110.5}]}'
    )
    # when posted
    response = Client().post(
        "/api/v1/location/fixes",
        data=raw,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    # then both are refused and nothing is stored
    body = response.json()
    assert response.status_code == 200, body
    assert body["stored"] == 0
    assert {r["id"] for r in body["rejected"]} == {"n", "t"}
    assert not Fix.objects.exists()


def test_whole_request_problems_answer_422(world, phone):
    # given a token
    _device, token = phone
    lat, lon = COUNTY_SEAT
    # when the body is not JSON, has too many fixes, or the phone's clock is an hour off
    not_json = Client().post(
        "/api/v1/location/fixes",
        data="lat=1",
        content_type="text/plain",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    too_many = post(token, [fix(lat, lon, cid=str(i)) for i in range(501)])
    import datetime as dt

    from django.utils import timezone

    skewed = post(token, [fix(lat, lon)], sent_at=(timezone.now() + dt.timedelta(hours=1)).isoformat())
    # then each is refused as a whole with a clear message, and nothing is stored
    assert not_json.status_code == 422
    assert too_many.status_code == 422 and "500" in too_many.json()["message"]
    assert skewed.status_code == 422 and "clock" in skewed.json()["message"]
    assert not Fix.objects.exists()


def test_unknown_or_missing_token_is_401(world, phone):
    # given a batch
    lat, lon = COUNTY_SEAT
    body = json.dumps({"fixes": [fix(lat, lon)]})
    # when it is sent without a token, or with a wrong one
    missing = Client().post("/api/v1/location/fixes", data=body, content_type="application/json")
    wrong = Client().post(
        "/api/v1/location/fixes",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer jzdeadbeef",
    )
    # then it is refused and nothing is stored
    assert missing.status_code == 401 and wrong.status_code == 401
    assert not Fix.objects.exists()


def test_a_heartbeat_updates_last_seen_and_battery(world, phone):
    # given an enrolled phone that has not reported
    _device, token = phone
    assert LatestPosition.objects.get(person=world.person_a).last_seen_at is None
    # when it sends a heartbeat without fixes
    response = post(token, [], device={"battery": 0.42, "charging": False, "power_saving": True})
    # then the person counts as reporting, with the battery it reported
    assert response.json()["stored"] == 0
    latest = LatestPosition.objects.get(person=world.person_a)
    assert latest.last_seen_at is not None
    assert latest.battery == 0.42
    assert latest.device_state["power_saving"] is True
