"""Moved to ``jiaozheng.core.measures`` (the measure registry lives in core so modules below indicators can
register measures). This alias keeps old imports working; new code imports from core."""

from jiaozheng.core.measures import (  # noqa: F401
    _MEASURES,
    Measure,
    MeasureContext,
    Number,
    _discover,
    all_measures,
    get_measure,
    measure,
)
