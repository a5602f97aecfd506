"""Fixtures of the face check-in tests: shipped face images, synthetic frame sequences, enrolment."""

from __future__ import annotations

import base64
from functools import cache

import pytest

from jiaozheng.checkins import synthetic


@cache
def face(name: str):
    return synthetic.shipped_face(name)


@cache
def challenge_rgb(name: str, challenge: str) -> tuple:
    """RGB frames performing ``challenge`` ("still": the same picture every time)."""
    rgb = face(name)
    frames = (
        synthetic.still_frames(rgb, 5) if challenge == "still" else synthetic.challenge_frames(rgb, challenge)
    )
    return tuple(frames)


@cache
def reference_descriptor(name: str):
    from jiaozheng.checkins.face import engine

    return engine().analyse(face(name)).descriptor


@cache
def frames_b64(name: str, challenge: str) -> tuple[str, ...]:
    """Base64 JPEG frames performing ``challenge`` ("still" for a photo held to the camera)."""
    return tuple(base64.b64encode(synthetic.to_bytes(f)).decode() for f in challenge_rgb(name, challenge))


@pytest.fixture
def astronaut():
    return face(synthetic.ASTRONAUT)


@pytest.fixture
def grace():
    return face(synthetic.GRACE_HOPPER)


@pytest.fixture
def enrolled(world):
    """The world's subject person with the astronaut photo enrolled by their squadron officer."""
    from jiaozheng.checkins.services import reference_enrol

    person = world.subject_person
    reference_enrol(
        actor=world.squadron_officer,
        person=person,
        image=synthetic.to_bytes(face(synthetic.ASTRONAUT), "PNG"),
    )
    return person


def failed_request(person, result: str = "liveness_failed"):
    """A closed, failed check-in with one attempt holding two frames (no verification run)."""
    from jiaozheng.checkins.models import CheckinAttempt, pack_frames
    from jiaozheng.checkins.testing import make_request

    req = make_request(person, status="failed")
    req.attempts_count, req.result, req.distance = 1, result, 0.05
    req.save()
    frames = [synthetic.to_bytes(face(synthetic.ASTRONAUT))] * 2
    CheckinAttempt.objects.create(
        request=req,
        number=1,
        result=result,
        identity_distance=0.05,
        max_distance=0.05,
        frames_spread=0.0,
        threshold=0.6,
        liveness_passed=False,
        liveness={
            "challenge": "blink",
            "measure": "eyes",
            "baseline": 0.33,
            "peak": 0.33,
            "change": 0.0,
            "required": 0.4,
        },
        frames_detail=[
            {"index": 0, "status": "ok", "distance": 0.05},
            {"index": 1, "status": "ok", "distance": 0.05},
        ],
        frames=pack_frames(frames),
        frame_count=2,
        model_version="test",
    )
    return req
