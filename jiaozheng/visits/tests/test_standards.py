"""The standards engine on plain facts: due-list rules per class, windows, overdue detection, on-time rate."""

from __future__ import annotations

import datetime as dt

import pytest

from jiaozheng.people.choices import SupervisionClass
from jiaozheng.people.models import add_months
from jiaozheng.visits.choices import DueStatus, Entrant, PeriodUnit, VisitMethod, VisitType
from jiaozheng.visits.standards import (
    DEFAULT_STANDARDS,
    PersonFacts,
    RateParts,
    Standard,
    closed_windows,
    due_items,
    merge_by_type,
    windows_for,
)

D = dt.date
FIELD = VisitMethod.FIELD_VISIT
PHONE = VisitMethod.PHONE_CHECK


FAR = dt.date(2030, 1, 1)


def facts(intake, classes=None, *, last=FAR, visits=(), months=2, cls=SupervisionClass.ORDINARY):
    return PersonFacts(
        id=1,
        county_id=1,
        status="in_correction",
        intake_on=intake,
        last_day=last,
        classes=classes or [(intake, cls)],
        new_until=add_months(intake, months),
        visits=sorted(visits),
    )


def std(key):
    return next(s for s in DEFAULT_STANDARDS if s.key == key)


def items_on(f, today, standards=DEFAULT_STANDARDS):
    return merge_by_type(due_items(f, standards, today=today, min_days=10, due_soon_days=7))


def test_a_strict_person_owes_a_focus_field_visit_and_a_routine_check_every_month():
    # given a strict-class person in correction for a year, never visited
    f = facts(D(2025, 1, 6), cls=SupervisionClass.STRICT)
    # when the due list is computed in mid-June
    items = {i.standard.visit_type: i for i in items_on(f, D(2025, 6, 15))}
    # then a focus visit and a routine check are due by the end of June, and May was missed
    assert items[VisitType.FOCUS].standard.key == "default:focus_strict"
    assert items[VisitType.FOCUS].due_by == D(2025, 6, 30)
    assert items[VisitType.FOCUS].status == DueStatus.OVERDUE
    assert items[VisitType.FOCUS].missed.end == D(2025, 5, 31)
    assert items[VisitType.ROUTINE].due_by == D(2025, 6, 30)


def test_an_ordinary_person_owes_a_routine_check_each_quarter_and_no_focus_visit():
    # given an ordinary-class person past the new-entrant period, phoned on 10 April
    f = facts(D(2024, 1, 8), visits=[(D(2025, 4, 10), VisitType.ROUTINE, PHONE)])
    # when the due list is computed on 20 May
    items = items_on(f, D(2025, 5, 20))
    # then only the routine check applies, done for the quarter April-June
    assert [i.standard.visit_type for i in items] == [VisitType.ROUTINE]
    assert items[0].status == DueStatus.DONE
    assert (items[0].window.start, items[0].window.end) == (D(2025, 4, 1), D(2025, 6, 30))


def test_a_lenient_person_owes_a_routine_check_each_half_year():
    # given a lenient-class person last contacted in January
    f = facts(
        D(2023, 3, 1), cls=SupervisionClass.LENIENT, visits=[(D(2025, 1, 20), VisitType.ROUTINE, PHONE)]
    )
    # when the due list is computed in late June
    [item] = items_on(f, D(2025, 6, 25))
    # then the January-June window is met
    assert item.standard.key == "default:routine_lenient"
    assert item.status == DueStatus.DONE
    assert item.window.end == D(2025, 6, 30)


def test_a_new_entrant_owes_a_monthly_focus_visit_whatever_the_class():
    # given an ordinary-class person who reported on 3 March (new entrant for two months)
    f = facts(D(2025, 3, 3))
    # when the due list is computed on 10 March and on 10 June
    march = {i.standard.visit_type: i for i in items_on(f, D(2025, 3, 10))}
    june = {i.standard.visit_type: i for i in items_on(f, D(2025, 6, 10))}
    # then a focus visit is due in March (new entrant) but not in June (period over)
    assert march[VisitType.FOCUS].standard.key == "default:focus_new"
    assert march[VisitType.FOCUS].due_by == D(2025, 3, 31)
    assert VisitType.FOCUS not in june or june[VisitType.FOCUS].status == DueStatus.OVERDUE


def test_a_phone_call_does_not_satisfy_a_focus_field_visit():
    # given a strict person phoned (routine) and visited at the office as a focus visit in June
    f = facts(
        D(2024, 1, 1),
        cls=SupervisionClass.STRICT,
        visits=[(D(2025, 6, 3), VisitType.ROUTINE, PHONE), (D(2025, 6, 5), VisitType.FOCUS, "office_visit")],
    )
    # when June's windows are evaluated
    [window] = windows_for(
        f, std("default:focus_strict"), min_days=10, since=D(2025, 6, 1), until=D(2025, 6, 30)
    )
    # then neither counts as the focus field visit
    assert window.done == 0
    # while both count as routine contacts
    [routine] = windows_for(
        f, std("default:routine_strict"), min_days=10, since=D(2025, 6, 1), until=D(2025, 6, 30)
    )
    assert routine.done == 2


def test_a_window_with_too_few_days_under_the_standard_is_not_due():
    # given a person who reported on the 25th of a month
    f = facts(D(2025, 3, 25), cls=SupervisionClass.STRICT)
    # when the new-entrant focus windows are listed
    windows = windows_for(f, std("default:focus_new"), min_days=10, since=D(2025, 3, 1), until=D(2025, 6, 30))
    # then March (7 days) is skipped; April is whole; May counts up to the end of the new-entrant period
    assert [(w.start, w.end) for w in windows] == [
        (D(2025, 4, 1), D(2025, 4, 30)),
        (D(2025, 5, 1), D(2025, 5, 24)),
    ]


