"""DOCX rendering after GB/T 9704-2012 (docs/style.md §6): A4; margins 37/35/28/26 mm; body 3号 仿宋_GB2312
with a fixed line pitch for 22 lines a page; title 2号 方正小标宋简体; "一、" 黑体, "（一）" 楷体_GB2312, "1、" and
"①" 仿宋; page numbers 4号 "— 1 —". Users open these files on Windows, where the font names exist; the ASCII
font is Times New Roman. The self-evaluation form is on landscape pages.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from jiaozheng.indicators import charts
from jiaozheng.indicators.report import Block, Document, Table

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONG = "宋体"
LATIN = "Times New Roman"
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
LINE_PT = 28.95  # 22 lines in the 225 mm text block
TABLE_PT = 10.5  # 五号


def _fonts(run: Any, east_asia: str, size: float, bold: bool = False) -> None:
    run.font.name = LATIN
    run.font.size = Pt(size)
    run.font.bold = bold
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)


def _style_defaults(doc: Any) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = Pt(BODY_PT)
    r_pr = normal.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), FANGSONG)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _page(section: Any, landscape: bool = False) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
        section.left_margin, section.right_margin = Mm(37), Mm(35)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) if not landscape else Mm(15)


def _page_number(section: Any) -> None:
    """Footer "— N —" in 4号 宋体, centred."""
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in ("— ",):
        _fonts(paragraph.add_run(text), SONG, 14)
    run = paragraph.add_run()
    _fonts(run, SONG, 14)
    for kind, value in (("begin", None), ("instr", " PAGE "), ("separate", None), ("end", None)):
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = value
            run._element.append(instr)
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._element.append(fld)
            if kind == "separate":
                text = OxmlElement("w:t")
                text.text = "1"
                run._element.append(text)
    _fonts(paragraph.add_run(" —"), SONG, 14)


def _paragraph(doc: Any, block: Block) -> None:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    kind = block.kind
    face, size, bold, indent, align = FANGSONG, BODY_PT, False, True, None
    if kind == "title":
        face, size, indent, align = XIAOBIAOSONG, TITLE_PT, False, WD_ALIGN_PARAGRAPH.CENTER
        fmt.line_spacing = Pt(36)
        fmt.space_after = Pt(LINE_PT)
    elif kind == "title2":
        face, size, indent, align = XIAOBIAOSONG, 18, False, WD_ALIGN_PARAGRAPH.CENTER
        fmt.space_after = Pt(8)
    elif kind == "subtitle":
        face, size, indent, align = KAITI, BODY_PT, False, WD_ALIGN_PARAGRAPH.CENTER
    elif kind == "meta":
        face, size, indent, align = KAITI, 14, False, WD_ALIGN_PARAGRAPH.CENTER
        fmt.space_after = Pt(LINE_PT / 2)
    elif kind == "h1":
        face = HEITI
    elif kind == "h2":
        face = KAITI
    elif kind == "h3":
        bold = True
    elif kind == "note":
        size = 12
        fmt.line_spacing = Pt(20)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for segment in block.segments:
        if not segment.text:
            continue
        run = p.add_run(segment.text)
        _fonts(run, face, size, bold)
        if segment.missing:
            run.font.color.rgb = RGBColor(0xC0, 0x39, 0x2B)


def _cell_borders(table: Any) -> None:
    tbl_pr = table._element.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "4")
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.append(borders)


def _table(doc: Any, table: Table, usable_cm: float) -> None:
    size = 9 if table.small else TABLE_PT
    if table.caption:
        caption = doc.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.paragraph_format.line_spacing = Pt(24)
        _fonts(caption.add_run(table.caption), HEITI, 12)
    columns = len(table.headers)
    header_rows = (
        0 if all(not h for h in table.headers[1:]) and table.headers[0].startswith("项目名称") else 1
    )
    grid = doc.add_table(rows=len(table.rows) + 1, cols=columns)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _cell_borders(grid)
    total = sum(table.widths) or columns
    widths = [Cm(usable_cm * w / total) for w in table.widths]
    for row in grid.rows:
        for i, cell in enumerate(row.cells):
            cell.width = widths[i]

    def write(cell: Any, segments: list[Any], *, bold: bool = False, align: str = "l") -> None:
        p = cell.paragraphs[0]
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.paragraph_format.first_line_indent = Pt(0)
        p.alignment = {"r": WD_ALIGN_PARAGRAPH.RIGHT, "c": WD_ALIGN_PARAGRAPH.CENTER}.get(
            align, WD_ALIGN_PARAGRAPH.LEFT
        )
        for segment in segments:
            if segment.text:
                _fonts(p.add_run(segment.text), FANGSONG, size, bold)

    from jiaozheng.indicators.narratives import Segment

    header = grid.rows[0].cells
    if header_rows:
        for i, text in enumerate(table.headers):
            write(header[i], [Segment(text)], bold=True, align="c")
    else:
        merged = header[0].merge(header[-1])
        write(merged, [Segment(table.headers[0])], bold=True)
    for r, row in enumerate(table.rows, start=1):
        cells = grid.rows[r].cells
        for c, cell in enumerate(row):
            if cell.covered:
                continue
            target = cells[c]
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(grid.rows[r + cell.rowspan - 1].cells[c + cell.colspan - 1])
            write(target, cell.content, bold=cell.bold, align=cell.align)
    doc.add_paragraph().paragraph_format.line_spacing = Pt(12)


def render_docx(document: Document) -> bytes:
    doc = DocxDocument()
    _style_defaults(doc)
    section = doc.sections[0]
    _page(section)
    _page_number(section)
    usable = 21.0 - 2.8 - 2.6
    figure = 0
    for block in document.blocks:
        if block.kind == "landscape":
            section = doc.add_section(WD_SECTION.NEW_PAGE)
            _page(section, landscape=True)
            usable = 29.7 - 3.7 - 3.5
            continue
        if block.kind == "pagebreak":
            doc.add_page_break()
            continue
        if block.table is not None:
            _table(doc, block.table, usable)
            continue
        if block.chart is not None:
            figure += 1
            png = charts.render(block.chart.key, block.chart.data)
            picture = doc.add_paragraph()
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            picture.add_run().add_picture(io.BytesIO(png), width=Cm(min(15.0, usable)))
            caption = doc.add_paragraph()
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _fonts(caption.add_run(block.chart.title), HEITI, 12)
            continue
        _paragraph(doc, block)
    core = doc.core_properties
    core.title = document.title
    core.author = document.contract.provider.name
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
