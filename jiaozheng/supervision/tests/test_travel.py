"""外出: approving level by length and window, overlaps, decisions on closed requests, return report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiaozheng.supervision import services
from jiaozheng.supervision.choices import ApprovalLevel, TravelStatus
from jiaozheng.supervision.models import TravelRequest


@pytest.fixture
def person(world):
    p = world.person_a
    today = timezone.localdate()
    p.judgment_effective_on = today - dt.timedelta(days=60)
    p.term_end = max(p.term_end, today + dt.timedelta(days=365))
    p.save()
    return p


def _ask(world, person, start, days, actor=None):
    return services.travel_request(
        actor=actor or world.squadron_officer,
        person=person,
        destination="长沙市",
        reason="探亲",
        start_on=start,
        end_on=start + dt.timedelta(days=days - 1),
    )


def test_level_by_length(world, person):
    start = timezone.localdate() + dt.timedelta(days=3)
    assert _ask(world, person, start, 7).level == ApprovalLevel.SQUADRON
    assert _ask(world, person, start + dt.timedelta(days=10), 10).level == ApprovalLevel.COUNTY
    assert _ask(world, person, start + dt.timedelta(days=30), 31).level == ApprovalLevel.HIGHER


def test_ten_day_trip_needs_the_county(world, person):
    # given a 10-day trip
    req = _ask(world, person, timezone.localdate() + dt.timedelta(days=3), 10)
    # when the judicial office tries to approve it, then it is refused and nothing changes
    with pytest.raises(ValidationError, match="county"):
        services.travel_decide(actor=world.squadron_officer, travel=req, approve=True)
    req.refresh_from_db()
    assert req.status == TravelStatus.REQUESTED and req.decided_by is None
    # and the county officer approves it
    req = services.travel_decide(actor=world.bureau_officer, travel=req, approve=True)
    assert req.status == TravelStatus.APPROVED and req.level == ApprovalLevel.COUNTY


def test_window_total_goes_to_the_next_level(world, person):
    # given 25 travel days approved and returned within the last two months
    start = timezone.localdate() - dt.timedelta(days=40)
    first = _ask(world, person, start, 25)
    first.status = TravelStatus.RETURNED
    first.save()
    # when a further 6-day trip is asked, then only the next level up may approve it
    req = _ask(world, person, timezone.localdate() + dt.timedelta(days=2), 6)
    assert req.level == ApprovalLevel.HIGHER
    with pytest.raises(ValidationError, match="next level"):
        services.travel_decide(actor=world.bureau_admin, travel=req, approve=True)
    assert TravelRequest.objects.get(pk=req.pk).status == TravelStatus.REQUESTED


def test_overlapping_trips_and_dates_before_judgment_refused(world, person):
    start = timezone.localdate() + dt.timedelta(days=3)
    _ask(world, person, start, 5)
    with pytest.raises(ValidationError, match="overlaps"):
        _ask(world, person, start + dt.timedelta(days=4), 3)
    with pytest.raises(ValidationError, match="judgment"):
        _ask(world, person, person.judgment_effective_on - dt.timedelta(days=1), 2)
    with pytest.raises(ValidationError):
        services.travel_request(
            actor=world.squadron_officer,
            person=person,
            destination="长沙市",
            reason="探亲",
            start_on=start,
            end_on=start - dt.timedelta(days=1),
        )
    assert TravelRequest.objects.count() == 1


def test_decision_on_closed_request_and_return(world, person):
    req = _ask(world, person, timezone.localdate() - dt.timedelta(days=5), 3)
    services.travel_decide(actor=world.squadron_officer, travel=req, approve=True)
    with pytest.raises(ValidationError, match="closed"):
        services.travel_decide(actor=world.squadron_officer, travel=req, approve=False, note="不同意")
    with pytest.raises(ValidationError):
        services.travel_return(
            actor=world.squadron_officer, travel=req, returned_on=req.start_on - dt.timedelta(days=1)
        )
    req = services.travel_return(actor=world.squadron_officer, travel=req, returned_on=timezone.localdate())
    assert req.status == TravelStatus.RETURNED


def test_refusal_needs_a_reason_and_social_worker_decides_none(world, person):
    req = _ask(world, person, timezone.localdate() + dt.timedelta(days=3), 3)
    with pytest.raises(ValidationError):
        services.travel_decide(actor=world.squadron_officer, travel=req, approve=False, note="")
    with pytest.raises(PermissionDenied):
        services.travel_decide(actor=world.social_worker, travel=req, approve=True)
    with pytest.raises(PermissionDenied):
        _ask(world, person, timezone.localdate() + dt.timedelta(days=20), 2, actor=world.social_worker)


def test_api_and_pages(world, person, api_client, login):
    start = timezone.localdate() + dt.timedelta(days=3)
    client = api_client(world.bureau_officer)
    resp = client.post(
        f"/api/v1/supervision/persons/{person.pk}/travel",
        {
            "destination": "北京市",
            "reason": "就医",
            "start_on": start.isoformat(),
            "end_on": (start + dt.timedelta(days=9)).isoformat(),
        },
        content_type="application/json",
    )
    assert resp.status_code == 201 and resp.json()["level"] == "county"
    tid = resp.json()["id"]
    squadron = api_client(world.squadron_officer).post(
        f"/api/v1/supervision/travel/{tid}/decision", {"approve": True}, content_type="application/json"
    )
    assert squadron.status_code == 422
    ok = client.post(
        f"/api/v1/supervision/travel/{tid}/decision", {"approve": True}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    page = login(world.bureau_officer).get(f"/supervision/travel/{tid}/").content.decode()
    assert "北京市" in page
