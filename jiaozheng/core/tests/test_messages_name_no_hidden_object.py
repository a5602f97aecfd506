"""No validation message names an object the caller cannot see.

An account or a person of another county, sent by id, gets the same answer as an id that exists nowhere
("not found or not in your area"), without its name, username or case number: a message must not let one
county learn another's staff or supervised persons.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from jiaozheng.core.testing.world import person_data

pytestmark = pytest.mark.django_db

NOWHERE = 987_654_321


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _names_of(*objects) -> list[str]:
    out = []
    for obj in objects:
        for attr in ("name", "full_name", "username", "case_number"):
            value = getattr(obj, attr, "")
            if value:
                out.append(str(value))
    return out


def _visit(**extra):
    data = {
        "visit_type": "focus",
        "method": "field_visit",
        "field_target": "home",
        "visited_at": (timezone.now() - dt.timedelta(hours=3)).isoformat(),
        "place": "家中",
        "thinking": "思想稳定",
    }
    data.update(extra)
    return data


def _errors(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


def test_a_visitor_of_another_county_is_answered_like_an_account_that_does_not_exist(world, api_client):
    client = api_client(world.social_worker)
    url = f"/api/v1/persons/{world.person_a.pk}/visits"
    # when the visit names a staff member of county Y, and then an id no account has
    hidden = _post(client, url, _visit(visitor_ids=[world.bureau_officer_y.pk]))
    nowhere = _post(client, url, _visit(visitor_ids=[NOWHERE]))
    # then both are refused, neither message names the account, and the two read alike
    assert hidden.status_code == nowhere.status_code == 422
    text = _errors(hidden)
    for name in _names_of(world.bureau_officer_y):
        assert name not in text
    assert "不在您的管辖范围内" in text  # "not found or not in your area" (answers are in Chinese)
    assert _errors(nowhere).replace(str(NOWHERE), "#") == text.replace(str(world.bureau_officer_y.pk), "#")


def test_a_task_assignee_of_another_county_is_not_named(world, api_client):
    client = api_client(world.social_worker)
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    task = {"title": "回访", "due_on": due, "assignee_id": world.supervisor_y.pk}
    response = _post(client, f"/api/v1/persons/{world.person_a.pk}/visits", _visit(tasks=[task]))
    assert response.status_code == 422
    text = _errors(response)
    for name in _names_of(world.supervisor_y):
        assert name not in text


def test_a_route_plan_team_member_of_another_county_is_not_named(world, api_client):
    client = api_client(world.squadron_officer)
    plan = {
        "squadron_id": world.squadron_a.pk,
        "plan_date": timezone.localdate().isoformat(),
        "teams": [[world.squadron_officer.pk, world.bureau_officer_y.pk]],
    }
    hidden = _post(client, "/api/v1/visit-route-plans", plan)
    plan["teams"] = [[world.squadron_officer.pk, NOWHERE]]
    nowhere = _post(client, "/api/v1/visit-route-plans", plan)
    assert hidden.status_code == nowhere.status_code == 422
    text = _errors(hidden)
    for name in _names_of(world.bureau_officer_y):
        assert name not in text
    assert "teams" in text
    assert _errors(nowhere).replace(str(NOWHERE), "#") == text.replace(str(world.bureau_officer_y.pk), "#")


def test_a_duplicate_id_number_in_another_county_does_not_give_its_case_number(world):
    from django.core.exceptions import ValidationError

    from jiaozheng.people.services import person_create

    # given a person under correction in county Y
    data = person_data(squadron=world.squadron_c, township=world.township_c)
    existing = person_create(actor=world.bureau_officer_y, data=data)
    # when county X registers the same ID number
    again = person_data(squadron=world.squadron_a, township=world.township_a)
    again["id_number"] = data["id_number"]
    again["birth_date"], again["gender"] = data["birth_date"], data["gender"]
    with pytest.raises(ValidationError) as refused:
        person_create(actor=world.bureau_admin, data=again)
    # then it is refused without the other county's case number (or the person's name)
    text = " ".join(refused.value.messages)
    assert "another area" in text
    assert existing.case_number not in text and existing.name not in text


def test_a_duplicate_id_number_in_the_callers_own_area_names_its_case(world):
    from django.core.exceptions import ValidationError

    from jiaozheng.people.services import person_create

    data = person_data(squadron=world.squadron_a, township=world.township_a)
    existing = person_create(actor=world.bureau_admin, data=data)
    with pytest.raises(ValidationError) as refused:
        person_create(actor=world.bureau_admin, data=dict(data))
    assert existing.case_number in " ".join(refused.value.messages)


def test_batch_assignment_does_not_name_a_person_outside_the_area(world):
    from jiaozheng.assessments.services import assessment_assign_batch

    batch, skipped = assessment_assign_batch(
        actor=world.counsellor,
        scale_code="gad7",
        persons=[world.person_a, world.person_y],
        label="季度测评",
        county=world.county_x,
    )
    assert skipped and all(world.person_y.name not in reason for reason in skipped)
