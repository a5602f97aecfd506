"""What indicators offers the lower layers through ``jiaozheng.core.registry.provider``: a contract's
evaluation and progress, shown on the contract's own page (contracts sits below indicators)."""

from __future__ import annotations

from jiaozheng.core.registry import provide
from jiaozheng.indicators.evaluation import default_year, evaluate
from jiaozheng.indicators.progress import contract_progress

provide("indicators.default_year", default_year)
provide("indicators.evaluate", evaluate)
provide("indicators.contract_progress", contract_progress)
