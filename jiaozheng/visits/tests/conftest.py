"""Helpers for the visits tests: persons of a given class and intake, visits, a strict person's team."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiaozheng.core.testing.world import person_data
from jiaozheng.people.services import person_create, team_member_add
from jiaozheng.visits import services
from jiaozheng.visits.choices import FieldVisitTarget, VisitMethod, VisitType


@pytest.fixture
def make_person(world):
    """make_person(cls="strict", intake_days_ago=120, squadron="A", **overrides) -> a person in correction."""

    def _make(cls="ordinary", intake_days_ago=200, where="A", **overrides):
        squadron = world.squadron(where)
        township = {"A": world.township_a, "B": world.township_b, "Y": world.township_c}[where]
        actor = world.bureau_officer_y if where == "Y" else world.bureau_admin
        data = person_data(
            squadron=squadron,
            township=township,
            intake_days_ago=intake_days_ago,
            supervision_class=cls,
            **overrides,
        )
        return person_create(actor=actor, data=data)

    return _make


@pytest.fixture
def on_team(world):
    def _add(person, user, role="social_worker"):
        return team_member_add(actor=world.bureau_admin, person=person, name=str(user), role=role, user=user)

    return _add


def visit_input(**overrides):
    data = {
        "visit_type": VisitType.FOCUS,
        "method": VisitMethod.FIELD_VISIT,
        "field_target": FieldVisitTarget.HOME,
        "visited_at": timezone.now() - dt.timedelta(hours=2),
        "place": "家中",
        "thinking": "思想稳定",
        "conduct": "表现良好",
    }
    data.update(overrides)
    return services.VisitInput(**data)
