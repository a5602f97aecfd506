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


@object_factory("supervision.SanctionCase")
def make_sanction(world, where):
    from jiaozheng.supervision.models import SanctionCase

    today = timezone.localdate()
    return SanctionCase.objects.create(
        person=world.person(where),
        kind="admonition",
        ground="minor_breach",
        facts="未按规定报告",
        occurred_on=today - dt.timedelta(days=1),
        decision_due_on=today + dt.timedelta(days=7),
    )


@api_body("propose_sanction")
def propose_body(world, obj):
    return {
        "kind": "admonition",
        "ground": "minor_breach",
        "facts": "未按规定报告",
        "occurred_on": timezone.localdate().isoformat(),
    }


@api_body("decide_sanction")
def decide_sanction_body(world, obj):
    return {"take": True, "note": ""}


@api_body("rule_sanction")
def rule_sanction_body(world, obj):
    return {"ruling": "granted", "ruled_on": timezone.localdate().isoformat(), "note": ""}


@object_factory("supervision.PermitRequest")
def make_permit(world, where):
    from jiaozheng.supervision.models import PermitRequest

    today = timezone.localdate()
    return PermitRequest.objects.create(
        person=world.person(where),
        kind="visitor",
        subject="同案人",
        reason="处理家事",
        start_on=today + dt.timedelta(days=2),
        end_on=today + dt.timedelta(days=2),
        decision_due_on=today + dt.timedelta(days=5),
    )


@api_body("request_permit")
def permit_body(world, obj):
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    return {"kind": "special_place", "subject": "酒吧", "reason": "工作需要", "start_on": day, "end_on": day}


@api_body("decide_permit")
def decide_permit_body(world, obj):
    return {"approve": True, "note": ""}


@object_factory("supervision.Relocation")
def make_relocation(world, where):
    from jiaozheng.supervision.models import Relocation

    today = timezone.localdate()
    return Relocation.objects.create(
        person=world.person(where),
        new_address="长沙市岳麓区某街1号",
        receiving_county="长沙市岳麓区社区矫正机构",
        reason="随子女居住",
        planned_on=today + dt.timedelta(days=30),
        requested_on=today,
        consult_due_on=today + dt.timedelta(days=5),
    )


@api_body("request_relocation")
def relocation_body(world, obj):
    return {
        "new_address": "长沙市岳麓区某街1号",
        "receiving_county": "长沙市岳麓区社区矫正机构",
        "reason": "随子女居住",
        "planned_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
    }


@api_body("relocation_step")
def relocation_step_body(world, obj):
    return {"step": "consult", "on": timezone.localdate().isoformat()}


@api_body("decide_relocation")
def decide_relocation_body(world, obj):
    return {"approve": False, "note": "不同意"}


@api_body("record_reexamination")
def reexam_body(world, obj):
    return {"examined_on": timezone.localdate().isoformat(), "hospital": "县人民医院"}
