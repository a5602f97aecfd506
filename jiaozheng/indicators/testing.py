"""Access-matrix factories for indicators and generated reports, and a helper for tests that need
measures no installed module registers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from jiaozheng.contracts.testing import contract_at
from jiaozheng.core import measures as registry
from jiaozheng.core.testing.matrix import object_factory
from jiaozheng.indicators.choices import IndicatorGroup, ReportFormat, ReportKind
from jiaozheng.indicators.models import Indicator, ReportRun


@object_factory("indicators.Indicator")
def make_indicator(world, where):
    contract = contract_at(world, where)
    return Indicator.objects.create(
        contract=contract,
        year=timezone.localdate().year,
        code=f"m{Indicator.objects.count()}",
        name="服务对象人数",
        group=IndicatorGroup.OUTPUT_QUANTITY,
        measure_code="caseload.persons_served",
        target=Decimal("10"),
        unit="人",
        weight=Decimal("10"),
    )


@object_factory("indicators.ReportRun")
def make_run(world, where):
    run = ReportRun(
        contract=contract_at(world, where),
        year=timezone.localdate().year,
        kind=ReportKind.ANNUAL,
        format=ReportFormat.PDF,
    )
    run.file.save("matrix.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    run.save()
    return run


@contextmanager
def measures(**specs: Any) -> Iterator[None]:
    """Register measures for the duration of a test, replacing any registered under the same code.

    ``measures(**{"education.sessions_held": (func, "count", records)})``: func(ctx) -> number.
    """
    registry._discover()
    saved = dict(registry._MEASURES)
    try:
        for code, spec in specs.items():
            func, kind, records = (
                (spec + (None, None))[:3] if isinstance(spec, tuple) else (spec, "count", None)
            )
            registry._MEASURES[code] = registry.Measure(
                code=code, label=code, unit="", compute=func, records=records, kind=kind or "count"
            )
        yield
    finally:
        registry._MEASURES.clear()
        registry._MEASURES.update(saved)


def constant(value: Any) -> Callable[[Any], Any]:
    return lambda ctx: value
