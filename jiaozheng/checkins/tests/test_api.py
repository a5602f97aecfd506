"""/api/v1/checkins: the phone's list and submission, and staff reads."""

from __future__ import annotations

import base64
import json

import pytest

from jiaozheng.checkins import services
from jiaozheng.checkins.models import CheckinAttempt
from jiaozheng.checkins.tests.conftest import frames_b64


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def waiting(world, enrolled):
    return services.request_create(actor=world.squadron_officer, person=enrolled, challenge="open_mouth")


def test_the_person_lists_their_waiting_check_ins(world, waiting, api_client):
    # when the person's phone asks for waiting check-ins
    response = api_client(world.subject).get("/api/v1/checkins/pending")
    # then it gets the one waiting, with the instruction in plain words
    assert response.status_code == 200
    (item,) = response.json()
    assert item["id"] == waiting.pk and item["challenge"] == "open_mouth"
    assert item["attempts_left"] == 3 and "嘴" in item["challenge_text"]


def test_staff_may_not_use_the_phone_endpoints(world, waiting, api_client):
    assert api_client(world.squadron_officer).get("/api/v1/checkins/pending").status_code == 403
    response = post(
        api_client(world.squadron_officer), f"/api/v1/checkins/{waiting.pk}/submit", {"frames": []}
    )
    assert response.status_code == 403


def test_submitting_frames_returns_the_result_and_a_message(world, waiting, api_client):
    # when the phone posts frames that open the mouth, with its position
    body = {
        "frames": list(frames_b64("astronaut", "open_mouth")),
        "position": {"latitude": 27.91, "longitude": 110.6, "accuracy": 15},
    }
    response = post(api_client(world.subject), f"/api/v1/checkins/{waiting.pk}/submit", body)
    # then the check-in is verified at once and the person is told so
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["result"] == "match" and data["request_status"] == "completed" and data["attempts_left"] == 0
    assert data["message"]
    # and the person does not see distances
    assert "distance" not in json.dumps(data)


def test_a_failed_attempt_tells_how_many_are_left(world, waiting, api_client):
    body = {"frames": list(frames_b64("astronaut", "still"))}
    data = post(api_client(world.subject), f"/api/v1/checkins/{waiting.pk}/submit", body).json()
    assert data["result"] == "liveness_failed" and data["request_status"] == "pending"
    assert data["attempts_left"] == 2 and "2" in data["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"frames": ["aGVsbG8="] * 3}, "frames"),  # base64 of text, not an image
        ({"frames": ["@@@"] * 3}, "frames"),  # not base64
        ({"frames": ["aGVsbG8="]}, "frames"),  # too few
        ({"frames": ["aGVsbG8="] * 9}, "frames"),  # too many
        ({"frames": ["a" * 900_000] * 3}, "frames.0"),  # a frame over the size limit
        ({"frames": [], "position": {"latitude": 95, "longitude": 0}}, "frames"),
        (
            {"frames": list(frames_b64("astronaut", "still")), "position": {"latitude": 95, "longitude": 0}},
            None,
        ),
    ],
)
def test_bad_bodies_get_a_clear_422_and_change_nothing(world, waiting, api_client, body, field):
    response = post(api_client(world.subject), f"/api/v1/checkins/{waiting.pk}/submit", body)
    assert response.status_code == 422, response.content
    data = response.json()
    assert data["message"] and data["errors"]
    if field:
        assert any((e["field"] or "").startswith(field) for e in data["errors"]), data
    waiting.refresh_from_db()
    assert waiting.attempts_count == 0 and not CheckinAttempt.objects.exists()


def test_a_body_that_is_not_json_gets_a_4xx(world, waiting, api_client):
    client = api_client(world.subject)
    response = client.post(
        f"/api/v1/checkins/{waiting.pk}/submit", data=b"\x89PNG...", content_type="image/png"
    )
    assert 400 <= response.status_code < 500
    assert not CheckinAttempt.objects.exists()


def test_a_huge_body_is_refused_before_it_is_read(world, waiting, api_client):
    # given a body over the server's limit (JZ_MAX_BODY_BYTES, 5 MB by default)
    frame = base64.b64encode(b"\xff\xd8\xff" + b"\0" * 450_000).decode()
    body = json.dumps({"frames": [frame] * 8, "junk": "x" * 2_000_000})
    response = api_client(world.subject).post(
        f"/api/v1/checkins/{waiting.pk}/submit", data=body, content_type="application/json"
    )
    # then the answer is a clear 413 and nothing is stored
    assert response.status_code == 413
    assert "too large" in response.json()["message"]
    assert not CheckinAttempt.objects.exists()


def test_another_persons_check_in_is_not_found(world, enrolled, api_client):
    services.reference_enrol(
        actor=world.squadron_officer,
        person=world.person_a,
        image=base64.b64decode(frames_b64("astronaut", "still")[0]),
    )
    other = services.request_create(actor=world.squadron_officer, person=world.person_a)
    body = {"frames": list(frames_b64("astronaut", "still"))}
    assert post(api_client(world.subject), f"/api/v1/checkins/{other.pk}/submit", body).status_code == 404
    assert api_client(world.subject).get(f"/api/v1/checkins/{other.pk}").status_code == 404
    assert api_client(world.bureau_officer_y).get(f"/api/v1/checkins/{other.pk}").status_code == 404


def test_staff_read_the_outcome_with_distances_the_person_without(world, waiting, api_client):
    post(
        api_client(world.subject),
        f"/api/v1/checkins/{waiting.pk}/submit",
        {"frames": list(frames_b64("astronaut", "still"))},
    )
    staff = api_client(world.squadron_officer).get(f"/api/v1/checkins/{waiting.pk}").json()
    own = api_client(world.subject).get(f"/api/v1/checkins/{waiting.pk}").json()
    assert staff["attempts"][0]["result"] == "liveness_failed"
    assert staff["attempts"][0]["identity_distance"] < 0.1
    assert own["attempts"] == [] and own["status"] == "pending"


def test_anonymous_calls_get_401(client, waiting):
    assert client.get("/api/v1/checkins/pending").status_code == 401
    assert post(client, f"/api/v1/checkins/{waiting.pk}/submit", {"frames": []}).status_code == 401
