"""Browser: from an empty database (one superuser) to a downloaded annual report, with no shell step.

Issue 18, "What it must show". The superuser creates the county (picked from the shipped division list)
and its first bureau administrator; the administrator, forced to choose their own password, sets up two
squadrons, a provider, three staff accounts and a contract-year with budget lines adding up to the price
and five indicators chosen in plain words; the staff, each forced to change their temporary password,
upload a small year of records through the modules' import pages (persons first); the annual report is
generated and downloaded as DOCX and the five figures of its self-evaluation table equal the counts of
what was uploaded. Every step is a page of the platform, reached from the menu or a page's own link; the
ORM only creates the superuser, and the figures are read from the downloaded file.

The records are dated in 2026 (the latest on 2026-08-22): the test needs a clock past that date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse

from conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2026  # the contract-year; an import refuses records dated in the future
COUNTY_LABEL = "湖南省 怀化市 辰溪县（431223）"  # from the shipped division list
SQUADRON_A, SQUADRON_B = "辰阳中队", "锦滨中队"
PROVIDER = "辰溪县阳光社会工作服务中心"
OFFICER = "向东"  # the squadron officer's full name: the visitor of the visits he imports
CONTRACT = "CX-2026-001"

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(birth: dt.date, seq: int, male: bool) -> str:
    sex = (2 * seq + 1) % 10 if male else (2 * seq) % 10
    body = f"431223{birth:%Y%m%d}{seq:02d}{sex}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


# name, gender, birth date, squadron, term start, term end, intake
PERSONS = [
    ("张建国", "男", dt.date(1980, 5, 12), SQUADRON_A, "2025-10-01", "2027-09-30", "2025-10-08"),
    ("李红梅", "女", dt.date(1988, 3, 22), SQUADRON_A, "2026-02-01", "2027-01-31", "2026-02-05"),
    ("王小军", "男", dt.date(1995, 7, 1), SQUADRON_A, "2026-01-10", "2026-10-09", "2026-01-12"),
    ("赵志刚", "男", dt.date(1975, 11, 30), SQUADRON_B, "2025-06-01", "2026-11-30", "2025-06-03"),
    ("刘芳", "女", dt.date(1990, 9, 9), SQUADRON_B, "2026-04-01", "2027-03-31", "2026-04-02"),
    ("陈明", "男", dt.date(1983, 1, 15), SQUADRON_B, "2026-03-01", "2027-02-28", "2026-03-03"),
]
IDS = {p[0]: id_number(p[2], n + 11, p[1] == "男") for n, p in enumerate(PERSONS)}


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def persons_file() -> bytes:
    header = [
        "姓名", "性别", "出生日期", "身份证号", "文化程度", "就业情况", "居住地址", "中队/司法所",
        "矫正类别", "犯罪类型", "罪名", "矫正起始日期", "矫正结束日期", "报到日期", "管理等级",
    ]  # fmt: skip
    rows = [header]
    for name, gender, birth, squadron, start, end, intake in PERSONS:
        rows.append(
            [name, gender, birth.isoformat(), IDS[name], "初中", "务农", f"辰溪县辰阳镇{name}家",
             squadron, "缓刑", "危险驾驶", "危险驾驶罪", start, end, intake, "普管"]
        )  # fmt: skip
    return xlsx_bytes(rows)


# education: (key, date, title, squadrons, status, attendance {name: 出席/缺席/请假})
SESSIONS = [
    ("E1", "2026-03-10", "法律常识进社区", SQUADRON_A, "已开展", {"张建国": "出席", "李红梅": "出席", "王小军": "缺席"}),
    ("E2", "2026-05-12", "道德规范学习", SQUADRON_B, "已开展", {"赵志刚": "出席", "刘芳": "出席", "陈明": "请假"}),
    ("E3", "2026-06-16", "红色经典文化", f"{SQUADRON_A}、{SQUADRON_B}", "已开展", dict.fromkeys(IDS, "出席")),
    ("E4", "2026-07-14", "禁毒宣传", SQUADRON_A, "已取消", {}),
]  # fmt: skip


def education_file() -> bytes:
    header = ["场次编号", "日期", "开始时间", "结束时间", "主题", "课程类别", "形式", "中队", "地点",
              "授课人", "状态", "取消原因", "身份证号", "姓名", "出勤"]  # fmt: skip
    rows = [header]
    for key, day, title, squadrons, status, attendance in SESSIONS:
        common = [key, day, "09:00", "11:00", title, "法律常识", "集中教育", squadrons, "中队教育室", "周婷",
                  status, "天气灾害" if status == "已取消" else ""]  # fmt: skip
        if not attendance:
            rows.append([*common, "", "", ""])
        for name, mark in attendance.items():
            rows.append([*common, IDS[name], name, mark])
    return csv_bytes(rows)


# community service: (key, date, theme, squadron, {name: 已参加/缺席})
ACTIVITIES = [
    ("G1", "2026-04-18", "敬老院清扫", SQUADRON_A, {"张建国": "已参加", "李红梅": "已参加", "王小军": "缺席"}),
    ("G2", "2026-08-22", "文明交通劝导", SQUADRON_B, {"赵志刚": "已参加", "刘芳": "已参加", "陈明": "已参加"}),
]  # fmt: skip


def community_file() -> bytes:
    header = ["活动编号", "日期", "开始时间", "结束时间", "主题", "活动类型", "中队", "场所", "场所类型", "组织者",
              "状态", "参与者类型", "身份证号", "姓名", "参与情况"]  # fmt: skip
    rows = [header]
    for key, day, theme, squadron, who in ACTIVITIES:
        for name, mark in who.items():
            rows.append([key, day, "08:30", "11:30", theme, "环境卫生清扫", squadron, "辰溪县敬老院", "敬老院",
                         "周婷", "已开展", "社区矫正对象", IDS[name], name, mark])  # fmt: skip
    return csv_bytes(rows)


# visits by the squadron officer (own squadron only): (name, type, date, outcome)
VISITS = [
    ("张建国", "日常走访", "2026-02-15", "已走访"),
    ("张建国", "日常走访", "2026-05-15", "已走访"),
    ("李红梅", "日常走访", "2026-03-20", "已走访"),
    ("王小军", "日常走访", "2026-04-10", "已走访"),
    ("李红梅", "重点走访", "2026-06-01", "已走访"),
    ("王小军", "日常走访", "2026-08-01", "未见到本人"),
]


def visits_file() -> bytes:
    rows = [["身份证号", "姓名", "走访类型", "走访方式", "走访日期", "走访结果", "走访人员"]]
    rows += [
        [IDS[name], name, kind, "电话问询", day, outcome, OFFICER] for name, kind, day, outcome in VISITS
    ]
    return xlsx_bytes(rows)


# app installs: (name, installed, ended)
INSTALLS = [
    ("张建国", "2026-01-05", "2026-06-30"),
    ("张建国", "2026-07-01", ""),
    ("李红梅", "2026-02-06", ""),
    ("王小军", "2026-01-15", ""),
    ("赵志刚", "2026-03-01", ""),
    ("刘芳", "2026-04-03", ""),
    ("陈明", "2026-03-05", ""),
]


def installs_file() -> bytes:
    rows = [["身份证号", "安装日期", "停用日期", "手机型号"]]
    rows += [[IDS[name], on, off, "华为畅享 20"] for name, on, off in INSTALLS]
    return csv_bytes(rows)


# The five indicators, chosen by what they count in plain words, and the figure each must show.
EXPECTED = {
    "服务对象人数": len(PERSONS),
    "教育学习场次": sum(1 for s in SESSIONS if s[4] == "已开展"),
    "社区服务参加人次": sum(1 for a in ACTIVITIES for mark in a[4].values() if mark == "已参加"),
    "日常走访人次": sum(1 for v in VISITS if v[1] == "日常走访" and v[3] == "已走访"),
    "定位服务（APP安装）人次": len(INSTALLS),
}
UNITS = {"服务对象人数": "人", "教育学习场次": "场次"}
# what each import job says it wrote, in the kind's own units
EDUCATION_WRITTEN = f"已导入：{len(SESSIONS)} 场教育活动、{sum(len(s[5]) for s in SESSIONS)} 条出勤记录"
COMMUNITY_WRITTEN = (
    f"已导入：{len(ACTIVITIES)} 场社区服务活动、{sum(len(a[4]) for a in ACTIVITIES)} 条参与记录"
)


# --- browser helpers -------------------------------------------------------------------------------------


def _follow(page, locator) -> None:
    """Click a link or a submit button and wait for the page it leads to."""
    with page.expect_navigation(wait_until="domcontentloaded"):
        locator.click()


def _go(page, url_name: str) -> None:
    """Follow the sidebar's link to a page: the menu must offer it to this account."""
    _follow(page, page.locator(f'#sidebar a[href="{reverse(url_name)}"]'))


