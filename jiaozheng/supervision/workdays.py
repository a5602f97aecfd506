"""Working days: Chinese public holidays and adjusted working days (调休).

``chinesecalendar`` carries the State Council's yearly holiday notice. A year the package does not know
yet is refused (a deadline computed on a guess would be wrong), with a clear message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import chinese_calendar
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiaozheng.core.rules import rule


def is_working_day(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        raise ValidationError(
            _("The holiday calendar for %(year)s is not published yet; deadlines cannot be computed.")
            % {"year": day.year}
        ) from None


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (the start day itself is not counted)."""
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def deadline(kind: str, start: dt.date, days: int, unit: Any = None) -> dt.date:
    """The due date of a ``kind`` of deadline: calendar days if the rule lists the kind, else working days."""
    if kind in rule("supervision.calendar_day_deadlines", unit):
        return start + dt.timedelta(days=days)
    return add_working_days(start, days)
