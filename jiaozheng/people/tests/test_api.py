"""/api/v1/persons: scoped like the UI; a supervised person's token sees only their own record."""

from __future__ import annotations

import json

import pytest

from jiaozheng.core.testing.world import person_data
from jiaozheng.people.models import Person

pytestmark = pytest.mark.django_db


def test_anonymous_calls_get_401(client, world):
    assert client.get("/api/v1/persons").status_code == 401


def test_a_squadron_a_social_worker_gets_404_for_a_squadron_b_person(world, api_client):
    client = api_client(world.social_worker)
    assert client.get(f"/api/v1/persons/{world.person_a.pk}").status_code == 200
    response = client.get(f"/api/v1/persons/{world.person_b.pk}")
    assert response.status_code == 404
    assert response.json() == {"message": "not found", "errors": []}
    names = {p["name"] for p in client.get("/api/v1/persons").json()["items"]}
    assert world.person_a.name in names and world.person_b.name not in names


def test_a_supervised_persons_token_sees_only_their_own_record(world, api_client):
    client = api_client(world.subject)
    items = client.get("/api/v1/persons?status=").json()["items"]
    assert [p["id"] for p in items] == [world.subject_person.pk]
    assert items[0]["id_number"] == world.subject_person.id_number_masked
    assert client.get(f"/api/v1/persons/{world.person_a.pk}").status_code == 404


def test_identity_numbers_are_masked_for_contractor_staff(world, api_client):
    item = api_client(world.social_worker).get(f"/api/v1/persons/{world.person_a.pk}").json()
    assert item["id_number"] == world.person_a.id_number_masked


@pytest.mark.parametrize("persona", ["bureau_admin", "bureau_officer", "squadron_officer", "social_worker"])
def test_lists_and_records_mask_id_numbers_and_phones_for_every_role_and_log_nothing(
    world, api_client, persona
):
    from jiaozheng.audit.models import AccessLog

    client = api_client(world.personas[persona])
    before = AccessLog.objects.filter(kind="identity").count()
    listed = client.get("/api/v1/persons?status=").json()["items"]
    one = client.get(f"/api/v1/persons/{world.person_a.pk}").json()
    assert listed and one
    full = {p.id_number for p in Person.objects.all()} | {p.phone for p in Person.objects.all() if p.phone}
    for item in [*listed, one]:
        assert item["id_number"] not in full and item["phone"] not in full
        assert "*" in item["id_number"]
    assert AccessLog.objects.filter(kind="identity").count() == before


def test_the_reveal_gives_the_full_numbers_and_writes_the_same_access_log_entry_as_the_page(
    world, api_client, login
):
    from jiaozheng.audit.models import AccessLog

    person = world.person_a
    # when an officer reveals one person through the API, and then on the person's page
    response = api_client(world.squadron_officer).post(f"/api/v1/persons/{person.pk}/reveal")
    assert response.status_code == 200
    assert response.json() == {"id": person.pk, "id_number": person.id_number, "phone": person.phone}
    api_entry = AccessLog.objects.filter(kind="identity", person=person).latest("pk")
    page = login(world.squadron_officer).post(f"/people/{person.pk}/reveal/")
    assert page.status_code == 200
    page_entry = AccessLog.objects.filter(kind="identity", person=person).latest("pk")
    # then each read is logged once, alike: the same kind, person, object and words
    assert page_entry.pk != api_entry.pk
    fields = ("kind", "person_id", "model", "object_id", "detail", "actor_id")
    assert [getattr(api_entry, f) for f in fields] == [getattr(page_entry, f) for f in fields]
    assert api_entry.actor_id == world.squadron_officer.pk


def test_the_reveal_of_a_person_outside_the_area_is_404_and_logs_nothing(world, api_client):
    from jiaozheng.audit.models import AccessLog

    before = AccessLog.objects.count()
    response = api_client(world.social_worker_b).post(f"/api/v1/persons/{world.person_a.pk}/reveal")
    assert response.status_code == 404
    assert AccessLog.objects.count() == before


def _payload(world):
    data = person_data(squadron=world.squadron_a, township=world.township_a)
    payload = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in data.items()
        if k not in ("squadron", "township")
    }
    payload["squadron_id"] = world.squadron_a.pk
    payload["township_id"] = world.township_a.pk
    return payload


def test_create_validates_and_writes_nothing_on_error(world, api_client):
    client = api_client(world.squadron_officer)
    payload = _payload(world)
    bad = dict(payload, home_latitude=123.0)
    count = Person.objects.count()
    response = client.post("/api/v1/persons", json.dumps(bad), content_type="application/json")
    assert response.status_code == 422
    assert any(e["field"] == "home_latitude" for e in response.json()["errors"])
    wrong_squadron = dict(payload, squadron_id=world.squadron_c.pk)
    response = client.post("/api/v1/persons", json.dumps(wrong_squadron), content_type="application/json")
    assert response.status_code == 422
    assert Person.objects.count() == count
    response = client.post("/api/v1/persons", json.dumps(payload), content_type="application/json")
    assert response.status_code == 201, response.content
    assert Person.objects.count() == count + 1


def test_roles_without_change_rights_get_403_before_validation(world, api_client):
    response = api_client(world.social_worker).post("/api/v1/persons", "{}", content_type="application/json")
    assert response.status_code == 403


def test_update_is_scoped(world, api_client):
    client = api_client(world.squadron_officer)
    url_b = f"/api/v1/persons/{world.person_b.pk}"
    response = client.patch(url_b, json.dumps({"employer": "x"}), content_type="application/json")
    assert response.status_code == 404
    url_a = f"/api/v1/persons/{world.person_a.pk}"
    response = client.patch(url_a, json.dumps({"employer": "溆浦县某公司"}), content_type="application/json")
    assert response.status_code == 200 and response.json()["id"] == world.person_a.pk
    world.person_a.refresh_from_db()
    assert world.person_a.employer == "溆浦县某公司"


def test_openapi_schema_is_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/persons" in schema["paths"]
