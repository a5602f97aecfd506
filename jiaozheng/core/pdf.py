"""HTML to PDF with WeasyPrint (CJK fonts from the system, no network fetches)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url or str(Path(__file__).parent)).write_pdf()


def template_pdf(template: str, context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_to_string(template, context))
