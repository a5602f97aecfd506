"""The visits API: records, due list, compliance, interventions, tasks, hardship help, route plans."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from jiaozheng.people.models import Discipline
from jiaozheng.visits.models import FollowUpTask, Visit

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def body(**extra):
    data = {
        "visit_type": "focus",
        "method": "field_visit",
        "field_target": "home",
        "visited_at": (timezone.now() - dt.timedelta(hours=3)).isoformat(),
        "place": "家中",
        "thinking": "思想稳定",
        "risk_signs": ["financial"],
        "tasks": [
            {"title": "协助申请救助", "due_on": (timezone.localdate() + dt.timedelta(days=10)).isoformat()}
        ],
    }
    data.update(extra)
    return data


def test_a_social_worker_records_a_visit_through_the_api(world, api_client):
    client = api_client(world.social_worker)
    # when the social worker posts a visit (the caller is the visitor by default)
    response = post(client, f"/api/v1/persons/{world.person_a.pk}/visits", body())
    # then it is created with its task, and can be read back and listed
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["visitor_ids"] == [world.social_worker.pk]
    assert FollowUpTask.objects.filter(visit_id=out["id"]).count() == 1
    assert client.get(f"/api/v1/visits/{out['id']}").json()["risk_signs"] == ["financial"]
    listed = client.get("/api/v1/visits?visit_type=focus").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == out["id"]


def test_bad_bodies_and_out_of_scope_persons_are_refused(world, api_client):
    client = api_client(world.social_worker)
    assert (
        post(client, f"/api/v1/persons/{world.person_a.pk}/visits", body(field_target=None)).status_code
        == 422
    )
    assert post(client, f"/api/v1/persons/{world.person_a.pk}/visits", body(latitude=95)).status_code == 422
    future = (timezone.now() + dt.timedelta(days=3)).isoformat()
    assert (
        post(client, f"/api/v1/persons/{world.person_a.pk}/visits", body(visited_at=future)).status_code
        == 422
    )
    assert post(client, f"/api/v1/persons/{world.person_y.pk}/visits", body()).status_code == 404
    assert post(client, f"/api/v1/persons/{world.person_b.pk}/visits", body()).status_code == 404
    assert not Visit.objects.exists()


def test_only_officers_decide_an_admonition_through_the_api(world, api_client):
    visit_id = post(
        api_client(world.social_worker), f"/api/v1/persons/{world.person_a.pk}/visits", body()
    ).json()["id"]
    admonition = {"kind": "admonition", "note": "违反报告规定"}
    assert (
        post(
            api_client(world.social_worker), f"/api/v1/visits/{visit_id}/interventions", admonition
        ).status_code
        == 403
    )
    assert not Discipline.objects.exists()
    response = post(
        api_client(world.squadron_officer), f"/api/v1/visits/{visit_id}/interventions", admonition
    )
    assert response.status_code == 201
    assert Discipline.objects.get().source_id == str(visit_id)


def test_the_due_list_and_compliance_read_the_standards(world, api_client, make_person):
    person = make_person(cls="strict", intake_days_ago=120)
    client = api_client(world.social_worker)
    due = client.get("/api/v1/visits-due?visit_type=focus").json()
    mine = [d for d in due if d["person_id"] == person.pk]
    assert mine and mine[0]["status"] == "overdue" and mine[0]["missed_window"]["done"] == 0
    compliance = client.get(f"/api/v1/persons/{person.pk}/visit-compliance").json()
    assert compliance["standards_from"] == "default"
    assert {w["visit_type"] for w in compliance["windows"]} == {"focus", "routine"}
    assert (
        api_client(world.social_worker_b).get(f"/api/v1/persons/{person.pk}/visit-compliance").status_code
        == 404
    )


def test_tasks_are_closed_through_the_api(world, api_client):
    client = api_client(world.social_worker)
    visit_id = post(client, f"/api/v1/persons/{world.person_a.pk}/visits", body()).json()["id"]
    [task] = client.get("/api/v1/visit-tasks").json()
    assert task["visit_id"] == visit_id
    assert post(client, f"/api/v1/visit-tasks/{task['id']}/close", {"result": ""}).status_code == 422
    closed = post(client, f"/api/v1/visit-tasks/{task['id']}/close", {"result": "已办理低保申请"})
    assert closed.status_code == 200 and closed.json()["status"] == "done"


def test_hardship_help_and_the_list_through_the_api(world, api_client):
    client = api_client(world.social_worker)
    response = post(
        client,
        f"/api/v1/persons/{world.person_a.pk}/hardship-help",
        {
            "kind": "cash",
            "given_on": timezone.localdate().isoformat(),
            "amount": "300.00",
            "given_by": "县司法局",
        },
    )
    assert response.status_code == 201
    [row] = client.get("/api/v1/hardship").json()
    assert row["person_id"] == world.person_a.pk and row["help_count"] == 1


def test_route_plans_through_the_api(world, api_client, make_person):
    make_person(cls="strict", intake_days_ago=90, home_latitude=27.92, home_longitude=110.61)
    client = api_client(world.squadron_officer)
    plan = {
        "squadron_id": world.squadron_a.pk,
        "plan_date": timezone.localdate().isoformat(),
        "teams": [[world.squadron_officer.pk, world.social_worker.pk]],
        "service_minutes": 30,
    }
    response = post(client, "/api/v1/visit-route-plans", plan)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["result"]["routes"][0]["stops"]
    assert client.get(f"/api/v1/visit-route-plans/{created['id']}").status_code == 200
    # another squadron's plan is not found, and a squadron outside the area is a body error
    assert (
        api_client(world.social_worker_b).get(f"/api/v1/visit-route-plans/{created['id']}").status_code == 404
    )
    other = post(api_client(world.social_worker_b), "/api/v1/visit-route-plans", plan)
    assert other.status_code == 422
