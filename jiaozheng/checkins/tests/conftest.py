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
def frames_b64(name: str, challenge: str) -> tuple[str, ...]:
    """Base64 JPEG frames performing ``challenge`` ("still" for a photo held to the camera)."""
    rgb = face(name)
    frames = (
        synthetic.still_frames(rgb, 5) if challenge == "still" else synthetic.challenge_frames(rgb, challenge)
    )
    return tuple(base64.b64encode(synthetic.to_bytes(f)).decode() for f in frames)


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
