"""In the browser: a visit recorded on a phone with its position, and the route sheet with its map."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import screenshot, wait_until

pytestmark = pytest.mark.browser


def test_a_social_worker_records_a_focus_visit_on_the_phone_with_the_position(
    live_world, browser_login, live_server
):
    from jiaozheng.visits.models import Visit

    world = live_world
    # given the social worker on a phone that can give its position
    page = browser_login(
        "social_worker",
        phone=True,
        geolocation={"latitude": 27.9105, "longitude": 110.6012, "accuracy": 15},
        permissions=["geolocation"],
    )
    # when they open the due list, then the focus visit form of a person of their squadron
    page.goto(f"{live_server.url}/visits/due/")
    screenshot(page, "visits-due-phone")
    page.goto(f"{live_server.url}/visits/new/{world.person_a.pk}/?type=focus")
    assert page.locator("#id_method").input_value() == "field_visit"
    page.click("#vz-capture")
    wait_until(page, "document.getElementById('id_latitude').value !== ''")
    page.fill("#id_thinking", "思想稳定，按时报告。")
    page.fill("#id_conduct", "在家务农，表现良好。")
    page.check("input[name=risk_signs][value=financial]")
    screenshot(page, "visits-form-phone")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    # then the record is saved with the phone's position and shown
    visit = Visit.objects.get(person=world.person_a)
    assert round(visit.latitude, 4) == 27.9105 and visit.accuracy_m == 15
    assert visit.risk_signs == ["financial"]
    assert "思想稳定" in page.content()
    screenshot(page, "visits-detail-phone")


def test_the_route_sheet_draws_the_routes_on_the_county_map(live_world, browser_login, live_server):
    from jiaozheng.core.testing.world import person_data
    from jiaozheng.people.services import person_create
    from jiaozheng.visits.services import route_plan_create

    world = live_world
    # given four strict persons of squadron A with home positions and a plan for today
    homes = [(27.93, 110.62), (27.89, 110.57), (27.96, 110.66), (27.86, 110.63)]
    for lat, lon in homes:
        person_create(
            actor=world.bureau_admin,
            data=person_data(
                squadron=world.squadron_a,
                township=world.township_a,
                intake_days_ago=90,
                supervision_class="strict",
                home_latitude=lat,
                home_longitude=lon,
            ),
        )
    plan = route_plan_create(
        actor=world.squadron_officer,
        squadron=world.squadron_a,
        plan_date=timezone.localdate(),
        teams=[[world.squadron_officer], [world.social_worker]],
        overrides={"time_limit_s": 1},
    )
    # when the officer opens the route sheet
    page = browser_login("squadron_officer")
    page.goto(f"{live_server.url}/visits/routes/{plan.pk}/")
    page.wait_for_selector("#vz-map .leaflet-overlay-pane path")
    # then the county outline and a line per team are drawn, with a numbered marker per stop
    assert page.locator("#vz-map .leaflet-overlay-pane path").count() >= 2
    assert page.locator("#vz-map .leaflet-marker-pane > div").count() == plan.planned_count
    screenshot(page, "visits-route-sheet")
