"""Access-matrix factories and API bodies for the caseload."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiaozheng.core.testing.matrix import api_body, object_factory
from jiaozheng.people.models import CorrectionPlan


@object_factory("people.Person")
def make_person(world, where):
    return world.person(where)


@object_factory("people.CorrectionPlan")
def make_plan(world, where):
    today = timezone.localdate()
    return CorrectionPlan.objects.create(
        person=world.person(where),
        made_on=today,
        goals="g",
        measures="m",
        next_review_on=today + dt.timedelta(days=30),
    )


@api_body("update_person")
def update_person_body(world, obj):
    return {"employer": "某公司"}
