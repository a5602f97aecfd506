"""The caseload's gauges for /metrics (collected by ``jiaozheng.core.monitoring``)."""

from __future__ import annotations

from typing import Any

from jiaozheng.people.models import Person


def metrics() -> list[tuple[str, str, Any]]:
    return [
        (
            "jz_persons_in_correction",
            "Persons in correction",
            Person.objects.filter(status="in_correction").count(),
        ),
    ]
