"""Browser: a bureau officer edits a report text in place and sees its figure computed; the progress
page reads on a phone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import screenshot
from jiaozheng.indicators import services
from jiaozheng.indicators.tests.conftest import indicator_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _indicators(world):
    year = timezone.localdate().year
    for data in (
        indicator_data("served", "caseload.persons_served", 10, 60, name="服务对象人数", unit="人"),
        indicator_data("intakes", "caseload.new_entrants", 50, 40, name="新入矫接收人数", unit="人"),
    ):
        services.indicator_save(actor=world.bureau_admin, contract=world.contract_x, year=year, data=data)
    return year


def test_an_officer_edits_a_report_paragraph_in_place_and_its_figure_is_computed(
    live_world, browser_login, live_server
):
    year = _indicators(live_world)
    page = browser_login("bureau_admin")
    page.goto(f"{live_server.url}/indicators/{live_world.contract_x.pk}/report/?year={year}")
    assert "专项资金绩效自评报告" in page.content()
    group = page.locator("#text-efficiency")
    group.hover()
    group.locator("a.edit").click()
    page.wait_for_selector("#text-efficiency textarea")
    page.fill("#text-efficiency textarea", "本年度累计服务社区矫正对象{{i.served.actual}}人。")
    page.click("#text-efficiency button[type=submit]")
    page.wait_for_selector("#text-efficiency a.fig")
    text = page.locator("#text-efficiency").inner_text()
    assert "本年度累计服务社区矫正对象4人。" in text
    screenshot(page, "indicators-report-desktop")
    # the figure opens the records behind it
    page.click("#text-efficiency a.fig")
    page.wait_for_load_state("networkidle")
    assert "甲某" in page.content()


def test_the_progress_page_on_a_phone(live_world, browser_login, live_server):
    year = _indicators(live_world)
    page = browser_login("supervisor", phone=True)
    page.goto(f"{live_server.url}/indicators/{live_world.contract_x.pk}/?year={year}")
    page.wait_for_load_state("networkidle")
    screenshot(page, "indicators-progress-phone")
    assert page.locator("canvas[data-drawn]").count() == 2  # one chart per accumulating indicator
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, "the page must not scroll sideways on a phone"
