"""Supervision parameters (domain.md (b)); each default records its source label (L/S/U/D)."""

from typing import Any

from django.core.exceptions import ValidationError

from jiaozheng.core.rules import positive_int, register_rule

# Deadline kinds counted by the working-days calendar unless listed in ``supervision.calendar_day_deadlines``.
DEADLINE_KINDS = ("investigation", "investigation_summary")


def _deadline_kinds(value: Any) -> None:
    if not isinstance(value, list) or any(v not in DEADLINE_KINDS for v in value):
        raise ValidationError(f"must be a list drawn from {DEADLINE_KINDS}, got {value!r}")


register_rule(
    "supervision.investigation_working_days",
    10,
    "调查评估: working days from the commission to the 调查评估意见书 (2020 实施办法, not checked).",
    "U",
    positive_int,
)
register_rule(
    "supervision.investigation_summary_working_days",
    5,
    "调查评估 in 速裁 (summary) cases: working days from the commission to the opinion (2020 实施办法, not checked).",
    "U",
    positive_int,
)
register_rule(
    "supervision.calendar_day_deadlines",
    [],
    "Deadline kinds counted in calendar days rather than working days (the others skip public holidays "
    "and weekends and count adjusted working Saturdays). The 2020 实施办法 counts the investigation in "
    "working days (not checked).",
    "U",
    _deadline_kinds,
)