def _save(page) -> None:
    _follow(page, page.locator("main form[method=post] button.btn-primary").last)


def _first_sign_in(browser, base_url: str, username: str, temporary: str, new: str):
    page = sign_in(browser, base_url, username, password=temporary, accept_downloads=True)
    assert "/orgs/account/" in page.url, f"{username} was not sent to choose a password: {page.url}"
    page.fill("#id_old_password", temporary)
    page.fill("#id_new_password1", new)
    page.fill("#id_new_password2", new)
    _follow(page, page.locator("form:has(input[name=form][value=password]) button"))
    assert page.locator(".messages .success").count(), page.locator("main").inner_text()
    page.goto(f"{base_url}/")
    assert "/orgs/account/" not in page.url
    return page


def _problems(page) -> str:
    """The page's messages and each field error with the field it belongs to."""
    texts = page.locator(".messages li").all_inner_texts()
    texts += page.evaluate(
        "[...document.querySelectorAll('.errorlist')].map(e => ((e.closest('td, .field') || e)"
        ".querySelector('input, select, textarea') || {}).name + ': ' + e.innerText)"
    )
    return " | ".join(texts)


def _temporary_password(page, username: str) -> str:
    assert page.locator("[data-testid=username]").inner_text() == username, page.locator("main").inner_text()
    password = page.locator("[data-testid=temporary-password]").inner_text().strip()
    assert len(password) >= 10
    return password


