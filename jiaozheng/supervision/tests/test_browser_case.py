"""Browser: one person's whole case, and the bad input of each step (a clear message and no change).

A commissioned investigation answered in time; reception (报到) and the admission announcement; a 10-day
trip approved at county level and reported back; a 训诫 then a 警告; the term end on the due list; release
with the certificate downloaded (PDF rendered to an image and read back, DOCX read back).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import timezone

from conftest import screenshot
from jiaozheng.people.models import Discipline
from jiaozheng.supervision.models import Investigation, SanctionCase, TravelRequest


def _submit(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("networkidle")


def _post(page, action: str, fields: dict[str, str]) -> None:
    """Post a form that the page no longer offers (a decision on a closed request), as a stale tab would."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    with page.expect_navigation():
        page.evaluate(
            """([action, token, fields]) => {
            const f = document.createElement('form'); f.method = 'post'; f.action = action;
            for (const [k, v] of Object.entries(Object.assign({csrfmiddlewaretoken: token}, fields))) {
                const i = document.createElement('input'); i.name = k; i.value = v; f.appendChild(i);
            }
            document.body.appendChild(f); f.submit();
        }""",
            [action, token, fields],
        )
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
def test_one_persons_whole_case(live_world, browser_login, tmp_path):
    w = live_world
    today = timezone.localdate()
    person = w.person_a
    person.status = "pending"
    person.intake_on = None
    person.judgment_effective_on = today - dt.timedelta(days=200)
    person.term_start = today - dt.timedelta(days=200)
    person.term_end = today + dt.timedelta(days=20)
    person.save()
    page = browser_login(w.bureau_officer.username)
    base = "/".join(page.url.split("/")[:3])

    # 1. the court commissions an investigation; assigned and answered in time, copy to the procuratorate
    page.goto(base + "/supervision/investigations/new/")
    page.select_option("#id_commissioner", "court")
    page.fill("#id_commissioner_name", "县人民法院")
    page.fill("#id_defendant_name", person.name)
    page.fill("#id_commissioned_on", (today - dt.timedelta(days=3)).isoformat())
    _submit(page, "button.btn-primary")
    inv = Investigation.objects.get(defendant_name=person.name)
    page.select_option("select[name=assignee]", str(w.squadron_officer.pk))
    _submit(page, "form[action$='/do/assign/'] button")
    page.fill("#id_findings", "居住稳定，家庭支持")
    page.select_option("#id_conclusion", "suitable")
    page.fill("#id_opinion", "建议适用社区矫正")
    _submit(page, "form[action$='/do/answer/'] button")
    assert "意见书已出具，并已抄送检察院" in page.content()
    inv.refresh_from_db()
    assert inv.answered_on == today and not inv.is_late() and inv.procuratorate_copied_on == today

    # 2. reception: the person reports within the window, then the admission is announced
    page.goto(base + f"/people/{person.pk}/")
    page.fill(
        "form[action$='/do/report/'] input[name=reported_on]",
        (person.judgment_effective_on + dt.timedelta(days=5)).isoformat(),
    )
    _submit(page, "form[action$='/do/report/'] button")
    person.refresh_from_db()
    assert person.status == "in_correction" and person.reported_late_days <= 0
    page.click("summary:has-text('入矫宣告')")
    page.fill("form[action$='/do/announce/'] input[name=announced_on]", person.intake_on.isoformat())
    _submit(page, "form[action$='/do/announce/'] button")
    person.refresh_from_db()
    assert person.announced_on == person.intake_on

    # 3. a 10-day trip: dates before the judgment refused; then asked, refused to the judicial office,
    # approved by the county, an overlapping second trip refused, and the return reported
    page.goto(base + "/supervision/travel/new/")
    page.select_option("#id_person", str(person.pk))
    page.fill("#id_destination", "长沙市芙蓉区")
    page.fill("#id_destination_code", "430102")
    page.fill("#id_reason", "探望住院的母亲")
    page.fill("#id_start_on", (person.judgment_effective_on - dt.timedelta(days=2)).isoformat())
    page.fill("#id_end_on", (person.judgment_effective_on + dt.timedelta(days=7)).isoformat())
    _submit(page, "button.btn-primary")
    assert "外出日期不能早于判决生效日期" in page.content() and not TravelRequest.objects.exists()
    start = today - dt.timedelta(days=9)
    page.fill("#id_start_on", start.isoformat())
    page.fill("#id_end_on", (start + dt.timedelta(days=9)).isoformat())
    _submit(page, "button.btn-primary")
    trip = TravelRequest.objects.get()
    assert trip.level == "county" and "县级社区矫正机构" in page.content()

    squadron = browser_login(w.squadron_officer.username)
    squadron.goto(base + f"/supervision/travel/{trip.pk}/")
    _submit(squadron, "form[action$='/do/approve/'] button")
    assert "外出10天应由县级社区矫正机构审批，司法所无权批准" in squadron.content()
    trip.refresh_from_db()
    assert trip.status == "requested" and trip.decided_by is None

    page.goto(base + f"/supervision/travel/{trip.pk}/")
    _submit(page, "form[action$='/do/approve/'] button")
    trip.refresh_from_db()
    assert trip.status == "approved" and trip.zone_refs  # location's permitted zone for the trip
    screenshot(page, "supervision-case-trip-approved")

    page.goto(base + "/supervision/travel/new/")
    page.select_option("#id_person", str(person.pk))
    page.fill("#id_destination", "怀化市")
    page.fill("#id_reason", "办事")
    page.fill("#id_start_on", (start + dt.timedelta(days=5)).isoformat())
    page.fill("#id_end_on", (start + dt.timedelta(days=6)).isoformat())
    _submit(page, "button.btn-primary")
    assert "时间重叠" in page.content() and TravelRequest.objects.count() == 1

    page.goto(base + f"/supervision/travel/{trip.pk}/")
    page.fill(
        "form[action$='/do/return/'] input[name=returned_on]", (start + dt.timedelta(days=9)).isoformat()
    )
    _submit(page, "form[action$='/do/return/'] button")
    assert "已销假" in page.content()

    # 4. a 训诫 then a 警告: the judicial office's findings, the county's decision
    def findings(kind: str, ground: str, occurred: dt.date) -> None:
        squadron.goto(base + "/supervision/sanctions/new/")
        squadron.select_option("#id_person", str(person.pk))
        squadron.select_option("#id_kind", kind)
        squadron.select_option("#id_ground", ground)
        squadron.fill("#id_occurred_on", occurred.isoformat())
        squadron.fill("#id_facts", "未经批准晚归，经核查属实")
        _submit(squadron, "button.btn-primary")

    findings("admonition", "minor_breach", person.judgment_effective_on - dt.timedelta(days=1))
    assert "该日期早于判决生效日期" in squadron.content() and not SanctionCase.objects.exists()
    findings("admonition", "minor_breach", today - dt.timedelta(days=1))
    admonition = SanctionCase.objects.get()
    # the judicial office proposes; the county decides (the decision form is not offered to the office)
    assert squadron.query_selector("form[action$='/do/take/']") is None
    page.goto(base + f"/supervision/sanctions/{admonition.pk}/")
    _submit(page, "form[action$='/do/take/'] button")
    admonition.refresh_from_db()
    assert admonition.status == "decided" and admonition.decided_role == "bureau_officer"
    # a decision on the closed case: a clear message, nothing changes
    _post(page, f"/supervision/sanctions/{admonition.pk}/do/refuse/", {"note": "撤销"})
    assert "该申请已办结：已作出审批决定" in page.content()
    admonition.refresh_from_db()
    assert admonition.status == "decided"

    findings("warning", "serious_breach", today)
    warning = SanctionCase.objects.get(kind="warning")
    page.goto(base + f"/supervision/sanctions/{warning.pk}/")
    _submit(page, "form[action$='/do/take/'] button")
    kinds = list(Discipline.objects.filter(person=person).order_by("id").values_list("kind", flat=True))
    assert kinds == ["admonition", "warning"]
    assert "训诫 1 次、警告 1 次" in page.content()
    screenshot(page, "supervision-case-warning")

    # 5. the term end on the due list, release, the certificate downloaded and rendered
    page.goto(base + "/supervision/releases/due/")
    assert person.name in page.content()
    person.term_end = today - dt.timedelta(days=1)
    person.save(update_fields=["term_end"])
    page.goto(base + "/supervision/releases/due/")
    _submit(page, f"a[href$='/persons/{person.pk}/release/']")
    page.fill("#id_released_on", person.term_end.isoformat())
    _submit(page, "button.btn-primary")
    assert "矫解字第001号" in page.content()
    with page.expect_download() as dl:
        page.click("text=证明书（PDF）")
    pdf = tmp_path / "certificate.pdf"
    dl.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") and shutil.which("pdftoppm"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "解除社区矫正证明书" in text.replace(" ", "") and person.name in text
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True
        )
        rendered = sorted(tmp_path.glob("p*.png"))
        assert rendered and rendered[0].stat().st_size > 2000
    with page.expect_download() as dl:
        page.click("text=证明书（Word）")
    docx_path = tmp_path / "certificate.docx"
    dl.value.save_as(docx_path)
    import docx

    body = "\n".join(p.text for p in docx.Document(str(docx_path)).paragraphs)
    assert "矫解字第001号" in body and person.name in body
    screenshot(page, "supervision-case-release")
