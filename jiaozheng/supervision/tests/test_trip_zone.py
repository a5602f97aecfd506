"""An approved 外出 becomes location's permitted zone through jiaozheng.core.trips (no import between them)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiaozheng.core.trips import trip_listeners
from jiaozheng.people.choices import Status
from jiaozheng.supervision import services
from jiaozheng.supervision.models import TravelRequest

TODAY = timezone.localdate


@pytest.fixture
def person(world):
    p = world.person_a
    p.status = Status.IN_CORRECTION
    p.judgment_effective_on = TODAY() - dt.timedelta(days=60)
    p.term_end = max(p.term_end, TODAY() + dt.timedelta(days=365))
    p.save()
    return p


def _trip(world, person, code="430102", days=5):
    start = TODAY()
    return services.travel_request(
        actor=world.squadron_officer,
        person=person,
        destination="长沙市芙蓉区",
        destination_code=code,
        reason="就医",
        start_on=start,
        end_on=start + dt.timedelta(days=days - 1),
    )


def test_location_listens():
    assert "location.permit" in [listener.name for listener in trip_listeners()]


def test_approved_trip_becomes_a_travel_permit_and_ends_with_an_early_return(world, person):
    permits = apps.get_model("location", "TravelPermit").objects
    req = _trip(world, person)
    assert not permits.filter(person=person).exists()
    req = services.travel_decide(actor=world.squadron_officer, travel=req, approve=True)
    permit = permits.get(person=person)
    assert (permit.start_on, permit.end_on, permit.destination_code) == (req.start_on, req.end_on, "430102")
    assert permit.status == "approved" and req.zone_refs == [f"location.permit={permit.pk}"]
    # back on the first day: the window closes with the return
    services.travel_return(actor=world.squadron_officer, travel=req, returned_on=TODAY())
    permit.refresh_from_db()
    assert permit.status == "cancelled"


def test_refused_trip_and_trip_without_code_make_no_zone(world, person):
    permits = apps.get_model("location", "TravelPermit").objects
    req = _trip(world, person)
    services.travel_decide(actor=world.squadron_officer, travel=req, approve=False, note="理由不充分")
    other = _trip(world, person, code="")
    other = services.travel_decide(actor=world.squadron_officer, travel=other, approve=True)
    assert other.zone_refs == [] and not permits.filter(person=person).exists()


def test_unknown_code_is_refused_at_request(world, person):
    with pytest.raises(ValidationError, match="999999"):
        _trip(world, person, code="999999")
    assert not TravelRequest.objects.exists()


def test_trip_recorded_after_the_fact_makes_no_zone(world, person):
    permits = apps.get_model("location", "TravelPermit").objects
    req = services.travel_request(
        actor=world.squadron_officer,
        person=person,
        destination="长沙市芙蓉区",
        destination_code="430102",
        reason="就医",
        start_on=TODAY() - dt.timedelta(days=5),
        end_on=TODAY() - dt.timedelta(days=2),
    )
    req = services.travel_decide(actor=world.squadron_officer, travel=req, approve=True)
    assert req.status == "approved" and req.zone_refs == [] and not permits.exists()
