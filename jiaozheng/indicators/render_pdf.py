"""PDF rendering with WeasyPrint from the same blocks as the DOCX (fonts embedded and subset)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from jiaozheng.indicators import charts
from jiaozheng.indicators.report import Block, Document


@dataclass
class _PdfBlock:
    block: Block
    png: str = ""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.block, name)

    @property
    def header_title(self) -> bool:
        table = self.block.table
        return bool(table and table.headers[0].startswith("项目名称") and not any(table.headers[1:]))


def render_html(document: Document) -> str:
    blocks = []
    for block in document.blocks:
        png = ""
        if block.chart is not None:
            png = base64.b64encode(charts.render(block.chart.key, block.chart.data)).decode("ascii")
        blocks.append(_PdfBlock(block, png))
    return render_to_string("indicators/document_pdf.html", {"doc": document, "blocks": blocks})


def render_pdf(document: Document) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(document)).write_pdf()
