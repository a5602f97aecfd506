"""文书 of the supervision procedures: the 解除社区矫正证明书 as DOCX and PDF.

Layout of an official document (GB/T 9704 habits): title in 小标宋 二号 centred, the number under it, body in
仿宋 三号, the issuing agency and date at the right. The wording is the platform's own.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

TITLE = "解除社区矫正证明书"


def _body(release: Any) -> list[str]:
    p = release.person
    return [
        f"{p.name}，{p.get_gender_display()}，{p.birth_date:%Y年%m月%d日}出生，"
        f"因{p.offence or p.get_offence_category_display()}，经{p.deciding_authority or '原决定机关'}"
        f"依法判处（决定）{p.get_correction_type_display()}，"
        f"于{p.term_start:%Y年%m月%d日}起在本县（区）接受社区矫正。",
        f"该社区矫正对象矫正期限至{p.term_end:%Y年%m月%d日}届满，"
        f"依照《中华人民共和国社区矫正法》第四十四条的规定，"
        f"自{release.released_on:%Y年%m月%d日}起解除社区矫正。",
        "特此证明。",
    ]


def _context(release: Any) -> dict[str, Any]:
    return {
        "title": TITLE,
        "number": release.number_text,
        "paragraphs": _body(release),
        "agency": release.county.name,
        "date": f"{release.released_on:%Y年%m月%d日}",
    }


def certificate_docx(release: Any) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    ctx = _context(release)
    doc = Document()
    section = doc.sections[0]
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    def run(par: Any, text: str, font: str, size: float, bold: bool = False) -> None:
        r = par.add_run(text)
        r.font.name = "Times New Roman"
        r.font.size = Pt(size)
        r.font.bold = bold
        r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(title, ctx["title"], "方正小标宋简体", 22)
    number = doc.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(number, ctx["number"], "仿宋_GB2312", 16)
    for text in ctx["paragraphs"]:
        par = doc.add_paragraph()
        par.paragraph_format.first_line_indent = Pt(32)
        par.paragraph_format.line_spacing = Pt(28)
        run(par, text, "仿宋_GB2312", 16)
    for text in (ctx["agency"], ctx["date"]):
        par = doc.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run(par, text, "仿宋_GB2312", 16)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def certificate_pdf(release: Any) -> bytes:
    from weasyprint import HTML

    html = render_to_string("supervision/certificate_pdf.html", _context(release))
    return HTML(string=html, base_url=str(Path(__file__).parent)).write_pdf()


def certificate_filename(release: Any, ext: str) -> str:
    return f"{TITLE}-{release.person.name}-{release.year}-{release.number:03d}.{ext}"
