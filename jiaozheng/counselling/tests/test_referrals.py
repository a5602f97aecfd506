"""referral_open: the interface other modules (visits) call; authorisation, scope, idempotence, notify."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jiaozheng.core.models import Notification
from jiaozheng.counselling.choices import ReferralStatus
from jiaozheng.counselling.models import Referral
from jiaozheng.counselling.services import referral_open

pytestmark = pytest.mark.django_db


def test_a_social_worker_refers_a_person_and_the_county_counsellor_is_notified(world):
    # given a social worker of squadron A (SERVICES change, no COUNSELLING_NOTES right)
    # when they refer person A after a visit
    referral = referral_open(
        actor=world.social_worker, person=world.person_a, reason="情绪低落，拒绝交流", source="visit"
    )
    # then the referral is open and the county's counsellor has a message
    assert referral.status == ReferralStatus.OPEN
    assert referral.opened_by == world.social_worker
    assert Notification.objects.filter(recipient=world.counsellor, kind="counselling.referral").exists()


def test_the_same_source_object_is_not_referred_twice(world):
    # given a referral made from a source object (here: the person's correction plan stands in for a visit)
    from jiaozheng.people.testing import make_plan

    plan = make_plan(world, "A")
    first = referral_open(
        actor=world.squadron_officer, person=world.person_a, reason="r", source="visit", source_obj=plan
    )
    # when the caller refers again from the same object
    second = referral_open(
        actor=world.squadron_officer, person=world.person_a, reason="r", source="visit", source_obj=plan
    )
    # then the open referral is returned, not duplicated
    assert first.pk == second.pk
    assert Referral.objects.count() == 1
    assert first.source_model == "people.CorrectionPlan"
    assert first.source_id == str(plan.pk)


def test_a_person_outside_the_scope_is_not_found_and_roles_without_services_change_are_refused(world):
    with pytest.raises(Http404):
        referral_open(actor=world.social_worker, person=world.person_b, reason="r", source="manual")
    with pytest.raises(PermissionDenied):
        referral_open(actor=world.auditor, person=world.person_a, reason="r", source="manual")
    with pytest.raises(PermissionDenied):
        referral_open(actor=world.supervisor, person=world.person_a, reason="r", source="manual")
    assert Referral.objects.count() == 0


def test_bad_input_is_refused_with_a_clear_message(world):
    with pytest.raises(ValidationError) as excinfo:
        referral_open(actor=world.counsellor, person=world.person_a, reason="  ", source="manual")
    assert "reason" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        referral_open(actor=world.counsellor, person=world.person_a, reason="r", source="gossip")
    assert "Unknown referral source" in " ".join(excinfo.value.messages)
    assert Referral.objects.count() == 0
