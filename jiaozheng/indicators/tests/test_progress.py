"""Progress: the planned curve, the forecast, warnings and suggestions per squadron."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiaozheng.core.testing.world import person_data
from jiaozheng.indicators import services
from jiaozheng.indicators.evaluation import evaluate
from jiaozheng.indicators.progress import Plan, act_by_date, contract_progress
from jiaozheng.indicators.report import allocate
from jiaozheng.indicators.testing import measures
from jiaozheng.indicators.tests.conftest import indicator_data
from jiaozheng.people.models import Person
from jiaozheng.people.services import person_create

pytestmark = pytest.mark.django_db


def intakes(ctx):
    return Person.objects.filter(
        county_id__in=ctx.county_ids, intake_on__gte=ctx.start, intake_on__lte=ctx.end
    )


def _intake_count(ctx):
    return intakes(ctx).count()


def _register(world, squadron, township, day):
    data = person_data(squadron=squadron, township=township, intake_days_ago=None)
    data.update(
        term_start=day - dt.timedelta(days=3),
        judgment_effective_on=day - dt.timedelta(days=3),
        intake_on=day,
        term_end=dt.date(2030, 1, 1),
    )
    return person_create(actor=world.bureau_admin, data=data)


def test_linear_and_planned_curves():
    start, end = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    linear = Plan(Decimal(366), start, end, {})
    assert linear.at(dt.date(2024, 1, 31)) == 31
    assert linear.at(end) == 366
    assert linear.at(dt.date(2023, 12, 31)) == 0
    # the seed's pandemic curve: February and March nearly stopped
    monthly = {1: 13, 2: 4, 3: 6, 4: 15, 5: 15, 6: 15, 7: 15, 8: 15, 9: 15, 10: 15, 11: 14, 12: 14}
    planned = Plan(Decimal(156), start, end, {m: Decimal(v) for m, v in monthly.items()})
    assert planned.at(dt.date(2024, 3, 31)) == 23
    assert planned.at(end) == 156
    assert planned.at(dt.date(2024, 4, 15)) == 23 + Decimal(15) * 15 / 30


def test_behind_plan_warns_forecasts_and_asks_each_squadron_for_its_share(world, contract_2024):
    # given 4 intakes in the first quarter of 2024 (3 in squadron A, 1 in squadron B) and a target of 24
    for day in (dt.date(2024, 1, 10), dt.date(2024, 2, 12), dt.date(2024, 3, 5)):
        _register(world, world.squadron_a, world.township_a, day)
    _register(world, world.squadron_b, world.township_b, dt.date(2024, 2, 20))
    with measures(**{"t.intakes": (_intake_count, "count", intakes)}):
        services.indicator_save(
            actor=world.bureau_admin,
            contract=contract_2024,
            year=2024,
            data=indicator_data("intakes", "t.intakes", 24, 100, name="入矫接收", unit="人"),
        )
        # when progress is computed on 10 June 2024
        evaluation = evaluate(contract_2024, 2024, as_of=dt.date(2024, 6, 10))
        (progress,) = contract_progress(evaluation)
    # then the monthly curve, the forecast and the status show the gap
    assert [p.actual_cum for p in progress.points[:6]] == [1, 3, 4, 4, 4, 4]
    assert progress.points[6].actual_cum is None
    assert progress.actual == 4
    assert progress.planned == pytest.approx(Decimal(24) * 162 / 366)
    assert progress.status == "at_risk"
    assert progress.forecast < 24
    assert progress.needed_per_month == 3  # 20 left over 7 months
    assert any("落后计划" in w or "behind plan" in w for w in progress.warnings)
    # and each squadron is asked for its share of the plan by the end of June
    assert progress.act_by == dt.date(2024, 6, 30)
    by_name = {row.squadron.name: row for row in progress.squadrons}
    assert by_name["卢峰中队"].cum_done == 3 and by_name["龙潭中队"].cum_done == 1
    assert by_name["卢峰中队"].share == Decimal("0.75")
    assert by_name["卢峰中队"].need == 6  # 0.75 x 11.93 planned by 30 June, minus 3 done
    assert by_name["龙潭中队"].need == 2
    first = progress.suggestions[0]
    assert first.squadron == world.squadron_a and first.quantity == 6 and first.by == dt.date(2024, 6, 30)
    assert "卢峰中队" in first.text


def test_a_year_on_plan_gives_no_warning_and_a_finished_year_is_done_or_short(world, contract_2024):
    for month in range(1, 7):
        _register(world, world.squadron_a, world.township_a, dt.date(2024, month, 5))
    with measures(**{"t.intakes": (_intake_count, "count", intakes)}):
        services.indicator_save(
            actor=world.bureau_admin,
            contract=contract_2024,
            year=2024,
            data=indicator_data("intakes", "t.intakes", 12, 100, unit="人"),
        )
        mid = contract_progress(evaluate(contract_2024, 2024, as_of=dt.date(2024, 6, 20)))[0]
        end = contract_progress(evaluate(contract_2024, 2024, as_of=dt.date(2025, 3, 1)))[0]
    assert mid.status == "on_track" and not mid.suggestions
    assert end.status == "short" and end.forecast == 6
    assert "12" in end.warnings[0]


def test_the_act_by_date_moves_to_next_month_when_too_few_days_remain():
    end = dt.date(2024, 12, 31)
    assert act_by_date(dt.date(2024, 6, 10), end) == dt.date(2024, 6, 30)
    assert act_by_date(dt.date(2024, 6, 25), end) == dt.date(2024, 7, 31)
    assert act_by_date(dt.date(2024, 12, 25), end) == end


def test_allocation_adds_up_exactly():
    shares = {"a": Decimal("0.5"), "b": Decimal("0.3"), "c": Decimal("0.2")}
    assert allocate(13, shares) == {"a": 6, "b": 4, "c": 3}  # 6.5, 3.9, 2.6: largest remainders first
    assert sum(allocate(7, shares).values()) == 7
    assert allocate(0, shares) == {"a": 0, "b": 0, "c": 0}


def test_a_monthly_plan_must_add_up_to_the_target_and_stay_in_the_year(world, contract_2024):
    indicator = services.indicator_save(
        actor=world.bureau_admin,
        contract=contract_2024,
        year=2024,
        data=indicator_data("served", "caseload.persons_served", 12, 10, unit="人"),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.plan_set(actor=world.bureau_admin, indicator=indicator, monthly={1: 5, 2: 5})
    assert "12" in " ".join(excinfo.value.messages)
    rows = services.plan_set(
        actor=world.bureau_admin, indicator=indicator, monthly=dict.fromkeys(range(1, 13), 1)
    )
    assert len(rows) == 12
    assert services.plan_set(actor=world.bureau_admin, indicator=indicator, monthly={}) == []


def test_reminders_reach_the_squadron_asked_to_act_and_the_managers_once(world):
    from jiaozheng.core.models import Notification
    from jiaozheng.indicators.notices import progress_notify

    # given this year's contract of county X, far behind on a measure with squadron records
    today = timezone.localdate()
    with measures(**{"t.intakes": (_intake_count, "count", intakes)}):
        services.indicator_save(
            actor=world.bureau_admin,
            contract=world.contract_x,
            year=today.year,
            data=indicator_data("intakes", "t.intakes", 5000, 100, name="入矫接收", unit="人"),
        )
        # when the reminders run twice in the same half-month
        first = progress_notify(today=today)
        again = progress_notify(today=today)
    # then the managers and the provider's supervisor are told once
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"bureau_admin", "bureau_officer", "supervisor"} <= recipients
    assert "bureau_officer_y" not in recipients and "supervisor_y" not in recipients
    assert first > 0 and again == 0
    # and, when a squadron is asked for more, its own staff are told what to schedule
    squadron_notes = Notification.objects.filter(
        recipient__username__in=["social_worker", "squadron_officer"]
    )
    assert all("建议" in n.body for n in squadron_notes)
