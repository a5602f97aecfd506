"""Browser: the evidence of one session, from its 方案 to the evaluation's evidence pack.

The social worker writes the plan, prints the 签到表, records the session as held, marks three persons
present and adds a photo; the three answer the feedback questionnaire on their phones; the social worker
writes the reflection; the provider hands the month over; the bureau acknowledges it and downloads the year's
evidence pack, which holds the session with its plan, photo, sign-in sheet, feedback and reflection.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import screenshot
from jiaozheng.core.roles import Role
from jiaozheng.core.testing.world import PASSWORD, person_data
from jiaozheng.education.models import Attendance, SessionPhoto
from jiaozheng.education.tests.helpers import make_session
from jiaozheng.evidence.models import EvidencePack, MonthlySubmission
from jiaozheng.feedback.models import FeedbackResponse
from jiaozheng.indicators.choices import IndicatorGroup
from jiaozheng.indicators.models import Indicator


def _submit(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("networkidle")


def _png(path) -> str:
    from PIL import Image

    Image.new("RGB", (120, 90), (40, 120, 60)).save(path, "PNG")
    return str(path)


@pytest.mark.browser
def test_a_sessions_evidence_from_its_plan_to_the_pack(live_world, browser_login, tmp_path):
    from jiaozheng.orgs.services import user_create
    from jiaozheng.people.services import person_create

    w = live_world
    third = person_create(
        actor=w.bureau_admin, data=person_data(squadron=w.squadron_a, township=w.township_a, name="丁某")
    )
    day = timezone.localdate() - dt.timedelta(days=1)
    session = make_session(w, date=day, title="禁毒教育专题")
    Indicator.objects.create(
        contract=w.contract_x,
        year=day.year,
        code="education",
        name="集中教育场次",
        group=IndicatorGroup.OUTPUT_QUANTITY,
        measure_code="education.sessions_held",
        target=Decimal("10"),
        unit="场",
        weight=Decimal("10"),
    )
    # three of squadron A's persons have the phone app
    people = {"subject": w.subject_person, "phone_a": w.person_a, "phone_j": third}
    for username in ("phone_a", "phone_j"):
        user_create(
            actor=w.bureau_admin,
            username=username,
            role=Role.SUBJECT,
            full_name=people[username].name,
            password=PASSWORD,
            person=people[username],
            validate=False,
        )

    # 方案: the social worker plans the session
    page = browser_login(w.social_worker.username)
    base = "/".join(page.url.split("/")[:3])
    page.goto(base + f"/education/sessions/{session.pk}/")
    page.fill("#id_plan_aims", "认识毒品危害，增强拒毒意识")
    page.fill("#id_plan_content", "禁毒法要点；案例讨论")
    page.fill("#id_plan_materials", "投影仪；签到表；场地安全出口检查")
    _submit(page, "form[action$='/do/plan/'] button")
    session.refresh_from_db()
    assert session.has_plan and session.plan_written_by == w.social_worker
    # the 签到表 printed
    sheet = page.context.request.get(base + f"/education/sessions/{session.pk}/signin.pdf")
    assert sheet.ok and sheet.body()[:5] == b"%PDF-"

    # 留档: held, attendance taken, a photo added
    _submit(page, "form[action$='/do/hold/'] button")
    for person in people.values():
        row = Attendance.objects.get(session=session, person=person)
        page.click(f"#att-{row.pk} button[value=present]")
        page.wait_for_selector(f"#att-{row.pk} button.on-present")
    page.set_input_files("form[action$='/do/photo/'] input[type=file]", _png(tmp_path / "现场.png"))
    page.fill("form[action$='/do/photo/'] input[name=caption]", "讲座现场")
    _submit(page, "form[action$='/do/photo/'] button")
    assert SessionPhoto.objects.filter(session=session, caption="讲座现场").count() == 1
    assert page.locator("#photos figure img").count() == 1

    # 反馈: three participants answer on the phone
    for n, username in enumerate(people, start=1):
        phone = browser_login(username, phone=True)
        phone.goto(base + "/feedback/mine/")
        _submit(phone, "a.m-item[href*='education.session']")
        for fieldset in phone.locator("fieldset.m-question").all():
            fieldset.locator("input[type=radio]").last.check()
        if phone.locator("textarea[name=comment]").count():
            phone.fill("textarea[name=comment]", "案例讲得清楚")
        _submit(phone, "#feedback-form button[type=submit]")
        assert (
            FeedbackResponse.objects.filter(activity_kind="education.session", activity_id=session.pk).count()
            == n
        )
        if n == 1:
            screenshot(phone, "evidence-feedback-phone")
        phone.context.close()

    # the social worker's reflection, then the provider hands the month over
    page.goto(base + f"/education/sessions/{session.pk}/")
    page.fill("#id_reflection", "案例讨论效果好，下次增加互动")
    _submit(page, "form[action$='/do/reflect/'] button")
    session.refresh_from_db()
    assert session.reflection.startswith("案例讨论")
    screenshot(page, "evidence-session-detail")
    page = browser_login(w.supervisor.username)  # the provider's supervisor hands the month over
    page.goto(base + f"/evidence/contracts/{w.contract_x.pk}/")
    page.click("#handover details summary")
    page.fill("#id_month", f"{day:%Y-%m}")
    page.fill("#id_plan", "本月开展禁毒教育一场")
    page.fill("#id_summary", "三人出席，反馈良好")
    _submit(page, "#submit-month")
    row = MonthlySubmission.objects.get(contract=w.contract_x, month=day.replace(day=1))
    assert row.status == "submitted"

    # the bureau acknowledges the month and downloads the evidence pack
    bureau = browser_login(w.bureau_officer.username)
    bureau.goto(base + f"/evidence/contracts/{w.contract_x.pk}/")
    _submit(bureau, f"form[action$='/submissions/{row.pk}/acknowledge/'] button:not([formaction])")
    row.refresh_from_db()
    assert row.status == "acknowledged"
    bureau.select_option("#pack select[name=year]", str(day.year))
    _submit(bureau, "#make-pack")
    assert EvidencePack.objects.filter(contract=w.contract_x, year=day.year).count() == 1
    bureau.goto(base + f"/evidence/contracts/{w.contract_x.pk}/")
    screenshot(bureau, "evidence-contract")
    with bureau.expect_download() as info:
        bureau.click("#pack a.btn-small")
    target = tmp_path / "pack.zip"
    info.value.save_as(target)

    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
        index = list(csv.reader(io.TextIOWrapper(zf.open("index.csv"), encoding="utf-8-sig")))[1:]
        listing = next(r[7] for r in index if r[1] == "education")
        ids = [
            int(r[1]) for r in list(csv.reader(io.TextIOWrapper(zf.open(listing), encoding="utf-8-sig")))[1:]
        ]
        assert session.pk in ids
        folder = f"records/education.session/{session.pk}/"
        record = zf.read(folder + "record.txt").decode()
        assert "认识毒品危害" in record and "案例讨论效果好" in record and "照片：1 张" in record
        assert "应答 3 / 出席 3" in record
        assert zf.read(folder + "signin.pdf")[:5] == b"%PDF-"
        photo = SessionPhoto.objects.get(session=session)
        assert zf.read(folder + f"photo-{photo.pk}.jpg")[:2] == b"\xff\xd8"
        assert any(n.startswith(f"handover/{day:%Y-%m}-v1") for n in names)
