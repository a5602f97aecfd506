"""The pages in Debian Chromium: enrolment shows the identifier once and the unmodified protocol reports
with it; the map draws latest positions and plays back a day's track."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request

import pytest
from django.utils import timezone

from conftest import screenshot, wait_until
from jiaozheng.location.tests.conftest import COUNTY_SEAT


@pytest.mark.browser
def test_enrol_a_phone_then_the_app_reports_with_the_identifier_shown(live_world, browser_login, live_server):
    # given a squadron officer on the person's device page
    person = live_world.person_a
    page = browser_login("squadron_officer")
    page.goto(f"{live_server.url}/location/persons/{person.pk}/devices/")
    # when a Traccar Client phone is enrolled
    page.select_option("#id_platform", "traccar_client")
    page.fill("#id_label", "红米 Note 12")
    page.click("text=登记并显示设备标识")
    page.wait_for_load_state("networkidle")
    # then the identifier and the server URL are shown once
    token = page.inner_text("#token").strip()
    server_url = page.inner_text("#server-url").strip()
    assert re.fullmatch(r"jz[0-9a-f]{32}", token)
    assert server_url.endswith("/api/v1/location/osmand")
    screenshot(page, "location-enrol-done")
    # when the app reports in the OsmAnd form with that identifier and that URL
    t = int(timezone.now().timestamp()) - 30
    query = urllib.parse.urlencode(
        {"id": token, "timestamp": t, "lat": COUNTY_SEAT[0], "lon": COUNTY_SEAT[1], "accuracy": 9, "batt": 77}
    )
    with urllib.request.urlopen(f"{live_server.url}/api/v1/location/osmand?{query}") as response:
        assert response.status == 200
    # then the device page shows the phone in use, and the device list shows it reporting
    page.goto(f"{live_server.url}/location/devices/")
    row = page.locator("tr", has_text=person.name)
    assert "正常上报" in row.inner_text()
    assert "77%" in row.inner_text()


@pytest.mark.browser
def test_map_shows_positions_and_plays_back_a_track(live_world, browser_login, live_server):
    # given a person whose phone reported a walk this morning
    from jiaozheng.location.ingest import ingest
    from jiaozheng.location.protocols import Batch, ParsedFix
    from jiaozheng.location.storage import DeviceInfo
    from jiaozheng.location.testing import enrol, times_today

    person = live_world.person_a
    device, _token = enrol(live_world, person)
    times = times_today(12)
    batch = Batch(protocol=1)
    batch.fixes = [
        ParsedFix(
            client_id=f"w{i}",
            time=times[i],
            lat=COUNTY_SEAT[0] + 0.001 * i,
            lon=COUNTY_SEAT[1] + 0.0007 * i,
            accuracy=8.0,
            source=1,
            battery=0.8 - 0.01 * i,
        )
        for i in range(12)
    ]
    ingest(DeviceInfo(device.pk, person.pk, person.county_id), batch)
    # when the squadron officer opens the map at phone size
    page = browser_login("squadron_officer", phone=True)
    page.goto(f"{live_server.url}/location/map/")
    page.wait_for_selector("#person-list li")
    # then the person is listed as reporting, with a marker drawn
    assert person.name in page.inner_text("#person-list")
    assert page.locator("#map canvas").count() >= 1  # outline and markers are drawn on a canvas
    counts = [int(n) for n in page.locator("#legend .n").all_inner_texts()]
    assert sum(counts[:-1]) == 1  # one person reporting, in one of the states
    # when the person is chosen and the track of today is played back
    page.click(f"#person-list li:has-text('{person.name}')")
    wait_until(page, "document.getElementById('track-count').textContent.length > 0")
    assert "12" in page.inner_text("#track-count")
    first = page.inner_text("#track-now")
    page.click("#play")
    wait_until(page, f"document.getElementById('track-now').textContent !== {first!r}")
    page.wait_for_timeout(800)  # let the zoom animation finish
    screenshot(page, "location-map-track-phone")
    # and the read of the track was logged
    from jiaozheng.audit.models import AccessLog

    assert AccessLog.objects.filter(
        kind="location", person=person, actor=live_world.squadron_officer
    ).exists()
