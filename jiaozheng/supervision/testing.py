"""Access-matrix factories and API bodies for supervision."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiaozheng.core.testing.matrix import api_body, object_factory
from jiaozheng.supervision.choices import InvestigationStatus
from jiaozheng.supervision.models import Investigation, Release, ReportFollowUp, TravelRequest


@object_factory("supervision.Investigation")
def make_investigation(world, where):
    today = timezone.localdate()
    return Investigation.objects.create(
        county=world.county(where),
        squadron=world.squadron("Y" if where == "Y" else "A"),
        commissioner="court",
        commissioner_name="县人民法院",
        defendant_name="被告人",
        commissioned_on=today - dt.timedelta(days=2),
        due_on=today + dt.timedelta(days=10),
        status=InvestigationStatus.INVESTIGATING,
    )


@api_body("assign_investigation")
def assign_body(world, obj):
    return {"assignee_id": world.users["bureau_officer"].pk}


@api_body("answer_investigation")
def answer_body(world, obj):
    return {"findings": "居住稳定", "conclusion": "suitable", "opinion": "建议适用社区矫正"}


@object_factory("supervision.TravelRequest")
def make_travel(world, where):
    today = timezone.localdate()
    return TravelRequest.objects.create(
        person=world.person(where),
        destination="长沙市",
        reason="就医",
        start_on=today + dt.timedelta(days=3),
        end_on=today + dt.timedelta(days=5),
        level="squadron",
    )


@api_body("request_travel")
def travel_body(world, obj):
    today = timezone.localdate()
    return {
        "destination": "怀化市",
        "reason": "探亲",
        "start_on": (today + dt.timedelta(days=20)).isoformat(),
        "end_on": (today + dt.timedelta(days=21)).isoformat(),
    }


@api_body("decide_travel")
def decide_body(world, obj):
    return {"approve": True, "note": ""}


@api_body("return_travel")
def return_body(world, obj):
    return {"returned_on": timezone.localdate().isoformat(), "note": ""}


@object_factory("supervision.Release")
def make_release(world, where):
    person = world.person(where)
    return Release.objects.create(
        person=person,
        county_id=person.county_id,
        year=2026,
        number=Release.objects.filter(county_id=person.county_id).count() + 1,
        released_on=timezone.localdate(),
    )


@api_body("release_person")
def release_body(world, obj):
    return {"released_on": timezone.localdate().isoformat(), "appraisal": ""}


@object_factory("supervision.ReportFollowUp")
def make_followup(world, where):
    return ReportFollowUp.objects.create(
        person=world.person(where), deadline=timezone.localdate() - dt.timedelta(days=1)
    )
