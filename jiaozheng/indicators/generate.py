"""Generating report files: build the document, render it, keep the file and the figures it shows."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from jiaozheng.contracts.models import Contract
from jiaozheng.core.roles import VIEW, Domain
from jiaozheng.core.scoping import require
from jiaozheng.indicators.choices import ReportFormat, ReportKind
from jiaozheng.indicators.evaluation import YearOutsideContract, contract_year_period
from jiaozheng.indicators.models import IndicatorResult, ReportRun
from jiaozheng.indicators.report import Document, build

CONTENT_TYPES = {
    ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ReportFormat.PDF: "application/pdf",
}


def check_request(contract: Contract, year: int, kind: str, fmt: str, month: int) -> None:
    errors: dict[str, str] = {}
    if kind not in ReportKind.values:
        errors["kind"] = _("Unknown report.")
    if fmt not in ReportFormat.values:
        errors["format"] = _("Choose DOCX or PDF.")
    try:
        start, end = contract_year_period(contract, year)
    except YearOutsideContract:
        errors["year"] = _("The contract's service period does not cover %(year)s.") % {"year": year}
    else:
        if kind != ReportKind.ANNUAL:
            if not 1 <= month <= 12:
                errors["month"] = _("Choose a month.")
            else:
                first = dt.date(year, month, 1)
                last = first.replace(day=calendar.monthrange(year, month)[1])
                if first > end or last < start:
                    errors["month"] = _("The month lies outside the contract-year.")
    if errors:
        raise ValidationError(errors)


def render(document: Document, fmt: str) -> bytes:
    if fmt == ReportFormat.DOCX:
        from jiaozheng.indicators.render_docx import render_docx

        return render_docx(document)
    from jiaozheng.indicators.render_pdf import render_pdf

    return render_pdf(document)


def generate(
    *,
    actor: Any,
    contract: Contract,
    year: int,
    kind: str,
    fmt: str,
    month: int = 0,
    as_of: dt.date | None = None,
    on_built: Callable[[], None] | None = None,
) -> ReportRun:
    """Build, render and keep one report file (the caller has checked the contract is in scope)."""
    require(actor, Domain.PERFORMANCE, VIEW)
    check_request(contract, year, kind, fmt, month)
    document = build(kind, contract, year, month, as_of=as_of)
    if on_built:
        on_built()
    content = render(document, fmt)
    evaluation = document.evaluation
    with transaction.atomic():
        run = ReportRun(
            contract=contract,
            year=year,
            month=month if kind != ReportKind.ANNUAL else 0,
            kind=kind,
            format=fmt,
            total_score=evaluation.normalised_total if kind == ReportKind.ANNUAL else None,
            grade=str(evaluation.grade) if kind == ReportKind.ANNUAL else "",
            data=evaluation.as_dict(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        run.file.save(f"{document.filename}.{fmt}", ContentFile(content), save=False)
        run.save()
        if kind == ReportKind.ANNUAL:
            IndicatorResult.objects.bulk_create(
                [
                    IndicatorResult(
                        run=run,
                        indicator=o.indicator,
                        code=o.indicator.code,
                        name=o.indicator.name,
                        actual=_quantize(o.actual, "0.0001"),
                        target=o.indicator.target,
                        unit=o.indicator.unit,
                        ratio=_quantize(o.score.ratio, "0.000001"),
                        weight=o.indicator.weight,
                        score=o.score.score,
                    )
                    for o in evaluation.outcomes
                ]
            )
    return run


def _quantize(value: Decimal | None, step: str) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(step))
