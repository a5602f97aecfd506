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


def listed(measure, ctx):
    """The primary keys of the records behind a figure."""
    assert measure.records is not None
    return set(measure.records(ctx).values_list("pk", flat=True))


def test_every_measure_is_registered_with_its_exact_code():
    codes = set(all_measures())
    assert {
        "education.sessions_held",
        "education.sessions_held_remote",
        "education.attendances",
        "education.persons_reached",
        "education.study_hours",
        "education.sessions_cancelled",
        "education.sessions_rescheduled",
        "community.activities_held",
        "community.activities_cancelled",
        "community.participations",
        "community.persons_reached",
        "community.service_hours",
    } <= codes


def test_held_sessions_count_once_and_cancelled_or_planned_ones_never(world):
    # given a held session shared by A and B, a held remote session, a cancelled one and a planned one
    held_session(
        world,
        squadrons=[world.squadron_a, world.squadron_b],
        present=(world.person_a, world.person_b, world.subject_person),
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
    activity = held_activity(world, persons=(world.person_a, world.subject_person))
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
    held_session(world, present=(world.person_a,))
    today = timezone.localdate()
    ctx = MeasureContext((world.county_x.pk,), today - dt.timedelta(days=30), today)
    measure = get_measure("education.attendances")
    assert measure.records is not None
    assert list(measure.records(ctx).values_list("person_id", flat=True)) == [world.person_a.pk]


def test_sessions_not_held_are_counted_apart_by_the_day_they_were_planned_for(world):
    today = timezone.localdate()
    ctx = MeasureContext((world.county_x.pk,), today - dt.timedelta(days=20), today + dt.timedelta(days=20))

    def cancel(session, reason="pandemic"):
        return services.session_cancel(actor=world.bureau_admin, session=session, reason=reason)

    def reschedule(session, days):
        return services.session_reschedule(
            actor=world.bureau_admin,
            session=session,
            date=today + dt.timedelta(days=days),
            start_time=dt.time(9, 0),
            end_time=dt.time(11, 0),
            reason="weather",
        )

    # counted: two cancelled sessions (one shared by two squadrons) and one rescheduled, planned in the period
    shared = cancel(make_session(world, days=3, squadrons=[world.squadron_a, world.squadron_b]))
    past = cancel(make_session(world, days=-10), reason="weather")
    moved = make_session(world, days=4)
    reschedule(moved, days=6)
    # not counted: a held and a planned session, the session the moved one became (planned, not held),
    # sessions not held but planned outside the period, and the other county's cancelled session
    held_session(world)
    make_session(world, days=5)
    cancel(make_session(world, days=-40))
    reschedule(make_session(world, days=25), days=26)
    services.session_cancel(
        actor=world.bureau_officer_y,
        session=make_session(world, world.bureau_officer_y, days=2, squadrons=[world.squadron_c]),
        reason="pandemic",
    )
    cancelled = get_measure("education.sessions_cancelled")
    rescheduled = get_measure("education.sessions_rescheduled")
    assert cancelled.compute(ctx) == 2
    assert rescheduled.compute(ctx) == 1
    assert get_measure("education.sessions_held").compute(ctx) == 1
    # the records behind each figure are the rows counted (the evidence pack and drill-downs list them)
    assert listed(cancelled, ctx) == {shared.pk, past.pk}
    assert listed(rescheduled, ctx) == {moved.pk}
    # a figure of the other county counts its own
    other = MeasureContext((world.county_y.pk,), ctx.start, ctx.end)
    assert cancelled.compute(other) == 1 and rescheduled.compute(other) == 0
    # labels and units are translated for the pages that show them
    from django.utils import translation

    with translation.override("zh-hans"):
        assert (str(cancelled.label), str(cancelled.unit)) == ("教育学习取消场次", "场次")
        assert str(rescheduled.label) == "教育学习改期场次"


def test_cancelled_activities_are_counted_apart(world):
    today = timezone.localdate()
    ctx = MeasureContext((world.county_x.pk,), today - dt.timedelta(days=20), today + dt.timedelta(days=20))

    def planned(day, actor=None, **extra):
        return community.activity_create(
            actor=actor or world.bureau_admin,
            data=activity_data(world, day=today + dt.timedelta(days=day), **extra),
        )

    # counted: two activities planned in the period and cancelled
    first = community.activity_cancel(actor=world.bureau_admin, activity=planned(4), reason="weather")
    second = community.activity_cancel(actor=world.bureau_admin, activity=planned(-3), reason="pandemic")
    # not counted: held, planned, cancelled outside the period, cancelled in the other county
    held_activity(world)
    planned(6)
    community.activity_cancel(actor=world.bureau_admin, activity=planned(-30), reason="venue")
    community.activity_cancel(
        actor=world.bureau_officer_y,
        activity=planned(2, world.bureau_officer_y, squadrons=[world.squadron_c]),
        reason="weather",
    )
    measure = get_measure("community.activities_cancelled")
    assert measure.compute(ctx) == 2
    assert get_measure("community.activities_held").compute(ctx) == 1
    assert listed(measure, ctx) == {first.pk, second.pk}
    assert measure.compute(MeasureContext((world.county_y.pk,), ctx.start, ctx.end)) == 1
