"""On-time rates of the supervision procedures."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiaozheng.core.measures import MeasureContext
from jiaozheng.supervision import measures
from jiaozheng.supervision.models import Investigation, Release, TravelRequest


def _ctx(world):
    today = timezone.localdate()
    return MeasureContext(county_ids=(world.county_x.pk,), start=today - dt.timedelta(days=30), end=today)


def test_investigation_and_travel_rates(world):
    today = timezone.localdate()
    base = {
        "county": world.county_x,
        "commissioner": "court",
        "commissioner_name": "法院",
        "defendant_name": "甲",
    }
    Investigation.objects.create(
        **base,
        commissioned_on=today - dt.timedelta(days=20),
        due_on=today - dt.timedelta(days=5),
        answered_on=today - dt.timedelta(days=6),
    )
    Investigation.objects.create(
        **base,
        commissioned_on=today - dt.timedelta(days=20),
        due_on=today - dt.timedelta(days=5),
        answered_on=today - dt.timedelta(days=2),
    )
    assert measures.investigation_on_time(_ctx(world)) == 0.5
    trip = {"person": world.person_a, "destination": "长沙", "reason": "探亲", "level": "squadron"}
    TravelRequest.objects.create(
        **trip,
        start_on=today - dt.timedelta(days=9),
        end_on=today - dt.timedelta(days=7),
        status="returned",
        returned_on=today - dt.timedelta(days=7),
    )
    TravelRequest.objects.create(
        **trip, start_on=today - dt.timedelta(days=5), end_on=today - dt.timedelta(days=3), status="approved"
    )
    TravelRequest.objects.create(
        **trip, start_on=today - dt.timedelta(days=20), end_on=today - dt.timedelta(days=18), status="refused"
    )
    assert measures.travel_return_on_time(_ctx(world)) == 0.5


def test_report_and_release_rates(world):
    today = timezone.localdate()
    a, b = world.person_a, world.person_b
    for p, judged, intake in ((a, 30, 25), (b, 30, 10)):
        p.judgment_effective_on = today - dt.timedelta(days=judged)
        p.term_start = p.judgment_effective_on
        p.intake_on = today - dt.timedelta(days=intake)
        p.save()
    assert measures.report_on_time(_ctx(world)) == 0.5  # a reported 5 days after, b 20 days after
    a.term_end = today - dt.timedelta(days=3)
    a.save()
    Release.objects.create(person=a, county=world.county_x, year=today.year, number=1, released_on=a.term_end)
    ended = measures.terms_ended(_ctx(world)).count()
    assert ended >= 1 and measures.release_on_time(_ctx(world)) == 1 / ended
