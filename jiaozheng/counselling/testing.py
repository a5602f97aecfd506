"""Access-matrix factories and API bodies for counselling."""

from __future__ import annotations

from django.utils import timezone

from jiaozheng.core.testing.matrix import api_body, object_factory
from jiaozheng.counselling.models import (
    CaseNote,
    CounsellingCase,
    CounsellingGroup,
    GroupFormation,
    GroupMember,
    GroupSession,
    Referral,
)


@object_factory("counselling.Referral")
def make_referral(world, where):
    return Referral.objects.create(person=world.person(where), reason="情绪低落", source="manual")


@object_factory("counselling.CounsellingCase")
def make_case(world, where):
    case = CounsellingCase.objects.create(
        person=world.person(where),
        opened_on=timezone.localdate(),
        presenting_problem="失眠",
        goals="改善睡眠",
    )
    CaseNote.objects.create(case=case, text="保密记录")
    return case


def _group(world, where):
    county = world.county("Y" if where == "Y" else "A")
    group = CounsellingGroup.objects.create(
        county=county, name="测试组", profile_data={"stratum": ["adult", "male"]}
    )
    GroupMember.objects.create(group=group, person=world.person("Y" if where == "Y" else "A"))
    return group


@object_factory("counselling.CounsellingGroup")
def make_group(world, where):
    return _group(world, where)


@object_factory("counselling.GroupSession")
def make_group_session(world, where):
    return GroupSession.objects.create(
        group=_group(world, where), held_on=timezone.localdate(), topic="情绪管理"
    )


@object_factory("counselling.GroupFormation")
def make_formation(world, where):
    county = world.county("Y" if where == "Y" else "A")
    return GroupFormation.objects.create(
        county=county,
        title="测试分组",
        params={"scale": "scl90", "size_min": 6, "size_max": 12},
        proposal={
            "groups": [],
            "waitlist": [],
            "merges": [],
            "candidates": {},
            "params": {"size_min": 6, "size_max": 12},
            "adjustments": [],
        },
    )


@api_body("open_referral")
def referral_body(world, obj):
    return {"reason": "走访发现情绪低落", "source": "visit"}
