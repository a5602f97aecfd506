"""Browser: under the Content-Security-Policy the pages' behaviour still works and nothing is blocked.

Chromium reports every CSP violation on the console; pages that used inline script (charts, maps, the
logged reveal, confirm dialogs, auto-submitting selects) are opened and used, and no violation may appear.
"""

from __future__ import annotations

import pytest

from conftest import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def test_pages_work_under_the_csp_without_violations(live_world, browser_login, live_server):
    page = browser_login("bureau_admin")
    problems = _watch(page)
    # the logged reveal (an htmx request whose answer fills the page: formerly hx-on, which needs eval)
    page.goto(f"{live_server.url}/people/{live_world.person_a.pk}/")
    assert "*" in page.inner_text("#idno")
    page.click("text=查看完整信息")
    wait_until(page, "!document.getElementById('idno').textContent.includes('*')")
    assert page.inner_text("#idno") == live_world.person_a.id_number
    # the home page's charts (formerly an inline script)
    page.goto(f"{live_server.url}/")
    page.wait_for_load_state("networkidle")
    if page.locator("#chart-class").count():
        assert page.evaluate("Chart.getChart(document.getElementById('chart-class')) !== undefined")
    # an auto-submitting select (formerly onchange=): the caseload map's squadron filter
    page.goto(f"{live_server.url}/location/map/")
    page.wait_for_load_state("networkidle")
    select = page.locator("select[data-autosubmit]").first
    value = select.locator("option").nth(1).get_attribute("value")
    with page.expect_navigation():
        select.select_option(value)
    assert f"squadron={value}" in page.url
    # the API docs: vendored Swagger UI renders
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)
    assert not problems, problems
