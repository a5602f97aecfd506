"""The indicator measures of education and community service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jiaozheng.community import services as community
from jiaozheng.community.tests.helpers import activity_data, held_activity
from jiaozheng.core.measures import MeasureContext, all_measures, get_measure
from jiaozheng.education import services
from jiaozheng.education.tests.helpers import held_session, make_session, remote_now

pytestmark = pytest.mark.django_db


def figure(code, world, county=None):
    today = timezone.localdate()
    ctx = MeasureContext(
        ((county or world.county_x).pk,), today.replace(month=1, day=1) - dt.timedelta(days=400), today
    )
    return get_measure(code).compute(ctx)


def test_every_measure_is_registered_with_its_exact_code():
    codes = set(all_measures())
    assert {
        "education.sessions_held",
        "education.sessions_held_remote",
        "education.attendances",
        "education.persons_reached",
        "education.study_hours",
        "community.activities_held",
        "community.participations",
        "community.persons_reached",
        "community.service_hours",
    } <= codes


def test_held_sessions_count_once_and_cancelled_or_planned_ones_never(world):
    # given a held session shared by A and B, a held remote session, a cancelled one and a planned one
    held_session(
        world,
        squadrons=[world.squadron_a, world.squadron_b],
        present=[world.person_a, world.person_b, world.subject_person],
    )
    remote = remote_now(world, minutes=-90)
    services.session_hold(actor=world.bureau_admin, session=remote)
    services.attendance_mark(
        actor=world.bureau_admin, attendance=remote.attendances.get(person=world.person_a), status="present"
    )
    cancelled = make_session(world, days=3)
    services.session_cancel(actor=world.bureau_admin, session=cancelled, reason="pandemic")
    make_session(world, days=5)
    # then two sessions were held, one of them remote
    assert figure("education.sessions_held", world) == 2
    assert figure("education.sessions_held_remote", world) == 1
    # and attendance counts person-times, persons reached counts each person once
    assert figure("education.attendances", world) == 4
    assert figure("education.persons_reached", world) == 3
    assert figure("education.study_hours", world) == Decimal("2.0") * 3 + Decimal("1.5")
    # and the other county has nothing
    assert figure("education.sessions_held", world, county=world.county_y) == 0


def test_community_measures_count_supervised_persons_only(world):
    activity = held_activity(world, persons=[world.person_a, world.subject_person])
    community.participant_add_member(actor=world.bureau_admin, activity=activity, user=world.social_worker)
    planned = community.activity_create(
        actor=world.bureau_admin, data=activity_data(world, day=timezone.localdate() + dt.timedelta(days=3))
    )
    community.participants_add_persons(actor=world.bureau_admin, activity=planned, persons=[world.person_a])
    cancelled = community.activity_create(
        actor=world.bureau_admin, data=activity_data(world, day=timezone.localdate() + dt.timedelta(days=4))
    )
    community.activity_cancel(actor=world.bureau_admin, activity=cancelled, reason="weather")
    assert figure("community.activities_held", world) == 1
    assert figure("community.participations", world) == 2
    assert figure("community.persons_reached", world) == 2
    assert figure("community.service_hours", world) == Decimal("6.0")


def test_records_behind_a_figure_are_the_rows_counted(world):
    held_session(world, present=[world.person_a])
    today = timezone.localdate()
    ctx = MeasureContext((world.county_x.pk,), today - dt.timedelta(days=30), today)
    measure = get_measure("education.attendances")
    assert list(measure.records(ctx).values_list("person_id", flat=True)) == [world.person_a.pk]
