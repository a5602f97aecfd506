"""Staff management by a bureau administrator, and the account page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiaozheng.orgs.models import User

pytestmark = pytest.mark.django_db


def test_a_bureau_admin_creates_a_social_worker_posted_to_a_squadron(world, login):
    client = login(world.bureau_admin)
    response = client.post(
        reverse("orgs:staff_create"),
        {
            "username": "sw_new",
            "full_name": "新社工",
            "role": "social_worker",
            "units": [world.squadron_a.pk],
            "phone": "13800000001",
            "can_view_juveniles": "unknown",
        },
    )
    assert response.status_code == 200
    user = User.objects.get(username="sw_new")
    assert [a.unit for a in user.assignments.all()] == [world.squadron_a]
    # a temporary password, shown once on the page, to be changed at first sign-in
    password = response.context["password"]
    assert password in response.content.decode()
    assert user.check_password(password) and user.must_change_password


def test_staff_cannot_be_posted_outside_the_admins_county(world, login):
    client = login(world.bureau_admin)
    response = client.post(
        reverse("orgs:staff_create"),
        {"username": "sw_bad", "full_name": "越权", "role": "social_worker", "units": [world.squadron_c.pk]},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="sw_bad").exists()


def test_the_staff_list_shows_only_the_admins_county(world, login):
    body = login(world.bureau_admin).get(reverse("orgs:staff_list")).content.decode()
    assert "social_worker_b" in body
    assert "bureau_officer_y" not in body
    assert (
        login(world.bureau_admin)
        .get(reverse("orgs:staff_edit", args=[world.bureau_officer_y.pk]))
        .status_code
        == 404
    )


def test_other_roles_cannot_manage_staff(world, login):
    assert login(world.bureau_officer).get(reverse("orgs:staff_list")).status_code == 403


def test_an_admin_can_disable_an_account_but_not_their_own(world, login):
    client = login(world.bureau_admin)
    client.post(reverse("orgs:staff_toggle", args=[world.social_worker_b.pk]))
    world.social_worker_b.refresh_from_db()
    assert not world.social_worker_b.is_active
    client.post(reverse("orgs:staff_toggle", args=[world.bureau_admin.pk]))
    world.bureau_admin.refresh_from_db()
    assert world.bureau_admin.is_active


def test_the_account_page_changes_the_password_with_the_policy(world, login):
    from jiaozheng.core.testing.world import PASSWORD

    client = login(world.social_worker)
    weak = client.post(
        reverse("orgs:account"),
        {"form": "password", "old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"},
    )
    assert weak.status_code == 200
    strong = client.post(
        reverse("orgs:account"),
        {
            "form": "password",
            "old_password": PASSWORD,
            "new_password1": "Xupu-county-2026!",
            "new_password2": "Xupu-county-2026!",
        },
    )
    assert strong.status_code == 302
    world.social_worker.refresh_from_db()
    assert world.social_worker.check_password("Xupu-county-2026!")
