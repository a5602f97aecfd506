"""Browser: an officer signs in, finds a person, opens the record; the pages read well on a phone."""

from __future__ import annotations

import pytest

from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_finds_a_person_and_records_a_class_change(live_world, browser_login, live_server):
    page = browser_login("squadron_officer")
    screenshot(page, "home-squadron-officer-desktop")
    page.goto(f"{live_server.url}/people/")
    assert "矫正对象" in page.content()
    page.fill("input[name=q]", live_world.person_a.id_number[-4:])
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.click(f"text={live_world.person_a.name}")
    page.wait_for_load_state("networkidle")
    assert live_world.person_a.case_number in page.content()
    screenshot(page, "person-detail-desktop")
    page.click("text=调整管理等级")
    page.select_option("form[action$='/do/class/'] select[name=to_class]", "strict")
    page.fill("form[action$='/do/class/'] textarea[name=reason]", "连续两次未按时报告")
    page.click("form[action$='/do/class/'] button")
    page.wait_for_load_state("networkidle")
    assert "管理等级已调整" in page.content()
    live_world.person_a.refresh_from_db()
    assert live_world.person_a.supervision_class == "strict"


def test_the_caseload_and_login_pages_on_a_phone(live_world, browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    screenshot(page, "login-phone")
    page.fill("#id_username", "bureau_officer")
    from jiaozheng.core.testing.world import PASSWORD

    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/people/")
    screenshot(page, "caseload-phone")
    assert page.locator("table.data").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, "the page must not scroll sideways on a phone (the table scrolls inside itself)"
    context.close()
