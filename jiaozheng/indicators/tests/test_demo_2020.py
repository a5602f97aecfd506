"""The demo county's 2020 report reproduces the seed's figures, each computed from the service modules'
records (never typed): 158 education sessions, 158 community activities, 255 assessed, 247 valid,
6 group sessions, 20 individual cases, 255 installs, 102 % e-supervision, fund lines of 89.098万.

The demo is loaded once (it takes a while) and removed afterwards. The checks run inside one test so that
the load happens once however the suite is spread over workers; a failure lists every check that failed.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SEED_SENTENCE = (
    "累计完成集中教育学习培训158场次，社区服务158场次，心理测量255人（出具社区矫正对象《心理测验与评估分析报告》247份），"
    "团体心理辅导6场次，个案心理咨询20人，定位服务255人次。"
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def kpi(demo, django_db_blocker):
    with django_db_blocker.unblock():
        out = io.StringIO()
        call_command(
            "report", "annual", "--contract", "XP-2020", "--year", "2020", "--format", "json", stdout=out
        )
        return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def docx_text(demo, django_db_blocker, tmp_path_factory):
    from docx import Document

    path = tmp_path_factory.mktemp("report") / "XP-2020.docx"
    with django_db_blocker.unblock():
        call_command(
            "report",
            "annual",
            "--contract",
            "XP-2020",
            "--year",
            "2020",
            "--format",
            "docx",
            "--output",
            str(path),
            stderr=io.StringIO(),
        )
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


SEED_FIGURES = [  # indicator code, actual, target
    ("education", 158, 156),
    ("community", 158, 156),
    ("assessed", 255, 250),
    ("valid_assessments", 247, 250),
    ("group_sessions", 6, 6),
    ("individual_cases", 20, 20),
    ("app_installs", 255, 250),
    ("routine_visits", 330, 330),
    ("focus_subjects", 50, 50),
    ("special_subjects", 20, 20),
]


def _check_the_kpi_json_holds_the_seeds_figures(kpi):
    rows = {i["code"]: i for i in kpi["indicators"]}
    wrong = [
        f"{code}: {rows[code]['actual']}/{rows[code]['target']} ({rows[code]['problem']})"
        for code, actual, target in SEED_FIGURES
        if (rows[code]["actual"], rows[code]["target"]) != (actual, target)
    ]
    assert not wrong, wrong


def _check_the_over_100_percent_rule_reproduces_the_seed(kpi):
    rows = {i["code"]: i for i in kpi["indicators"]}
    assert rows["education"]["rate_shown"] == "100%" and rows["education"]["excess"] == 2
    assert rows["community"]["rate_shown"] == "100%"
    assert rows["app_installs"]["rate_shown"] == "102%" and rows["app_installs"]["rate_name"] == "电子监管率"
    assert 0 < rows["app_installs"]["coverage"] <= 100  # the true coverage, shown beside it
    assert rows["valid_assessments"]["rate_shown"] == "98.8%"


def _check_the_funds_match_the_seed(kpi):
    funds = kpi["funds"]
    assert (funds["budget"], funds["contract_price"], funds["paid"]) == (891000.0, 890980.0, 890980.0)
    assert [line["spent"] for line in funds["lines"]] == [
        339980,
        26000,
        120000,
        120000,
        80000,
        100000,
        55000,
        50000,
    ]
    assert sum(line["spent"] for line in funds["lines"]) == 890980.0
    assert funds["budget_execution_rate"] == pytest.approx(0.9999776, abs=1e-6)
    assert [c["code"] for c in funds["checks"]] == ["ok"]


def _check_the_report_docx_says_what_the_seed_says(docx_text):
    assert SEED_SENTENCE in docx_text
    assert (
        "该项目年度资金财政预算为89.1万元，中标价为89.098万元，实际支付89.098万元，目前项目资金已经全部拨款到位。"
        in docx_text
    )
    assert "共计89.098万元" in docx_text
    assert "实际完成量化考核指标100%（实际完成158场次，超额完成2场次）" in docx_text
    assert "共完成心理健康状况测量255人，有效评估247人" in docx_text
    assert "社区矫正对象电子监管率为102%" in docx_text
    assert "2019年8月，湖南省德馨社会工作服务中心（以下简称湖南德馨社工）中标" in docx_text
    assert "绩效自评表" in docx_text


def test_the_2020_demo_reproduces_the_seed(kpi, docx_text):
    checks = [
        (_check_the_kpi_json_holds_the_seeds_figures, kpi),
        (_check_the_over_100_percent_rule_reproduces_the_seed, kpi),
        (_check_the_funds_match_the_seed, kpi),
        (_check_the_report_docx_says_what_the_seed_says, docx_text),
    ]
    failed = []
    for check, data in checks:
        try:
            check(data)
        except AssertionError as exc:
            failed.append(f"{check.__name__}: {exc}")
    assert not failed, "\n".join(failed)
