"""Browser: one person's trip approved at county level and reported back, then release with the certificate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import screenshot
from jiaozheng.supervision.models import TravelRequest


@pytest.mark.browser
def test_trip_and_release_in_the_browser(live_world, browser_login):
    w = live_world
    today = timezone.localdate()
    person = w.person_a
    person.judgment_effective_on = today - dt.timedelta(days=400)
    person.term_start = today - dt.timedelta(days=390)
    person.term_end = today + dt.timedelta(days=200)
    person.save()
    page = browser_login(w.bureau_officer.username)

    # a 10-day trip, asked for with a date before the judgment first: a clear message, nothing saved
    base = "/".join(page.url.split("/")[:3])
    page.goto(base + "/supervision/travel/new/")
    page.select_option("#id_person", str(person.pk))
    page.fill("#id_destination", "长沙市")
    page.fill("#id_reason", "探望住院的母亲")
    page.fill("#id_start_on", (person.judgment_effective_on - dt.timedelta(days=1)).isoformat())
    page.fill("#id_end_on", (person.judgment_effective_on + dt.timedelta(days=8)).isoformat())
    page.click("button.btn-primary")
    assert "判决生效" in page.content()
    assert not TravelRequest.objects.exists()
    start = today - dt.timedelta(days=12)
    page.fill("#id_start_on", start.isoformat())
    page.fill("#id_end_on", (start + dt.timedelta(days=9)).isoformat())
    page.click("button.btn-primary")
    page.wait_for_load_state("networkidle")
    assert "县级社区矫正机构" in page.content()
    page.click("form[action$='/do/approve/'] button")
    page.wait_for_load_state("networkidle")
    screenshot(page, "supervision-travel-approved")
    page.click("form[action$='/do/return/'] button")
    page.wait_for_load_state("networkidle")
    assert "已销假" in page.content()
    screenshot(page, "supervision-travel")

    # the term ends: the person is on the due list, is released, and the certificate downloads
    person.term_end = today - dt.timedelta(days=1)
    person.save()
    page.goto(base + "/supervision/releases/due/")
    assert person.name in page.content()
    page.click(f"a[href$='/persons/{person.pk}/release/']")
    page.wait_for_load_state("networkidle")
    page.fill("#id_released_on", person.term_end.isoformat())
    page.click("button.btn-primary")
    page.wait_for_load_state("networkidle")
    assert "矫解字第001号" in page.content()
    screenshot(page, "supervision-release")
    with page.expect_download() as dl:
        page.click("text=证明书（PDF）")
    assert dl.value.suggested_filename.endswith(".pdf")
