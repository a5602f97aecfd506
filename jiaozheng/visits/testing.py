"""Access-matrix factories and API bodies for the visits module."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from jiaozheng.core.testing.matrix import api_body, object_factory
from jiaozheng.visits.choices import HelpKind, InterventionKind, VisitMethod, VisitType
from jiaozheng.visits.models import (
    FollowUpTask,
    RoutePlan,
    Visit,
    VisitAttachment,
    VisitQuota,
    VisitStandard,
)

# A 2x2 PNG made with Pillow.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a73000000164944415478"
    "9c633c2127c7c0c0c0c4c0c0c0c0c000000d0401087d71ca660000000049454e44ae426082"
)


def _place(where: str) -> str:
    return "A" if where == "subject" else where


def make_visit_for(person) -> Visit:
    now = timezone.now()
    return Visit.objects.create(
        person=person,
        visit_type=VisitType.ROUTINE,
        method=VisitMethod.PHONE_CHECK,
        visited_at=now,
        visited_on=timezone.localdate(),
        thinking="稳定",
    )


@object_factory("visits.Visit")
def make_visit(world, where):
    return make_visit_for(world.person(where))


@object_factory("visits.FollowUpTask")
def make_task(world, where):
    return FollowUpTask.objects.create(
        person=world.person(where), title="回访", due_on=timezone.localdate() + dt.timedelta(days=7)
    )


@object_factory("visits.VisitAttachment")
def make_attachment(world, where):
    visit = make_visit_for(world.person(where))
    row = VisitAttachment(
        visit=visit, original_name="scene.png", content_type="image/png", size=len(PNG), sha256="0" * 64
    )
    row.file.save("scene.png", ContentFile(PNG), save=False)
    row.save()
    return row


@object_factory("visits.RoutePlan")
def make_route_plan(world, where):
    return RoutePlan.objects.create(
        squadron=world.squadron(_place(where)),
        plan_date=timezone.localdate(),
        params={},
        result={"depot": {"name": "x", "lat": 27.9, "lon": 110.6}, "routes": [], "unplanned": []},
    )


@object_factory("visits.VisitStandard")
def make_standard(world, where):
    return VisitStandard.objects.create(
        unit=world.county(_place(where)),
        name="每月重点走访",
        visit_type=VisitType.FOCUS,
        counts_types=[VisitType.FOCUS],
        methods=[VisitMethod.FIELD_VISIT],
    )


@object_factory("visits.VisitQuota")
def make_quota(world, where):
    contract = world.contract_y if _place(where) == "Y" else world.contract_x
    return VisitQuota.objects.create(
        contract=contract, visit_type=VisitType.ROUTINE, unit="visits", target=330
    )


@api_body("create_visit")
def create_visit_body(world, obj):
    return {
        "visit_type": VisitType.ROUTINE,
        "method": VisitMethod.PHONE_CHECK,
        "visited_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "other_visitors": "村主任",
        "thinking": "稳定",
    }


@api_body("add_visit_intervention")
def intervention_body(world, obj):
    return {"kind": InterventionKind.EDUCATION_TALK, "note": "个别教育谈话"}


@api_body("close_visit_task")
def close_task_body(world, obj):
    return {"result": "已回访"}


@api_body("add_hardship_help")
def help_body(world, obj):
    return {
        "kind": HelpKind.MATERIAL,
        "given_on": timezone.localdate().isoformat(),
        "material": "米、油",
        "given_by": "县司法局",
    }
