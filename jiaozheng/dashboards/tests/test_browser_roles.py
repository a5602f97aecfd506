"""Browser: every role's home page (desktop and phone screenshots), handling an alert, and generating and
downloading the annual report. The other main flows have their own browser tests in their modules:
finding a person (people), recording a visit (visits), holding a session (education), answering an
assessment on the phone (assessments), a face check-in with a fake camera (checkins)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import PHONE, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME_TEXT = {
    "bureau_admin": "待处置告警",
    "bureau_officer": "待走访",
    "squadron_officer": "今日人脸签到",
    "social_worker": "我的待走访",
    "counsellor": "心理辅导",
    "supervisor": "项目资金",
    "auditor": "项目资金",
    "subject": "我的安排",
}


def test_every_role_lands_on_its_home_page_on_desktop_and_phone(live_world, browser, live_server):
    for username, text in HOME_TEXT.items():
        for phone in (False, True):
            page = sign_in(browser, live_server.url, username, phone=phone)
            assert text in page.content(), f"{username}: {text} missing on the home page"
            screenshot(page, f"home-{username}-{'phone' if phone else 'desktop'}")
            if phone:
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"] + 10, (
                    f"{username}'s home page scrolls sideways on a phone ({width}px)"
                )
            page.context.close()


def test_an_officer_handles_an_alert_and_records_an_admonition(live_world, browser, live_server):
    from jiaozheng.location.choices import AlertSeverity, AlertType
    from jiaozheng.location.services import alert_raise
    from jiaozheng.people.models import Discipline

    alert = alert_raise(
        person=live_world.person_a,
        alert_type=AlertType.GEOFENCE_BREACH,
        severity=AlertSeverity.HIGH,
        title="离开县境",
        evidence={"fixes": []},
        occurred_at=timezone.now(),
    )
    page = sign_in(browser, live_server.url, "squadron_officer")
    page.goto(f"{live_server.url}/")
    page.click(f"a[href='/location/alerts/{alert.pk}/']")
    page.wait_for_load_state("networkidle")
    screenshot(page, "alert-detail-desktop")
    page.fill("form[action$='/do/acknowledge/'] [name=note]", "已电话联系本人")
    page.click("form[action$='/do/acknowledge/'] button")
    page.wait_for_load_state("networkidle")
    # the outcome is chosen explicitly (none is pre-selected); the admonition asks for facts and a confirmation
    assert not page.locator("form[action$='/do/resolve/'] input[name=outcome]:checked").count()
    page.check("form[action$='/do/resolve/'] input[name=outcome][value=admonition]")
    page.fill("form[action$='/do/resolve/'] [name=note]", "未经批准离开县境，已予训诫")
    page.fill("form[action$='/do/resolve/'] [name=facts]", "当日14时未经批准离开县境，经电话通知于17时返回")
    page.check("form[action$='/do/resolve/'] input[name=confirm]")
    page.click("form[action$='/do/resolve/'] button")
    page.wait_for_load_state("networkidle")
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert Discipline.objects.filter(person=live_world.person_a, kind="admonition", source="alert").exists()
    page.context.close()


def test_the_annual_report_is_generated_in_the_background_and_downloaded(live_world, browser, live_server):
    contract = live_world.contract_x
    year = timezone.localdate().year
    page = sign_in(browser, live_server.url, "bureau_admin")
    page.goto(f"{live_server.url}/indicators/{contract.pk}/report/?year={year}")
    page.wait_for_load_state("networkidle")
    assert "项目基本情况" in page.content()
    page.click("form.generate button[value=docx]")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("a:has-text('下载')", timeout=60_000)
    screenshot(page, "report-job-desktop")
    with page.expect_download() as download_info:
        page.click("a:has-text('下载')")
    download = download_info.value
    path = download.path()
    assert download.suggested_filename.endswith(".docx")
    from docx import Document

    text = "\n".join(p.text for p in Document(path).paragraphs)
    assert "绩效自评报告" in text
    page.context.close()