def test_a_class_change_moves_the_person_to_the_other_standard():
    # given a person strict from January, ordinary from 16 April
    f = facts(
        D(2024, 11, 4),
        classes=[(D(2024, 11, 4), SupervisionClass.STRICT), (D(2025, 4, 16), SupervisionClass.ORDINARY)],
    )
    # when the focus windows of the strict standard are listed for the first half of 2025
    windows = windows_for(
        f, std("default:focus_strict"), min_days=10, since=D(2025, 1, 1), until=D(2025, 6, 30)
    )
    # then January to April are due (April only until the 15th), May and June are not
    assert [w.start.month for w in windows] == [1, 2, 3, 4]
    assert windows[-1].end == D(2025, 4, 15)
    # and the ordinary routine standard starts in the second quarter
    routine = windows_for(
        f, std("default:routine_ordinary"), min_days=10, since=D(2025, 1, 1), until=D(2025, 6, 30)
    )
    assert [(w.start, w.end) for w in routine] == [(D(2025, 4, 16), D(2025, 6, 30))]


def test_release_cuts_the_last_window_and_drops_a_short_one():
    # given a strict person released on 5 June
    f = facts(D(2024, 1, 1), cls=SupervisionClass.STRICT, last=D(2025, 6, 5))
    # when the focus windows are listed
    windows = windows_for(
        f, std("default:focus_strict"), min_days=10, since=D(2025, 5, 1), until=D(2025, 7, 31)
    )
    # then June (5 days) is not due
    assert [w.start for w in windows] == [D(2025, 5, 1)]


def test_a_missed_window_stays_overdue_until_a_visit_is_made():
    # given a strict person last visited in April
    visits = [(D(2025, 4, 12), VisitType.FOCUS, FIELD)]
    f = facts(D(2024, 1, 1), cls=SupervisionClass.STRICT, visits=visits)
    # when the due list is computed on 3 June
    [focus] = [i for i in items_on(f, D(2025, 6, 3)) if i.standard.visit_type == VisitType.FOCUS]
    # then May was missed: overdue for 3 days, the June visit is due by 30 June
    assert focus.status == DueStatus.OVERDUE
    assert focus.overdue_days == 3
    assert focus.due_by == D(2025, 6, 30)
    # and once visited on 4 June the item is done
    f.visits.append((D(2025, 6, 4), VisitType.FOCUS, FIELD))
    [focus] = [i for i in items_on(f, D(2025, 6, 5)) if i.standard.visit_type == VisitType.FOCUS]
    assert focus.status == DueStatus.DONE


def test_an_open_window_near_its_end_is_due_soon():
    # given a strict person visited every month up to May
    visits = [(D(2025, m, 10), VisitType.FOCUS, FIELD) for m in range(1, 6)]
    f = facts(D(2024, 1, 1), cls=SupervisionClass.STRICT, visits=visits)
    # when the due list is computed on 12 June and on 25 June
    early = [i for i in items_on(f, D(2025, 6, 12)) if i.standard.visit_type == VisitType.FOCUS][0]
    late = [i for i in items_on(f, D(2025, 6, 25)) if i.standard.visit_type == VisitType.FOCUS][0]
    # then it is due, then due soon (7 days or fewer left)
    assert early.status == DueStatus.DUE
    assert late.status == DueStatus.DUE_SOON
    assert late.days_left == 5


@pytest.mark.parametrize(
    ("count", "length", "visits", "met"),
    [(2, 30, [3, 20], True), (2, 30, [3], False), (1, 7, [5], True)],
)
def test_day_windows_need_the_count_inside_each_run_of_days(count, length, visits, met):
    # given a standard of `count` visits per `length` days applying from 1 March
    s = Standard(
        "t", "t", VisitType.ROUTINE, "", Entrant.ANY, count, PeriodUnit.DAY, length, frozenset({"routine"})
    )
    f = facts(D(2025, 3, 1), visits=[(D(2025, 3, d), VisitType.ROUTINE, PHONE) for d in visits])
    # when the first window is evaluated
    first = windows_for(f, s, min_days=10, since=D(2025, 3, 1), until=D(2025, 3, 31))[0]
    # then it is met or not
    assert first.start == D(2025, 3, 1)
    assert first.end == D(2025, 3, 1) + dt.timedelta(days=length - 1)
    assert first.met is met


def test_the_on_time_rate_counts_windows_that_closed_in_the_period():
    # given a strict person visited (focus, field) in January and March but not February
    visits = [(D(2025, 1, 9), VisitType.FOCUS, FIELD), (D(2025, 3, 9), VisitType.FOCUS, FIELD)]
    f = facts(D(2024, 1, 1), cls=SupervisionClass.STRICT, visits=visits)
    # when the first quarter's windows are added up
    parts = RateParts()
    for w in closed_windows(f, DEFAULT_STANDARDS, start=D(2025, 1, 1), end=D(2025, 3, 31), min_days=10):
        parts.add(w)
    # then 3 focus + 3 routine visits were due, 2 + 2 done on time
    assert parts.by_type == {VisitType.FOCUS: [3, 2], VisitType.ROUTINE: [3, 2]}
    assert parts.rate == pytest.approx(4 / 6)


def test_nothing_due_means_nothing_missed():
    assert RateParts().rate == 1.0
