"""In the browser: an officer plans a month, holds a session and marks attendance; the person checks in on
the phone for a remote session."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import screenshot
from jiaozheng.education.models import Attendance, Session, ThemePlan
from jiaozheng.education.tests.helpers import make_session, remote_now


@pytest.mark.browser
def test_officer_plans_holds_and_marks_then_the_person_checks_in_on_the_phone(
    live_world, browser_login, live_server
):
    world = live_world
    # given a session of squadron A held yesterday whose outcome is not recorded yet, and a remote class now
    yesterday = make_session(
        world, date=timezone.localdate() - dt.timedelta(days=1), title="《民法典》与家庭生活"
    )
    remote = remote_now(world, minutes=-5, title="远程直播：禁毒知识")
    month = (timezone.localdate().replace(day=28) + dt.timedelta(days=5)).replace(day=1)

    # when the squadron officer plans next month with the plan helper
    page = browser_login("squadron_officer")
    page.goto(f"{live_server.url}/education/plans/helper/?squadron={world.squadron_a.pk}&month={month:%Y-%m}")
    assert page.locator("tr.proposal").count() == 2
    screenshot(page, "education-plan-helper")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("networkidle")
    # then the month's plan holds the two planned sessions
    plan = ThemePlan.objects.get(squadron=world.squadron_a, month=month)
    assert plan.sessions.count() == 2 and f"/education/plans/{plan.pk}/" in page.url
    screenshot(page, "education-plan-detail")

    # when the officer records yesterday's session as held and marks person_a present with one click
    page.goto(f"{live_server.url}/education/sessions/{yesterday.pk}/")
    page.click("form[action$='/do/hold/'] button")
    page.wait_for_load_state("networkidle")
    row = Attendance.objects.get(session=yesterday, person=world.person_a)
    page.click(f"#att-{row.pk} button[value=present]")
    page.wait_for_selector(f"#att-{row.pk} button.on-present")
    # then the row changed in place (htmx) and the record is stored
    row.refresh_from_db()
    yesterday.refresh_from_db()
    assert yesterday.status == "held" and row.status == "present" and row.hours == yesterday.hours
    screenshot(page, "education-session-detail")
    page.goto(f"{live_server.url}/education/calendar/")
    screenshot(page, "education-calendar")

    # when the person opens the phone page and checks in for the remote class, sending a position
    phone = browser_login(
        "subject",
        phone=True,
        geolocation={"latitude": 27.91, "longitude": 110.6},
        permissions=["geolocation"],
    )
    phone.goto(f"{live_server.url}/education/me/")
    screenshot(phone, "education-me-phone")
    phone.click(f"a[href='/education/me/sessions/{remote.pk}/']")
    phone.wait_for_selector("#checkin-button")
    phone.click("#checkin-button")
    phone.wait_for_selector(".m-state.ok")
    screenshot(phone, "education-checkin-phone")
    # then they are present, by phone, with the position inside the county
    mine = Attendance.objects.get(session=remote, person=world.subject_person)
    assert (mine.status, mine.method) == ("present", "self")
    assert mine.latitude == pytest.approx(27.91) and mine.outside_county is False
    assert Session.objects.get(pk=remote.pk).status == "planned"
