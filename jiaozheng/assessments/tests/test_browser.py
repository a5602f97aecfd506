"""Browser: a person completes a PHQ-9 on the phone page; the counsellor sees the urgent flag at once."""

from __future__ import annotations

import pytest

from conftest import screenshot

pytestmark = pytest.mark.browser


def test_a_person_answers_a_phq9_on_the_phone_and_the_counsellor_sees_the_urgent_flag(
    live_world, browser_login, live_server
):
    from jiaozheng.assessments import services
    from jiaozheng.assessments.models import RiskFlag
    from jiaozheng.core.models import Notification

    # given a PHQ-9 assigned to the supervised person
    world = live_world
    assessment = services.assessment_assign(
        actor=world.counsellor, person=world.subject_person, scale_code="phq9"
    )
    # when the person answers on the phone: one question per screen, item 9 "好几天"
    page = browser_login("subject", phone=True)
    page.goto(f"{live_server.url}/assessments/my/")
    page.get_by_text("开始答题").click()
    answers = {9: "好几天", 10: "有一些困难"}
    for item in range(1, 11):
        page.wait_for_selector(f"text=第 {item} 题 / 共 10 题")
        if item == 1:
            screenshot(page, "psych-phone-question")
        page.get_by_role("button", name=answers.get(item, "完全不会"), exact=True).click()
    page.wait_for_selector("text=所有题目都已回答")
    page.click("#submit")
    page.wait_for_selector("text=12356")
    screenshot(page, "psych-phone-result")
    # then the result is scored and the urgent flag raised, with a notification to the county's counsellor
    assessment.refresh_from_db()
    assert assessment.status == "completed" and assessment.urgent
    assert RiskFlag.objects.filter(assessment=assessment, severity="urgent").exists()
    assert Notification.objects.filter(recipient=world.counsellor, level="urgent").exists()
    # and the counsellor sees it on the flag list
    staff = browser_login("counsellor")
    staff.goto(f"{live_server.url}/assessments/flags/")
    staff.wait_for_selector("text=自伤或轻生念头（第9题）")
    assert world.subject_person.name in staff.content()
    screenshot(staff, "psych-flag-list")


def test_a_counsellor_issues_a_phq9_report_without_a_norm_on_a_fresh_world(
    live_world, browser_login, live_server
):
    """PHQ-9 is read against its published cut-offs: the norm list offers that, and the report says so."""
    import subprocess
    from pathlib import Path

    from jiaozheng.assessments.models import Report
    from jiaozheng.assessments.reports import render_pdf
    from jiaozheng.assessments.testing import completed_assessment

    world = live_world
    assessment = completed_assessment(world.person_a, "phq9", [2, 2, 1, 2, 1, 1, 2, 1, 0, 1])
    page = browser_login("counsellor")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    select = page.locator("select[name=norm_code]")
    assert select.locator("option").all_inner_texts() == ["不使用常模：按量表公布的划界分判定"]
    page.fill("textarea[name=comments]", "近两周情绪低落明显，建议安排个案心理咨询，两周后复测。")
    screenshot(page, "psych-phq9-report-form")
    page.get_by_role("button", name="出具报告").click()
    page.wait_for_selector("text=已出具")
    report = Report.objects.get(assessment=assessment)
    assert report.norm_code == "" and not report.norm
    screenshot(page, "psych-phq9-report-issued")
    pdf = render_pdf(report)
    (Path(screenshot(page, "psych-phq9-report-issued")).parent / "psych-phq9-report.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "按其公布的划界分判定" in text and "Kroenke" in text
    for bad in ("[S", "Python", "SQL", "seed", "cn-mainland"):
        assert bad not in text, bad