def _upload(page, link_href: str, name: str, content: bytes, expect: str) -> str:
    """From the page holding the import link: open the import page, upload, wait for the job to finish."""
    _follow(page, page.locator(f'a[href="{link_href}"]').first)
    mime = (
        "text/csv"
        if name.endswith(".csv")
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    page.set_input_files("main form[enctype='multipart/form-data'] input[type=file]",
                         files=[{"name": name, "mimeType": mime, "buffer": content}])  # fmt: skip
    page.locator("main form[enctype='multipart/form-data'] button.btn-primary").click()
    page.wait_for_url(re.compile(r".*/jobs/\d+/$"))
    wait_for_job(page)
    text = page.locator("#job-progress").inner_text()
    assert page.locator("#job-progress > p .tag").first.get_attribute("class") == "tag tag-ok", (
        f"{name}: {text}"
    )
    assert expect in text, f"{name}: {text}"
    return text


def wait_for_job(page, timeout: float = 30.0) -> None:
    from conftest import wait_until

    wait_until(page, "!document.querySelector('#job-progress[hx-get]')", timeout=timeout)


def _report_figures(docx: bytes) -> dict[str, str]:
    """三级指标 → 实际完成值 from the self-evaluation table (自评表) of the downloaded report."""
    from docx import Document

    document = Document(io.BytesIO(docx))
    for table in document.tables:
        header = [c.text.strip() for c in table.rows[0].cells]
        if "三级指标" in header and "实际完成值" in header:
            name_col, actual_col = header.index("三级指标"), header.index("实际完成值")
            return {
                row.cells[name_col].text.strip(): row.cells[actual_col].text.strip() for row in table.rows[1:]
            }
    raise AssertionError("the report has no self-evaluation table")


# --- the test --------------------------------------------------------------------------------------------


def test_from_an_empty_database_to_the_annual_report_through_the_pages_only(browser, live_server):
    from jiaozheng.orgs.models import OrgUnit, User

    assert not OrgUnit.objects.exists() and not User.objects.exists()
    User.objects.create_superuser("root", password="Root-pass-2026")
    base = live_server.url
    pages = []

    try:
        # 1. the operator: the county from the division list, and its first administrator
        root = sign_in(browser, base, "root", password="Root-pass-2026")
        pages.append(root)
        _go(root, "orgs:setup")
        _follow(root, root.get_by_role("link", name="新建县（区）"))
        root.select_option("#id_division", label=COUNTY_LABEL)
        root.fill("#id_admin_username", "cx_admin")
        root.fill("#id_admin_full_name", "辰溪管理员")
        _save(root)
        admin_temp = _temporary_password(root, "cx_admin")
        screenshot(root, "onboarding-1-county-created")

        # 2. the administrator chooses a password, then sets the county up
        admin = _first_sign_in(browser, base, "cx_admin", admin_temp, "Cx-admin-own-2026")
        pages.append(admin)
        _go(admin, "orgs:setup")
        for squadron in (SQUADRON_A, SQUADRON_B):
            _follow(admin, admin.get_by_role("link", name="添加中队／司法所"))
            admin.fill("#id_name", squadron)
            _save(admin)
            assert f"{squadron}" in admin.locator("main").inner_text()
        _follow(admin, admin.get_by_role("link", name="登记社工机构"))
        admin.fill("#id_name", PROVIDER)
        admin.fill("#id_short_name", "阳光社工")
        admin.fill("#id_credit_code", "52431223MJ1234567X")
        admin.fill("#id_head_office", "怀化市鹤城区")
        admin.fill("#id_contact_name", "周婷")
        _save(admin)
        assert PROVIDER in admin.locator("main").inner_text()
        screenshot(admin, "onboarding-2-county-set-up")

        accounts = [
            ("cx_officer", OFFICER, "squadron_officer", [SQUADRON_A], False),
            ("cx_social", "周婷", "social_worker", [SQUADRON_A, SQUADRON_B], True),
            ("cx_counsellor", "吴心怡", "counsellor", ["辰溪县"], True),
        ]
        passwords = {}
        for username, full_name, role, units, with_provider in accounts:
            _go(admin, "orgs:setup")
            _follow(admin, admin.get_by_role("link", name="新建工作人员账号"))
            admin.fill("#id_username", username)
            admin.fill("#id_full_name", full_name)
            admin.select_option("#id_role", value=role)
            for unit in units:
                admin.locator("#id_units").get_by_label(unit, exact=True).check()
            if with_provider:
                admin.select_option("#id_provider", label="阳光社工")
            _save(admin)
            passwords[username] = _temporary_password(admin, username)

        # the contract-year, from the template: header, three budget lines, five indicators
        _go(admin, "indicators:contract_setup")
        admin.fill("#id_c-code", CONTRACT)
        admin.fill("#id_c-name", "辰溪县2026年社区矫正购买服务项目")
        admin.select_option("#id_c-buyer", label="辰溪县")
        admin.select_option("#id_c-provider", label="阳光社工")
        admin.fill("#id_c-start_on", f"{YEAR}-01-01")
        admin.fill("#id_c-end_on", f"{YEAR}-12-31")
        admin.fill("#id_c-budget_amount", "600000")
        admin.fill("#id_c-contract_amount", "580000")
        admin.fill("#id_c-signed_on", f"{YEAR}-01-01")
        line_rows = int(admin.locator("#id_lines-TOTAL_FORMS").input_value())
        for n, (category, name, amount) in enumerate(
            [("personnel", "驻点社工工资及五险一金", "380000"), ("education", "集中教育学习费", "120000"),
             ("visits", "走访调查费用", "80000")]
        ):  # fmt: skip
            admin.select_option(f"#id_lines-{n}-category", value=category)
            admin.fill(f"#id_lines-{n}-name", name)
            admin.fill(f"#id_lines-{n}-amount", amount)
        for n in range(3, line_rows):
            if admin.locator(f"#id_lines-{n}-name").input_value():
                admin.check(f"#id_lines-{n}-DELETE")
        indicator_rows = int(admin.locator("#id_ind-TOTAL_FORMS").input_value())
        for n in range(indicator_rows):
            admin.uncheck(f"#id_ind-{n}-include")
        for n, (label, target) in enumerate(zip(EXPECTED, (10, 12, 20, 24, 10), strict=True)):
            admin.check(f"#id_ind-{n}-include")
            admin.select_option(f"#id_ind-{n}-measure", label=label)
            admin.fill(f"#id_ind-{n}-name", label)
            admin.select_option(f"#id_ind-{n}-group", value="output_quantity")
            admin.select_option(f"#id_ind-{n}-direction", value="higher")
            admin.fill(f"#id_ind-{n}-target", str(target))
            admin.fill(f"#id_ind-{n}-unit", UNITS.get(label, "人次"))
            admin.fill(f"#id_ind-{n}-weight", "20")
        screenshot(admin, "onboarding-3-contract-year-form")
        _follow(admin, admin.get_by_role("button", name="保存合同年度"))
        assert re.search(r"/indicators/\d+/", admin.url), _problems(admin)
        assert f"{CONTRACT}" in admin.locator(".messages").inner_text()

        # 3. a year of records, persons first, each by the staff who own them
        _go(admin, "people:person_list")
        _upload(
            admin,
            reverse("people:person_import"),
            "矫正对象.xlsx",
            persons_file(),
            f"已导入：{len(PERSONS)} 名社区矫正对象",
        )
        screenshot(admin, "onboarding-4-persons-imported")

        social = _first_sign_in(browser, base, "cx_social", passwords["cx_social"], "Cx-social-own-2026")
        pages.append(social)
        _go(social, "education:session_list")
        _upload(social, reverse("education:import"), "教育学习.csv", education_file(), EDUCATION_WRITTEN)
        _go(social, "location:device_list")
        _upload(
            social,
            reverse("location:installs_import"),
            "定位安装.csv",
            installs_file(),
            f"已导入：{len(INSTALLS)} 条APP安装记录",
        )

        counsellor = _first_sign_in(
            browser, base, "cx_counsellor", passwords["cx_counsellor"], "Cx-couns-own-2026"
        )
        pages.append(counsellor)
        _go(counsellor, "community:activity_list")
        _upload(counsellor, reverse("community:import"), "社区服务.csv", community_file(), COMMUNITY_WRITTEN)

        officer = _first_sign_in(browser, base, "cx_officer", passwords["cx_officer"], "Cx-officer-own-2026")
        pages.append(officer)
        _go(officer, "visits:visit_list")
        _upload(
            officer, reverse("visits:import"), "走访记录.xlsx", visits_file(), f"已导入：{len(VISITS)} 次走访"
        )
        screenshot(officer, "onboarding-5-visits-imported")

        # 4. the annual report of the contract-year, generated and downloaded as DOCX
        _go(admin, "indicators:index")
        _follow(admin, admin.locator(".card", has_text=CONTRACT).get_by_role("link", name="年度自评报告"))
        admin.locator("form.generate button[value=docx]").click()
        admin.wait_for_url(re.compile(r".*/jobs/\d+/$"))
        wait_for_job(admin, timeout=60)
        screenshot(admin, "onboarding-6-report-generated")
        with admin.expect_download() as download:
            admin.locator("#job-progress a.btn-primary").click()
        with open(download.value.path(), "rb") as handle:
            figures = _report_figures(handle.read())
        assert {name: figures.get(name) for name in EXPECTED} == {
            name: f"{count}{UNITS.get(name, '人次')}" for name, count in EXPECTED.items()
        }, figures
    finally:
        for page in pages:
            page.context.close()
