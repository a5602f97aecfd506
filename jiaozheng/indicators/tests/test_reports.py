"""Report texts with computed figures, the annual report (seed outline, DOCX, PDF), monthly documents, the
CLI and the background job."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from jiaozheng.contracts import services as funds
from jiaozheng.contracts.choices import FundCategory
from jiaozheng.core.jobs import job_run, job_start
from jiaozheng.indicators import services
from jiaozheng.indicators.choices import ReportKind
from jiaozheng.indicators.evaluation import evaluate
from jiaozheng.indicators.models import IndicatorResult, Narrative, ReportRun
from jiaozheng.indicators.narratives import ANNUAL_OUTLINE, Resolver
from jiaozheng.indicators.render_docx import render_docx
from jiaozheng.indicators.render_pdf import render_pdf
from jiaozheng.indicators.report import annual_report, monthly_plan, monthly_summary
from jiaozheng.indicators.testing import constant, measures
from jiaozheng.indicators.tests.conftest import indicator_data

pytestmark = pytest.mark.django_db

SEED_LIKE = {
    "t.sessions": constant(158),
    "t.installs": constant(255),
    "t.coverage": (constant(Decimal("0.9")), "rate"),
}


def _pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def seeded(world, contract_2024):
    """Contract-year 2024 with two indicators, a budget line, spending and a payment."""
    admin = world.bureau_admin
    with measures(**SEED_LIKE):
        services.indicator_save(
            actor=admin,
            contract=contract_2024,
            year=2024,
            data=indicator_data("education", "t.sessions", 156, 60, name="集中教育学习场次"),
        )
        services.indicator_save(
            actor=admin,
            contract=contract_2024,
            year=2024,
            data=indicator_data(
                "app_installs",
                "t.installs",
                250,
                40,
                name="定位服务（APP安装）人次",
                unit="人次",
                rate_display="uncapped",
                rate_label="电子监管率",
                coverage_measure_code="t.coverage",
            ),
        )
    line = funds.fund_line_save(
        actor=admin, contract=contract_2024, category=FundCategory.PERSONNEL, name="人员开支", amount=890980
    )
    funds.payment_record(actor=admin, contract=contract_2024, paid_on=dt.date(2024, 1, 15), amount=890980)
    funds.expenditure_record(
        actor=admin,
        contract=contract_2024,
        line=line,
        spent_on=dt.date(2024, 3, 1),
        amount=890980,
        description="工资",
    )
    return contract_2024


def test_tokens_become_figures_with_links_and_unknown_tokens_are_refused(world, seeded):
    with measures(**SEED_LIKE):
        evaluation = evaluate(seeded, 2024)
        resolver = Resolver(evaluation, lambda kind, key: f"/{kind}/{key}")
        (paragraph,) = resolver.paragraphs(
            "完成{{m.t.sessions}}场次，完成率{{i.education.rate}}{{i.education.excess_note}}，"
            "电子监管率{{i.app_installs.rate}}{{i.app_installs.coverage_note}}，共计{{f.spent}}万元。"
        )
    assert paragraph.text == (
        "完成158场次，完成率100%（实际完成158场次，超额完成2场次），电子监管率102%"
        "（电子监管率按定位APP安装255人次÷合同约定250人次计算；按在矫对象计算的实际覆盖率为90%），共计89.098万元。"
    )
    links = [s.link for s in paragraph.segments if s.figure]
    assert "/measure/t.sessions" in links and "/funds/" in links
    # a typed token that does not exist is refused when the text is saved, and nothing is stored
    with pytest.raises(ValidationError) as excinfo:
        services.narrative_save(
            actor=world.bureau_admin,
            contract=seeded,
            year=2024,
            key="overview",
            text="{{i.nothing.actual}}场次",
        )
    assert "i.nothing.actual" in " ".join(excinfo.value.messages)
    assert not Narrative.objects.exists()
    with pytest.raises(ValidationError):
        services.narrative_save(
            actor=world.bureau_admin, contract=seeded, year=2024, key="no_such_section", text="x"
        )


def test_the_annual_report_follows_the_seed_outline_and_renders_to_docx_and_pdf(world, seeded):
    services.narrative_save(
        actor=world.bureau_admin,
        contract=seeded,
        year=2024,
        key="efficiency",
        text="累计完成集中教育学习培训{{m.t.sessions}}场次。",
    )
    with measures(**SEED_LIKE):
        doc = annual_report(seeded, 2024)
        docx_bytes = render_docx(doc)
        pdf_bytes = render_pdf(doc)
    headings = [b.plain for b in doc.blocks if b.kind == "h1"]
    assert headings[:6] == [
        "一、项目基本情况",
        "二、绩效评价指标分析情况",
        "三、项目后续工作计划",
        "四、评价情况及评价结论",
        "五、主要经验做法、存在问题、改进措施和建议",
        "六、其他",
    ]
    assert headings[-1] == "附表"
    assert len([p for p in ANNUAL_OUTLINE if p.key]) == 20
    text = doc.text()
    assert "累计完成集中教育学习培训158场次。" in text  # the stored text, its figure computed
    assert "自评得分100分" in text and "“优”" in text
    # the DOCX names the GB/T 9704 fonts and holds the same words; the PDF is a real multi-page PDF
    from docx import Document as Docx

    parsed = Docx(io.BytesIO(docx_bytes))
    words = "\n".join(p.text for p in parsed.paragraphs) + "\n".join(
        c.text for t in parsed.tables for r in t.rows for c in r.cells
    )
    assert "累计完成集中教育学习培训158场次。" in words and "102%" in words and "89.098" in words
    xml = parsed.element.xml + parsed.styles.element.xml
    assert "仿宋_GB2312" in xml and "黑体" in xml and "楷体_GB2312" in xml and "方正小标宋简体" in xml
    section = parsed.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert parsed.sections[-1].orientation == 1  # the self-evaluation form is landscape
    assert pdf_bytes.startswith(b"%PDF")
    assert _pages(pdf_bytes) >= 5


def test_monthly_plan_and_summary_are_built_from_the_records(world, seeded):
    with measures(**SEED_LIKE):
        plan = monthly_plan(seeded, 2024, 5)
        summary = monthly_summary(seeded, 2024, 3)
        plan_docx = render_docx(plan)
    assert plan.title.endswith("2024年5月工作计划")
    plan_text = plan.text()
    assert "一、截至上月末完成情况" in plan_text and "二、本月工作安排" in plan_text
    summary_text = summary.text()
    assert "本月支出89.098万元" in summary_text  # the March expenditure
    assert "人员开支 89.098" in summary_text
    assert plan_docx[:2] == b"PK"


def test_cli_lists_contracts_and_writes_the_annual_report(world, seeded, tmp_path):
    out = io.StringIO()
    call_command("report", "contracts", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {"code": "X-2024", "name": "溆浦县2024年社区矫正购买服务项目"}.items() <= next(
        r for r in rows if r["code"] == "X-2024"
    ).items()
    assert next(r for r in rows if r["code"] == "X-2024")["period"] == {
        "start": "2024-01-01",
        "end": "2024-12-31",
    }
    out = io.StringIO()
    with measures(**SEED_LIKE):
        call_command(
            "report", "annual", "--contract", "X-2024", "--year", "2024", "--format", "json", stdout=out
        )
        data = json.loads(out.getvalue())
        path = tmp_path / "r.docx"
        call_command(
            "report",
            "annual",
            "--contract",
            "X-2024",
            "--year",
            "2024",
            "--format",
            "docx",
            "--output",
            str(path),
            stderr=io.StringIO(),
        )
    education = next(i for i in data["indicators"] if i["code"] == "education")
    assert {k: education[k] for k in ("code", "target", "actual", "score")} == {
        "code": "education",
        "target": 156.0,
        "actual": 158.0,
        "score": 60.0,
    }
    assert data["funds"]["lines"][0]["spent"] == 890980.0 and data["funds"]["totals"]["spent"] == 890980.0
    assert path.read_bytes()[:2] == b"PK"
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("report", "annual", "--contract", "NOPE", "--year", "2024", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("report", "annual", "--contract", "X-2024", "--year", "2019", stdout=io.StringIO())


def test_the_report_job_keeps_the_file_and_the_figures_it_shows(world, seeded):
    with measures(**SEED_LIKE):
        job = job_start(
            actor=world.bureau_officer,
            kind="indicators.report",
            title="X-2024 annual",
            params={
                "contract": seeded.pk,
                "year": 2024,
                "kind": ReportKind.ANNUAL,
                "format": "docx",
                "month": 0,
            },
            county=world.county_x,
        )
        job = job_run(job.pk)
    assert job.status == job.Status.SUCCEEDED, job.result
    assert job.result_file.name.endswith(".docx")
    run = ReportRun.objects.get()
    assert run.total_score == 100 and run.grade == "excellent" and run.created_by == world.bureau_officer
    result = IndicatorResult.objects.get(run=run, code="app_installs")
    assert (result.actual, result.target, result.unit, result.score) == (
        Decimal("255.0000"),
        Decimal("250"),
        "人次",
        Decimal("40"),
    )
    assert result.ratio == Decimal("1.020000")
