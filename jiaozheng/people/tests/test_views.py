"""Caseload pages: scoping (404 outside), masking, forms with clear errors, lifecycle actions, export."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from jiaozheng.audit.models import AccessLog
from jiaozheng.core.testing.world import person_data
from jiaozheng.people.models import Person

pytestmark = pytest.mark.django_db


def test_a_social_worker_of_squadron_a_gets_404_for_a_person_of_squadron_b(world, login):
    client = login(world.social_worker)
    assert client.get(reverse("people:person_detail", args=[world.person_a.pk])).status_code == 200
    assert client.get(reverse("people:person_detail", args=[world.person_b.pk])).status_code == 404
    assert client.get(reverse("people:person_detail", args=[world.person_y.pk])).status_code == 404


def test_anonymous_users_are_sent_to_login(client, world):
    response = client.get(reverse("people:person_list"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_list_shows_only_the_scope_with_masked_identity_numbers(world, login):
    client = login(world.social_worker)
    body = client.get(reverse("people:person_list")).content.decode()
    assert world.person_a.name in body
    assert world.person_b.name not in body and world.person_y.name not in body
    assert world.person_a.id_number not in body
    assert world.person_a.id_number_masked in body


def test_juveniles_are_sealed_from_social_workers_but_not_from_officers(world, login):
    juvenile = world.juvenile_a
    assert (
        login(world.social_worker).get(reverse("people:person_detail", args=[juvenile.pk])).status_code == 404
    )
    assert (
        login(world.squadron_officer).get(reverse("people:person_detail", args=[juvenile.pk])).status_code
        == 200
    )


def test_a_bureau_officer_sees_the_whole_county_and_not_the_other(world, login):
    client = login(world.bureau_officer)
    body = client.get(reverse("people:person_list")).content.decode()
    assert world.person_a.name in body and world.person_b.name in body and world.person_y.name not in body


def test_search_finds_by_id_tail_and_phone_tail(world, login):
    client = login(world.bureau_officer)
    body = client.get(reverse("people:person_list"), {"q": world.person_b.id_number[-4:]}).content.decode()
    assert world.person_b.name in body and world.person_a.name not in body
    body = client.get(reverse("people:person_list"), {"q": world.person_a.phone[-4:]}).content.decode()
    assert world.person_a.name in body


def test_revealing_the_full_id_number_is_logged(world, login):
    client = login(world.squadron_officer)
    response = client.post(reverse("people:person_reveal", args=[world.person_a.pk]))
    assert response.json()["id_number"] == world.person_a.id_number
    log = AccessLog.objects.get(kind="identity")
    assert log.actor == world.squadron_officer and log.person_id == world.person_a.pk


def test_the_create_form_shows_clear_errors_and_saves_nothing(world, login):
    client = login(world.squadron_officer)
    data = person_data(squadron=world.squadron_a, township=world.township_a)
    form = {k: (v.pk if hasattr(v, "pk") else ("" if v is None else v)) for k, v in data.items()}
    form["id_number"] = form["id_number"][:-1] + ("0" if form["id_number"][-1] != "0" else "1")
    count = Person.objects.count()
    response = client.post(reverse("people:person_create"), form)
    assert response.status_code == 200
    assert "校验位" in response.content.decode() or "check digit" in response.content.decode()
    assert Person.objects.count() == count
    form["id_number"] = data["id_number"]
    response = client.post(reverse("people:person_create"), form)
    assert response.status_code == 302
    assert Person.objects.count() == count + 1


def test_a_social_worker_cannot_open_the_create_form(world, login):
    assert login(world.social_worker).get(reverse("people:person_create")).status_code == 403


def test_lifecycle_actions_through_the_page(world, login):
    client = login(world.squadron_officer)
    url = reverse("people:person_action", args=[world.person_a.pk, "class"])
    today = timezone.localdate().isoformat()
    response = client.post(url, {"to_class": "strict", "effective_on": today, "reason": "近期表现较差"})
    assert response.status_code == 302
    world.person_a.refresh_from_db()
    assert world.person_a.supervision_class == "strict"
    # an invalid action changes nothing and says why
    response = client.post(url, {"to_class": "strict", "effective_on": today, "reason": ""}, follow=True)
    assert world.person_a.class_changes.count() == 2
    assert response.status_code == 200


def test_the_person_page_has_every_tab(world, login):
    client = login(world.squadron_officer)
    for tab in ("profile", "history", "timeline", "discipline", "team", "plan", "prohibitions"):
        response = client.get(reverse("people:person_detail", args=[world.person_a.pk]), {"tab": tab})
        assert response.status_code == 200, tab


def test_export_masks_identity_for_social_workers_and_not_for_officers(world, login):
    from openpyxl import load_workbook

    def sheet(user):
        response = login(user).get(reverse("people:person_export"))
        assert response.status_code == 200
        rows = list(load_workbook(io.BytesIO(response.content)).active.values)
        return {r[1]: r for r in rows[1:]}

    officer_rows = sheet(world.squadron_officer)
    assert officer_rows[world.person_a.name][5] == world.person_a.id_number
    worker_rows = sheet(world.social_worker)
    assert worker_rows[world.person_a.name][5] == world.person_a.id_number_masked
    assert world.person_b.name not in worker_rows


def test_the_ui_is_chinese_by_default_and_english_on_request(client, world):
    assert "登录" in client.get("/login/").content.decode()
    response = client.get("/login/?language=en", follow=True)
    assert "Sign in" in response.content.decode()
