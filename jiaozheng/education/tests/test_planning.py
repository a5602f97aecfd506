"""The plan helper: the 2-3-a-month rule and the offence mix of the squadron's caseload."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jiaozheng.core.models import RuleValue
from jiaozheng.core.rules import clear_cache
from jiaozheng.core.testing.world import person_data
from jiaozheng.education import services
from jiaozheng.education.models import Course
from jiaozheng.education.planning import plan_helper
from jiaozheng.education.tests.helpers import make_session
from jiaozheng.people.services import person_create

pytestmark = pytest.mark.django_db


def next_month():
    today = timezone.localdate()
    return (today.replace(day=28) + dt.timedelta(days=5)).replace(day=1)


def add_persons(world, n, offence, squadron=None, township=None, **extra):
    squadron = squadron or world.squadron_a
    township = township or world.township_a
    return [
        person_create(
            actor=world.bureau_admin,
            data=person_data(squadron=squadron, township=township, offence_category=offence, **extra),
        )
        for _ in range(n)
    ]


def test_a_squadron_full_of_drink_drivers_gets_a_traffic_safety_session(world):
    # given squadron B whose caseload is mostly theft, with squadron A mostly dangerous driving (the world's default)
    add_persons(world, 4, "dangerous_driving")
    add_persons(world, 5, "theft", squadron=world.squadron_b, township=world.township_b)
    # when the helper proposes next month for each squadron
    a = plan_helper(actor=world.bureau_admin, squadron=world.squadron_a, month=next_month())
    b = plan_helper(actor=world.bureau_admin, squadron=world.squadron_b, month=next_month())
    # then A gets a session by category on road-traffic safety for its drink drivers
    category_a = [p for p in a.proposals if p.kind == "category"]
    assert len(category_a) == 1
    assert category_a[0].offence_categories == ["dangerous_driving"]
    assert category_a[0].mode == "by_category" and category_a[0].category == "law"
    assert "traffic" in category_a[0].title.lower() or "交通" in category_a[0].title
    # and B gets one on property crime, not on traffic
    assert [p.offence_categories for p in b.proposals if p.kind == "category"] == [["theft"]]


def test_two_or_three_sessions_by_the_size_of_the_caseload(world):
    # given a small caseload in B: the rule's minimum, two sessions
    small = plan_helper(actor=world.bureau_admin, squadron=world.squadron_b, month=next_month())
    assert small.target == 2 and len(small.proposals) == 2
    # when the province lowers the caseload from which a third session is due below A's caseload
    RuleValue.objects.create(key="education.third_session_caseload", unit=world.province, value=3)
    clear_cache()
    large = plan_helper(actor=world.bureau_admin, squadron=world.squadron_a, month=next_month())
    # then A gets three, spread over different weekdays of the month
    assert large.target == 3 and len(large.proposals) == 3
    days = [p.date for p in large.proposals]
    assert len(set(days)) == 3 and all(d.weekday() < 5 and d.month == next_month().month for d in days)


def test_sessions_already_planned_count_and_cancelled_ones_do_not(world):
    month = next_month()
    first = make_session(world, date=month.replace(day=10))
    second = make_session(world, date=month.replace(day=20), title="国学经典")
    # when the month already has two sessions, nothing more is proposed
    advice = plan_helper(actor=world.bureau_admin, squadron=world.squadron_a, month=month)
    assert advice.proposals == [] and len(advice.existing) == 2
    # when one of them is cancelled, one session is proposed again
    services.session_cancel(actor=world.bureau_admin, session=second, reason="weather")
    advice = plan_helper(actor=world.bureau_admin, squadron=world.squadron_a, month=month)
    assert len(advice.proposals) == 1 and advice.existing == [first]


def test_new_entrants_get_admission_education_first(world):
    add_persons(world, 2, "theft", intake_days_ago=5)
    advice = plan_helper(actor=world.bureau_admin, squadron=world.squadron_a, month=timezone.localdate())
    assert advice.new_entrants == 2
    assert advice.proposals[0].kind == "admission" and advice.proposals[0].stage == "admission"


def test_the_library_course_least_used_is_proposed_and_the_plan_is_applied(world):
    # given two library courses on traffic safety, one already used by squadron A
    used = services.course_create(
        actor=world.bureau_admin,
        county=world.county_x,
        data={"title": "酒驾危害", "category": "law", "offence_categories": ["dangerous_driving"]},
    )
    fresh = services.course_create(
        actor=world.bureau_admin,
        county=world.county_x,
        data={"title": "道路交通安全法", "category": "law", "offence_categories": ["dangerous_driving"]},
    )
    make_session(world, days=-40, course=used, title=used.title)
    add_persons(world, 3, "dangerous_driving")
    month = next_month()
    advice = plan_helper(actor=world.social_worker, squadron=world.squadron_a, month=month)
    category = next(p for p in advice.proposals if p.kind == "category")
    assert category.course == fresh
    # when the social worker applies the proposals
    plan, sessions = services.plan_apply(
        actor=world.social_worker,
        squadron=world.squadron_a,
        month=month,
        theme=advice.theme,
        items=[p.as_data() for p in advice.proposals],
    )
    # then the month's plan holds planned sessions with rosters, waiting for approval
    assert plan.status == "draft" and plan.sessions.count() == len(advice.proposals)
    assert all(s.status == "planned" and s.attendances.exists() for s in sessions)
    # and only justice staff approve it
    with pytest.raises(PermissionDenied):
        services.plan_approve(actor=world.social_worker, plan=plan)
    services.plan_approve(actor=world.squadron_officer, plan=plan)
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert Course.objects.count() == 2


def test_a_squadron_outside_the_area_is_hidden_and_bad_proposals_change_nothing(world):
    with pytest.raises(Http404):
        plan_helper(actor=world.social_worker_b, squadron=world.squadron_a, month=next_month())
    with pytest.raises(ValidationError):
        services.plan_apply(
            actor=world.social_worker,
            squadron=world.squadron_a,
            month=next_month(),
            theme="学法",
            items=[{"title": "", "category": "law", "mode": "centralised"}],
        )
    from jiaozheng.education.models import ThemePlan

    assert not ThemePlan.objects.exists()


def test_sessions_for_a_few_do_not_crowd_out_the_open_ones(world):
    # given new entrants and persons near release in squadron A, and a month of three sessions
    add_persons(world, 2, "theft", intake_days_ago=5)
    today = timezone.localdate()
    add_persons(world, 2, "theft", term_end=today + dt.timedelta(days=20))
    RuleValue.objects.create(key="education.third_session_caseload", unit=world.province, value=3)
    clear_cache()
    advice = plan_helper(actor=world.bureau_admin, squadron=world.squadron_a, month=today)
    # then one session is for the new entrants and two stay open to everyone; release education is "also due"
    assert [p.kind for p in advice.proposals][0] == "admission"
    assert sum(1 for p in advice.proposals if p.kind in ("theme", "rotation")) == 2
    assert any("解矫" in n or "Release" in n for n in advice.notes)
