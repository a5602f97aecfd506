"""Access-matrix factories and API bodies for face check-in (cheap: no face detection)."""

from __future__ import annotations

import base64
import datetime as dt
import io

import numpy as np
from django.utils import timezone

from jiaozheng.checkins.choices import Challenge, PhotoSource, RequestKind, Result
from jiaozheng.checkins.models import CheckinAttempt, CheckinRequest, ReferencePhoto, pack_frames
from jiaozheng.core.testing.matrix import api_body, object_factory


def tiny_jpeg(shade: int = 150, size: tuple[int, int] = (160, 120)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (shade, shade, shade)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def make_reference(person) -> ReferencePhoto:
    """A reference row without running detection: a grey image and a fixed descriptor."""
    ReferencePhoto.objects.filter(person=person, active=True).update(active=False)
    return ReferencePhoto.objects.create(
        person=person,
        image=tiny_jpeg(),
        descriptor=np.linspace(-0.1, 0.1, 128).astype("<f8").tobytes(),
        width=160,
        height=120,
        box=[40, 20, 120, 100],
        quality={"face_px": 80},
        model_version="test",
        source=PhotoSource.TEST_IMAGE,
    )


def make_request(person, *, minutes: int = 60, status: str = "pending") -> CheckinRequest:
    now = timezone.now()
    return CheckinRequest.objects.create(
        person=person,
        kind=RequestKind.ON_DEMAND,
        slot=f"T{CheckinRequest.objects.count() + 1}-{now.timestamp()}",
        challenge=Challenge.BLINK,
        issued_at=now - dt.timedelta(minutes=1),
        due_at=now + dt.timedelta(minutes=minutes),
        status=status,
    )


@object_factory("checkins.CheckinRequest")
def make_checkin_request(world, where):
    person = world.person(where)
    make_reference(person)
    return make_request(person)


@object_factory("checkins.ReferencePhoto")
def make_reference_photo(world, where):
    return make_reference(world.person(where))


@object_factory("checkins.CheckinAttempt")
def make_attempt(world, where):
    req = make_request(world.person(where), status="failed")
    req.attempts_count = 1
    req.result = Result.NO_FACE
    req.save()
    return CheckinAttempt.objects.create(
        request=req,
        number=1,
        result=Result.NO_FACE,
        threshold=0.6,
        frames=pack_frames([tiny_jpeg(120), tiny_jpeg(140)]),
        frames_detail=[{"index": 0, "status": "no_face"}, {"index": 1, "status": "no_face"}],
        frame_count=2,
        model_version="test",
    )


@api_body("submit_checkin")
def submit_body(world, obj):
    frame = base64.b64encode(tiny_jpeg()).decode()
    return {
        "frames": [frame, frame, frame],
        "position": {"latitude": 27.9, "longitude": 110.6, "accuracy": 20},
    }
