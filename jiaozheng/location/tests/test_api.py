"""The staff API: alerts with their workflow, enrolment (the token once), positions and tracks (logged),
travel permits with clear refusals."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from jiaozheng.audit.models import AccessLog
from jiaozheng.core.registry import provider
from jiaozheng.location import services
from jiaozheng.location.choices import AlertType
from jiaozheng.location.models import Device, InstallRecord, TravelPermit
from jiaozheng.location.tests.conftest import COUNTY_SEAT, fix, post


def _json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_alert_workflow_over_the_api(world, api_client):
    # given an open alert of person A
    alert = services.alert_raise(
        person=world.person_a, alert_type=AlertType.LOST_CONTACT, severity="high", title="失联", evidence={}
    )
    client = api_client(world.squadron_officer)
    # when the officer lists open alerts
    listing = client.get("/api/v1/location/alerts")
    assert listing.status_code == 200
    assert [a["id"] for a in listing.json()["items"]] == [alert.pk]
    # and acknowledges, then resolves with an admonition
    assert (
        _json(client, f"/api/v1/location/alerts/{alert.pk}/acknowledge", {"note": "已联系"}).status_code
        == 200
    )
    bare = _json(
        client, f"/api/v1/location/alerts/{alert.pk}/resolve", {"outcome": "admonition", "note": "训诫"}
    )
    assert bare.status_code == 422  # no facts, no confirmation: no sanction
    done = _json(
        client,
        f"/api/v1/location/alerts/{alert.pk}/resolve",
        {"outcome": "admonition", "note": "训诫", "facts": "关机失联六小时，经查在外地网吧", "confirm": True},
    )
    # then the alert is resolved, linked to the discipline record, with every step as an event
    body = done.json()
    assert done.status_code == 200
    assert body["status"] == "resolved" and body["discipline_id"] is not None
    assert [e["kind"] for e in body["events"]] == ["raised", "acknowledged", "resolved"]
    # and a resolved alert cannot be resolved again: 422 with the reason
    again = _json(
        client, f"/api/v1/location/alerts/{alert.pk}/resolve", {"outcome": "explained", "note": "x"}
    )
    assert again.status_code == 422 and again.json()["errors"]


def test_escalation_needs_a_note_and_the_social_worker_cannot_admonish(world, api_client):
    # given an open alert
    alert = services.alert_raise(
        person=world.person_a,
        alert_type=AlertType.GEOFENCE_BREACH,
        severity="high",
        title="越界",
        evidence={},
    )
    worker = api_client(world.social_worker)
    # when the social worker escalates without a note, or resolves with an admonition
    no_note = _json(worker, f"/api/v1/location/alerts/{alert.pk}/escalate", {"note": ""})
    admonish = _json(
        worker, f"/api/v1/location/alerts/{alert.pk}/resolve", {"outcome": "admonition", "note": "x"}
    )
    # then both are refused and the alert is unchanged
    assert no_note.status_code == 422
    assert admonish.status_code == 403
    alert.refresh_from_db()
    assert alert.status == "new"


def test_enrol_over_the_api_returns_the_token_once_and_it_works(world, api_client):
    # given an officer
    client = api_client(world.bureau_officer)
    # when a phone is enrolled for person B
    response = _json(client, f"/api/v1/location/persons/{world.person_b.pk}/devices", {"platform": "jz_app"})
    # then the answer carries the token and the URLs; only its hash is stored
    assert response.status_code == 201
    body = response.json()
    token = body["token"]
    assert body["server_url"].endswith("/api/v1/location/osmand")
    device = Device.objects.get(pk=body["device"]["id"])
    assert device.token_hash != token and token not in json.dumps(list(Device.objects.values()), default=str)
    install = InstallRecord.objects.get(device=device)  # counts for the contract covering county and day
    assert provider("contracts.covering")(install.county_id, install.installed_on) == world.contract_x
    # and the phone can report with it
    assert post(token, [fix(*COUNTY_SEAT)]).json()["stored"] == 1
    # when the device is taken out of use
    ended = _json(client, f"/api/v1/location/devices/{device.pk}/end", {"reason": "手机丢失"})
    # then its token no longer works
    assert ended.status_code == 200 and ended.json()["status"] == "revoked"
    assert post(token, [fix(*COUNTY_SEAT, cid="after")]).status_code == 401


def test_positions_and_tracks_are_logged_reads(world, api_client):
    # given a phone that reported twice today
    from jiaozheng.location.testing import enrol

    _device, token = enrol(world, world.person_a)
    post(token, [fix(*COUNTY_SEAT, minutes_ago=10, cid="a"), fix(*COUNTY_SEAT, minutes_ago=5, cid="b")])
    client = api_client(world.squadron_officer)
    # when the officer reads the latest positions and today's track
    positions = client.get("/api/v1/location/positions")
    track = client.get(f"/api/v1/location/persons/{world.person_a.pk}/track")
    # then both answer, and both reads are in the access log
    assert positions.status_code == 200 and [p["person_id"] for p in positions.json()] == [world.person_a.pk]
    assert track.status_code == 200 and len(track.json()["fixes"]) == 2
    logs = AccessLog.objects.filter(kind="location", actor=world.squadron_officer)
    assert logs.count() == 2 and logs.filter(person=world.person_a).exists()
    # and another squadron's officer sees neither the position nor the track
    other = api_client(world.social_worker_b)
    assert other.get("/api/v1/location/positions").json() == []
    assert other.get(f"/api/v1/location/persons/{world.person_a.pk}/track").status_code == 404


def test_travel_permit_refusals_are_clear_and_change_nothing(world, api_client):
    # given an officer
    client = api_client(world.squadron_officer)
    today = timezone.localdate()
    url = f"/api/v1/location/persons/{world.person_a.pk}/travel-permits"
    base = {
        "destination": "长沙",
        "start_on": today.isoformat(),
        "end_on": (today + dt.timedelta(days=2)).isoformat(),
        "reason": "探亲",
    }
    # when the destination has neither a code nor a zone, an unknown code, or the dates are reversed
    missing = _json(client, url, base)
    unknown = _json(client, url, {**base, "destination_code": "999999"})
    reversed_dates = _json(
        client,
        url,
        {**base, "destination_code": "430102", "end_on": (today - dt.timedelta(days=1)).isoformat()},
    )
    bad_zone = _json(client, url, {**base, "zone": {"type": "Circle", "center": [200, 20], "radius_m": 500}})
    # then each answers 422 naming the field, and no permit exists
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "destination_code"
    assert unknown.status_code == 422 and "999999" in unknown.json()["errors"][0]["message"]
    assert reversed_dates.status_code == 422 and reversed_dates.json()["errors"][0]["field"] == "end_on"
    assert bad_zone.status_code == 422 and bad_zone.json()["errors"][0]["field"] == "zone"
    assert not TravelPermit.objects.exists()
    # and a valid permit is created and can be cancelled
    created = _json(client, url, {**base, "destination_code": "430102"})
    assert created.status_code == 201
    cancel = _json(
        client, f"/api/v1/location/travel-permits/{created.json()['id']}/cancel", {"reason": "取消"}
    )
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
