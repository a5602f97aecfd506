"""Deadlines in working days across Chinese public holidays and adjusted working days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jiaozheng.supervision.workdays import add_working_days, deadline, is_working_day


def test_spring_festival_2024_is_skipped():
    # given a commission on Thursday 2024-02-08, the eve of the Spring Festival break (10-17 Feb)
    # when 10 working days are counted
    due = add_working_days(dt.date(2024, 2, 8), 10)
    # then the break is skipped and the adjusted working Sunday 18 Feb counts as day 1 (8 Feb + 9 Feb = 1,
    # 18 Feb = 2, 19-23 Feb = 3-7, 26-28 Feb = 8-10)
    assert is_working_day(dt.date(2024, 2, 9)) and not is_working_day(dt.date(2024, 2, 12))
    assert is_working_day(dt.date(2024, 2, 18))  # adjusted working Sunday
    assert due == dt.date(2024, 2, 28)


def test_national_day_2024_and_adjusted_saturday():
    # given a commission on Friday 2024-09-27; National Day runs 1-7 Oct, Sunday 29 Sep and
    # Saturday 12 Oct are adjusted working days
    start = dt.date(2024, 9, 27)
    # when 5 working days (速裁) are counted
    due = add_working_days(start, 5)
    # then 29 Sep and 30 Sep count, 1-7 Oct do not, 8-10 Oct finish the count
    assert due == dt.date(2024, 10, 10)
    # and the adjusted working Saturday 12 Oct counts: 10 days from 27 Sep end on Wednesday 16 Oct
    assert is_working_day(dt.date(2024, 10, 12))
    assert add_working_days(start, 10) == dt.date(2024, 10, 16)  # 17 Oct without that Saturday


def test_calendar_day_rule_switches_counting(world):
    # given county X's rule lists the investigation among the calendar-day deadlines
    from jiaozheng.core.models import RuleValue
    from jiaozheng.core.rules import clear_cache

    start = dt.date(2024, 2, 8)
    assert deadline("investigation", start, 10, world.county_x) == dt.date(2024, 2, 28)
    RuleValue.objects.create(
        key="supervision.calendar_day_deadlines", unit=world.county_x, value=["investigation"]
    )
    clear_cache()
    # then the same 10 days end on 18 Feb there, and elsewhere working days still count
    assert deadline("investigation", start, 10, world.county_x) == dt.date(2024, 2, 18)
    assert deadline("investigation", start, 10, world.county_y) == dt.date(2024, 2, 28)


def test_unknown_year_is_refused():
    with pytest.raises(ValidationError):
        is_working_day(dt.date(2100, 1, 4))
