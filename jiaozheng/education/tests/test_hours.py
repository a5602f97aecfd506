"""Monthly hours against the rules of each class, and the shortfall list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jiaozheng.community.tests.helpers import held_activity
from jiaozheng.core.models import RuleValue
from jiaozheng.core.rules import clear_cache
from jiaozheng.education import services
from jiaozheng.education.hours import month_hours
from jiaozheng.education.tests.helpers import held_session, make_session
from jiaozheng.people.services import class_change

pytestmark = pytest.mark.django_db


def last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def row_of(report, person):
    return next(r for r in report.rows if r.person.pk == person.pk)


def test_hours_done_against_hours_required_and_the_shortfall_list(world):
    month = last_month()
    # given last month: two held sessions of 2 h and 4 h; person_a attended both, the subject only one,
    # a cancelled session the subject "attended" before it was called off, and a 3 h community activity
    held_session(world, date=month.replace(day=5), present=[world.person_a, world.subject_person])
    held_session(
        world,
        date=month.replace(day=12),
        end_time=dt.time(13),
        present=[world.person_a],
        absent=[world.subject_person],
    )
    cancelled = make_session(world, date=month.replace(day=20))
    services.session_cancel(actor=world.bureau_admin, session=cancelled, reason="pandemic")
    held_activity(world, day=month.replace(day=8), persons=[world.person_a, world.subject_person])
    # when the hours of the month are computed for squadron A
    report = month_hours(actor=world.bureau_admin, month=month, squadron=world.squadron_a.pk)
    a, s = row_of(report, world.person_a), row_of(report, world.subject_person)
    # then study hours count only held sessions (2 + 4 h for person_a, 2 h for the subject)
    assert (a.study_done, s.study_done) == (Decimal("6.0"), Decimal("2.0"))
    # and the ordinary class needs 8 h of each (U: 2012 national rule) for a whole month in correction
    assert (a.study_required, a.service_required) == (Decimal("8.0"), Decimal("8.0"))
    assert a.study_short == Decimal("2.0") and a.service_done == Decimal("3.0")
    # and the subject's unexcused absence is counted
    assert s.absences == 1 and s.sessions_present == 1
    # and the shortfall list holds both (both are short)
    assert {r.person.pk for r in report.short_rows} >= {world.person_a.pk, world.subject_person.pk}


def test_required_hours_follow_the_class_the_province_rule_and_the_days_in_correction(world):
    month = last_month()
    # given a province that requires 10 h of study from ordinary-class persons
    RuleValue.objects.create(key="education.study_hours_ordinary", unit=world.province, value=10)
    clear_cache()
    # and person_a moved to strict supervision after the month, the subject released mid-month
    class_change(
        actor=world.bureau_admin,
        person=world.person_a,
        to_class="strict",
        reason="评估高风险",
        effective_on=timezone.localdate(),
    )
    world.subject_person.status = "released"
    world.subject_person.released_on = month.replace(day=15)
    world.subject_person.save()
    report = month_hours(actor=world.bureau_admin, month=month, squadron=world.squadron_a.pk)
    a, s = row_of(report, world.person_a), row_of(report, world.subject_person)
    # then person_a is judged by the class in force that month (ordinary, 10 h by the province)
    assert a.supervision_class == "ordinary" and a.study_required == Decimal("10.0")
    # and the subject's requirement is pro-rated to 15 days
    assert s.days == 15
    assert s.study_required == (Decimal(10) * 15 / report.rows[0].days_in_month).quantize(Decimal("0.1"))


def test_two_unexcused_absences_flag_an_admonition(world):
    month = last_month()
    held_session(world, date=month.replace(day=5), absent=[world.person_a])
    held_session(world, date=month.replace(day=12), absent=[world.person_a])
    report = month_hours(actor=world.bureau_admin, month=month)
    assert row_of(report, world.person_a).absences_flag is True
    assert row_of(report, world.subject_person).absences_flag is False


def test_staff_of_another_squadron_do_not_see_these_persons(world):
    report = month_hours(actor=world.social_worker_b, month=last_month())
    assert {r.person.pk for r in report.rows} == {world.person_b.pk}
