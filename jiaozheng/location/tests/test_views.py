"""The staff pages answer with their content; forms go through the services."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from jiaozheng.location import services
from jiaozheng.location.choices import AlertType
from jiaozheng.location.models import Device, TravelPermit
from jiaozheng.location.testing import enrol
from jiaozheng.location.tests.conftest import COUNTY_SEAT, fix, post
from jiaozheng.people.services import prohibition_add


def test_pages_render_for_the_squadron_officer(world, login):
    # given a person with a phone that reported, and an open alert
    _device, token = enrol(world, world.person_a)
    post(token, [fix(*COUNTY_SEAT)])
    alert = services.alert_raise(
        person=world.person_a, alert_type=AlertType.LOW_BATTERY, severity="low", title="电量低", evidence={}
    )
    client = login(world.squadron_officer)
    # when each page is opened; then it answers with the person or the alert on it
    for url, text in [
        ("/location/map/", "定位地图"),
        ("/location/alerts/", world.person_a.name),
        (f"/location/alerts/{alert.pk}/", "电量低"),
        ("/location/devices/", world.person_a.name),
        (f"/location/persons/{world.person_a.pk}/devices/", "定位服务（APP安装）人次"),
        (f"/location/persons/{world.person_a.pk}/zones/", "活动区域"),
        ("/location/installs/import/", "身份证号"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_positions_json_is_scoped_and_logged(world, login):
    # given phones for persons in squadrons A and B that reported
    for person in (world.person_a, world.person_b):
        _device, token = enrol(world, person)
        post(token, [fix(*COUNTY_SEAT, cid=f"p{person.pk}")])
    # when the squadron A officer loads the positions
    data = login(world.squadron_officer).get("/location/positions.json").json()
    # then only squadron A's person is there, and the read is logged
    assert [p["person_id"] for p in data["positions"]] == [world.person_a.pk]
    from jiaozheng.audit.models import AccessLog

    assert AccessLog.objects.filter(kind="location", actor=world.squadron_officer).count() == 1


def test_enrol_form_shows_the_token_once_and_not_cached(world, login):
    # given the squadron officer
    client = login(world.squadron_officer)
    # when a phone is enrolled through the page
    response = client.post(
        f"/location/persons/{world.person_a.pk}/devices/enrol/",
        {"platform": "traccar_client", "label": "vivo"},
    )
    # then the token page is not cacheable and the device exists
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    device = Device.objects.get(person=world.person_a)
    assert f"{device.token_hint}</div>" in response.content.decode()


def test_alert_actions_through_the_page(world, login):
    # given a new alert
    alert = services.alert_raise(
        person=world.person_a,
        alert_type=AlertType.MOCK_LOCATION,
        severity="medium",
        title="虚拟定位",
        evidence={},
    )
    client = login(world.squadron_officer)
    # when the officer resolves it without a note, then with one
    client.post(f"/location/alerts/{alert.pk}/do/resolve/", {"outcome": "false_alarm", "note": ""})
    alert.refresh_from_db()
    assert alert.is_open
    client.post(f"/location/alerts/{alert.pk}/do/resolve/", {"outcome": "false_alarm", "note": "系统误报"})
    # then it is resolved with that outcome
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.outcome == "false_alarm"


def test_trip_and_prohibition_hours_through_the_page(world, login):
    # given an area prohibition with a zone
    today = timezone.localdate()
    order = prohibition_add(
        actor=world.bureau_officer,
        person=world.person_a,
        kind="area",
        content="禁止进入网吧",
        start_on=today,
        end_on=today + dt.timedelta(days=60),
        zone={"type": "Circle", "center": [110.6, 27.9], "radius_m": 200},
    )
    client = login(world.squadron_officer)
    # when the officer records a trip and sets the order's hours to every evening
    client.post(
        f"/location/persons/{world.person_a.pk}/zones/trip/",
        {
            "destination": "怀化市鹤城区",
            "destination_code": "431202",
            "start_on": today.isoformat(),
            "end_on": (today + dt.timedelta(days=2)).isoformat(),
            "reason": "就医",
        },
    )
    client.post(
        f"/location/prohibitions/{order.pk}/schedule/",
        {"days": ["1", "2", "3", "4", "5", "6", "7"], "start": "19:00", "end": "02:00"},
    )
    # then both are saved
    assert TravelPermit.objects.get(person=world.person_a).destination_code == "431202"
    order.refresh_from_db()
    assert order.schedule == {"weekly": [{"days": [1, 2, 3, 4, 5, 6, 7], "start": "19:00", "end": "02:00"}]}
    # and a social worker may not record trips (403)
    response = login(world.social_worker).post(f"/location/persons/{world.person_a.pk}/zones/trip/", {})
    assert response.status_code == 403


def test_the_resolve_form_preselects_no_outcome_and_a_note_alone_never_sanctions(world, login):
    # given a lost-contact alert (usually a flat battery)
    alert = services.alert_raise(
        person=world.person_a, alert_type=AlertType.LOST_CONTACT, severity="high", title="失联", evidence={}
    )
    client = login(world.squadron_officer)
    # when the officer opens it, no outcome is checked
    page = client.get(f"/location/alerts/{alert.pk}/").content.decode()
    radios = re.findall(r'<input[^>]*name="outcome"[^>]*>', page)
    assert len(radios) >= 5 and not any("checked" in r for r in radios)
    # when they type a note and press resolve without choosing, nothing happens
    client.post(f"/location/alerts/{alert.pk}/do/resolve/", {"note": "手机没电了"})
    alert.refresh_from_db()
    assert alert.is_open
    # when they choose the admonition without the facts and the confirmation, nobody is sanctioned
    client.post(f"/location/alerts/{alert.pk}/do/resolve/", {"outcome": "admonition", "note": "手机没电了"})
    alert.refresh_from_db()
    assert alert.is_open and not world.person_a.discipline.exists()
    # with both it is recorded
    client.post(
        f"/location/alerts/{alert.pk}/do/resolve/",
        {"outcome": "admonition", "note": "谈话", "facts": "关机失联六小时，经查在外地网吧", "confirm": "on"},
    )
    alert.refresh_from_db()
    assert alert.outcome == "admonition" and world.person_a.discipline.filter(kind="admonition").count() == 1


def test_the_social_worker_is_not_offered_the_admonition(world, login):
    alert = services.alert_raise(
        person=world.person_a, alert_type=AlertType.LOST_CONTACT, severity="high", title="失联", evidence={}
    )
    page = login(world.social_worker).get(f"/location/alerts/{alert.pk}/").content.decode()
    assert 'value="admonition"' not in page and 'value="explained"' in page


def test_the_supervised_person_has_their_own_reporting_page_in_chinese(world, login):
    # given the supervised person with an enrolled phone that reported once
    device, token = enrol(world, world.subject_person)
    assert post(token, [fix(*COUNTY_SEAT, minutes_ago=1)]).status_code == 200
    client = login(world.subject)
    # when they open their location page
    page = client.get("/location/mine/")
    body = page.content.decode()
    # then it answers, in Chinese, with their last report and the advice
    assert page.status_code == 200
    assert re.search(r"<title>\s*我的定位上报", body)
    assert "最近一次收到上报" in body and "手机无法上报时" in body
    # and a staff page answers 403 under a Chinese title, not the English platform name
    refused = client.get("/location/map/")
    assert refused.status_code == 403
    assert re.search(r"<title>\s*无权访问", refused.content.decode())
