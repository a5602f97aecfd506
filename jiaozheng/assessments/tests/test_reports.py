"""The individual report: PDF and DOCX for a demo-like person open and carry Chinese text, the norm used,
the scores, the factor profile chart, the validity statement, comments and the signature block."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from jiaozheng.assessments import services
from jiaozheng.assessments.reports import build, render_docx, render_pdf
from jiaozheng.assessments.tests.test_scoring import VECTOR_1_5
from jiaozheng.audit.models import AccessLog

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "reports"


@pytest.fixture
def report(world):
    assessment = services.paper_form_enter(
        actor=world.counsellor,
        person=world.person_a,
        scale_code="scl90",
        answers=VECTOR_1_5,
        administered_on=timezone.localdate(),
        minutes=24,
    )
    return services.report_issue(
        actor=world.counsellor,
        assessment=assessment,
        comments="测评显示多项因子分偏高，以偏执、焦虑、其他（睡眠饮食）为主。\n建议安排个案心理辅导，三个月后复测。",
        counsellor_name="唐静",
    )


def pdf_text(content: bytes) -> str:
    import subprocess

    done = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def test_the_pdf_report_opens_and_shows_the_chinese_report(report):
    # when the PDF is rendered
    content = render_pdf(report)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report-scl90.pdf").write_bytes(content)
    # then it is a PDF whose text holds the title, the identity block, scores, norm, validity, comments, signature
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for expected in (
        "心理测验与评估分析报告",
        report.number,
        "甲某",
        "症状自评量表",
        "总分",
        "310",
        "躯体化",
        "3.25",
        "全国常模",
        "金华",
        "有效",
        "可考虑筛查阳性",
        "唐静",
        "签名",
        "—1—",
    ):
        assert expected in text.replace(" ", ""), expected
    # and it has an embedded raster chart (the factor profile)
    assert b"/Subtype /Image" in content or b"/Subtype/Image" in content


def test_the_docx_report_opens_with_chinese_fonts_on_east_asia(report):
    from docx import Document

    content = render_docx(report)
    (ARTIFACTS).mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report-scl90.docx").write_bytes(content)
    doc = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "心理测验与评估分析报告" in text and "咨询师意见" in text and "唐静" in text
    assert "甲某" in cells and "躯体化" in cells and "3.25" in cells
    xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode("utf-8")
    assert (
        'w:eastAsia="仿宋_GB2312"' in xml
        and 'w:eastAsia="黑体"' in xml
        and 'w:eastAsia="方正小标宋简体"' in xml
    )
    assert len(doc.inline_shapes) == 1  # the factor profile chart
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.top_margin.mm) == 37


def test_the_report_states_its_norm_and_the_validity(report):
    data = build(report)
    assert any("全国常模（1986，变体A）" in line for line in data.norm_text)
    assert any("原始文献尚未核对" in line for line in data.norm_text)
    assert data.validity_text[0] == "本次测评有效性判定为：有效。"
    assert "可考虑筛查阳性" in data.screening_text
    assert any(line.startswith("偏执因子分 3.8333") for line in data.interpretation)


def test_report_downloads_are_scoped_and_logged(world, login, report):
    client = login(world.counsellor)
    response = client.get(reverse("assessments:report_pdf", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert AccessLog.objects.filter(kind="psych", object_id=str(report.pk), actor=world.counsellor).exists()
    assert (
        login(world.bureau_officer_y).get(reverse("assessments:report_docx", args=[report.pk])).status_code
        == 404
    )
