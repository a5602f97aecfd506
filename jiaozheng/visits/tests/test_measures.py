"""Indicator measures of visits, and the demo's 2020 year against the seed's quotas."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from jiaozheng.core.measures import MeasureContext, all_measures, get_measure
from jiaozheng.visits import services
from jiaozheng.visits.choices import InterventionKind, VisitOutcome
from jiaozheng.visits.tests.conftest import visit_input

pytestmark = pytest.mark.django_db

CODES = {
    "visits.routine_visits",
    "visits.focus_visits",
    "visits.special_visits",
    "visits.routine_subjects",
    "visits.focus_subjects",
    "visits.special_subjects",
    "visits.on_time_rate",
    "visits.interventions",
}


def ctx(world, start=None, end=None, county=None):
    today = timezone.localdate()
    return MeasureContext(
        ((county or world.county_x).pk,), start or today - dt.timedelta(days=30), end or today
    )


def record(world, person, visit_type, days_ago=1, **kw):
    method = "field_visit" if visit_type != "routine" else "phone_check"
    return services.visit_create(
        actor=world.squadron_officer if person.squadron_id == world.squadron_a.pk else world.bureau_admin,
        person=person,
        data=visit_input(
            visitors=[world.bureau_admin],
            visit_type=visit_type,
            method=method,
            field_target="home" if method == "field_visit" else "",
            visited_at=timezone.now() - dt.timedelta(days=days_ago),
            **kw,
        ),
    )


def test_the_visit_measures_are_registered_with_their_exact_codes():
    measures = all_measures()
    assert CODES <= set(measures)
    assert measures["visits.focus_subjects"].kind == "distinct"
    assert measures["visits.routine_visits"].kind == "count"
    assert measures["visits.on_time_rate"].kind == "rate"


def test_visits_count_person_times_and_subjects_count_distinct_persons(world, make_person):
    # given two routine visits to A, one to B, a focus visit to A, one not-found attempt and one in county Y
    other = make_person(where="B")
    record(world, world.person_a, "routine")
    record(world, world.person_a, "routine", days_ago=3)
    record(world, other, "routine")
    record(world, world.person_a, "focus")
    record(world, world.person_a, "routine", outcome=VisitOutcome.NOT_FOUND)
    services.visit_create(
        actor=world.bureau_officer_y,
        person=world.person_y,
        data=visit_input(
            visitors=[world.bureau_officer_y], visit_type="routine", method="phone_check", field_target=""
        ),
    )
    c = ctx(world)
    # then county X counts 3 routine visits to 2 persons and 1 focus visit; the attempt does not count
    assert get_measure("visits.routine_visits").compute(c) == 3
    assert get_measure("visits.routine_subjects").compute(c) == 2
    assert get_measure("visits.focus_visits").compute(c) == 1
    assert get_measure("visits.focus_subjects").compute(c) == 1
    assert get_measure("visits.special_visits").compute(c) == 0
    # and the drill-down returns the same records
    assert get_measure("visits.routine_visits").records(c).count() == 3
    # and a period before the visits counts nothing
    early = ctx(
        world,
        start=timezone.localdate() - dt.timedelta(days=90),
        end=timezone.localdate() - dt.timedelta(days=60),
    )
    assert get_measure("visits.routine_visits").compute(early) == 0


def test_interventions_are_counted_in_the_period(world):
    record(
        world,
        world.person_a,
        "focus",
        interventions=[services.InterventionInput(InterventionKind.EDUCATION_TALK, "谈话教育")],
    )
    assert get_measure("visits.interventions").compute(ctx(world)) == 1


def test_the_on_time_rate_compares_due_windows_with_visits(world, make_person):
    # given a strict person in correction since ~7 months, with a focus visit in only one of the closed months
    today = timezone.localdate()
    person = make_person(cls="strict", intake_days_ago=210)
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    record(world, person, "focus", days_ago=(today - last_month_end).days + 1)
    c = ctx(
        world, start=(last_month_end.replace(day=1) - dt.timedelta(days=1)).replace(day=1), end=last_month_end
    )
    # when the rate of the last two calendar months is computed
    from jiaozheng.visits.measures import on_time_parts

    parts = on_time_parts(c)
    # then the strict person owed 2 focus and 2 routine visits and made 1 + 1 on time
    focus_due, focus_done = parts.by_type["focus"]
    assert (focus_due, focus_done) == (2, 1)
    rate = get_measure("visits.on_time_rate").compute(c)
    assert 0 < rate < 1
    assert get_measure("visits.focus_on_time_rate").compute(c) == pytest.approx(focus_done / focus_due)


def test_the_demo_2020_year_meets_the_seed_quotas_exactly(world):
    """The demo's 2020 loader on a synthetic cohort: 330 routine records, 50 focus and 20 special persons, and
    every focus window the standards set met (the on-time rate follows the data, 100 %)."""
    from jiaozheng.core.demo import DemoContext
    from jiaozheng.core.testing.world import person_data
    from jiaozheng.people.choices import Status
    from jiaozheng.people.models import Person
    from jiaozheng.people.services import person_build, persons_bulk_register
    from jiaozheng.visits import demo

    # given a released cohort: 50 persons who entered in 2020 (the new entrants due focus visits) and 18
    # who entered in 2019
    rng = random.Random(2020)
    built = []
    for i in range(68):
        start = (
            dt.date(2020, 1, 6) + dt.timedelta(days=rng.randrange(0, 300)) if i < 50 else dt.date(2019, 6, 3)
        )
        data = person_data(squadron=world.squadron_a, township=world.township_a, intake_days_ago=2500)
        data.update(
            term_start=start,
            judgment_effective_on=start,
            intake_on=start + dt.timedelta(days=2),
            term_end=start + dt.timedelta(days=300),
        )
        built.append(person_build(actor=world.bureau_admin, data=data))
    persons_bulk_register(actor=world.bureau_admin, persons=built)
    cohort = list(Person.objects.filter(term_end__year__lte=2021).order_by("pk"))
    for person in cohort:
        person.status, person.released_on = Status.RELEASED, person.term_end
    Person.objects.bulk_update(cohort, ["status", "released_on"])
    staff = {
        "sw_lufeng": world.social_worker,
        "sw_lufeng2": world.social_worker,
        "lufeng_officer": world.squadron_officer,
        "xp_admin": world.bureau_admin,
    }
    context = DemoContext(rng=random.Random(1), today=timezone.localdate())
    context.objects.update(cohort_2020=cohort, staff=staff, squadrons={"lufeng": world.squadron_a})
    counts = demo._load_2020(context)
    assert counts == {"routine": 330, "focus_subjects": 50, "special_subjects": 20}
    year = MeasureContext((world.county_x.pk,), dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert get_measure("visits.routine_visits").compute(year) == 330
    assert get_measure("visits.focus_subjects").compute(year) == 50
    assert get_measure("visits.special_subjects").compute(year) == 20
    assert get_measure("visits.interventions").compute(year) == 6
    assert get_measure("visits.focus_on_time_rate").compute(year) == 1
