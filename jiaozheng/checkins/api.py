"""/api/v1/checkins: the supervised person's phone lists waiting check-ins and submits frames;
staff read a check-in's outcome.

No ``from __future__ import annotations`` here: django-ninja reads the annotations at import time.
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema

from jiaozheng.checkins import selectors, services
from jiaozheng.checkins.choices import Challenge, RequestKind, RequestStatus, Result
from jiaozheng.core.access import api_access
from jiaozheng.core.apiauth import Router
from jiaozheng.core.errors import ApplicationError, validation_errors_from_django
from jiaozheng.core.params import BodySchema
from jiaozheng.core.roles import CHANGE, Domain, Role
from jiaozheng.core.scoping import scope_for

router = Router(tags=["checkins"])

# A frame is base64 text of a JPEG or PNG of at most services.MAX_FRAME_BYTES bytes.
MAX_FRAME_CHARS = (services.MAX_FRAME_BYTES * 4) // 3 + 64


class ErrorOut(Schema):
    message: str
    errors: list[dict[str, Any]] = []


class PendingOut(Schema):
    id: int
    kind: RequestKind
    challenge: Challenge
    challenge_text: str = Field(description="The instruction in the user's language")
    issued_at: dt.datetime
    due_at: dt.datetime
    attempts_left: int


class PositionIn(BodySchema):
    latitude: float = Field(ge=-90, le=90, allow_inf_nan=False)
    longitude: float = Field(ge=-180, le=180, allow_inf_nan=False)
    accuracy: float | None = Field(None, ge=0, le=100_000, allow_inf_nan=False, description="Metres")


Frame = Annotated[str, Field(min_length=1, max_length=MAX_FRAME_CHARS)]


class SubmitIn(BodySchema):
    frames: list[Frame] = Field(
        min_length=services.MIN_FRAMES,
        max_length=services.MAX_FRAMES,
        description="Frames in capture order: base64 JPEG or PNG (a data: URL is accepted), "
        f"each at most {services.MAX_FRAME_BYTES // 1024} KB; the first frames looking straight at the "
        "camera, then the frames of the challenge",
    )
    position: PositionIn | None = None


class AttemptOut(Schema):
    request_id: int
    attempt: int
    result: Result
    request_status: RequestStatus
    attempts_left: int
    message: str = Field(description="What to tell the person, in their language")


class AttemptDetail(Schema):
    number: int
    submitted_at: dt.datetime
    result: Result
    reason: str
    identity_distance: float | None
    threshold: float
    liveness_passed: bool | None
    frame_count: int
    model_version: str


class CheckinOut(Schema):
    id: int
    person_id: int
    kind: RequestKind
    status: RequestStatus
    challenge: Challenge
    issued_at: dt.datetime
    due_at: dt.datetime
    closed_at: dt.datetime | None
    result: str = Field(description="The automated result once closed (match, no_match, no_face, ...)")
    attempts: list[AttemptDetail] = Field(description="Staff only; empty for the person")
    review_decision: str = Field(description="The officer's decision (match / no_match), kept apart")


MESSAGES = {
    Result.MATCH: lambda: _("Thank you, your check-in has been received."),
    Result.NO_MATCH: lambda: _(
        "We could not confirm it is you. Take off hat or glasses, face the camera in good light, and try again."
    ),
    Result.NO_FACE: lambda: _(
        "We could not see your face. Hold the phone in front of your face, in good light."
    ),
    Result.SEVERAL_FACES: lambda: _("More than one face was seen. Make sure only you are in the picture."),
    Result.LIVENESS_FAILED: lambda: _(
        "We did not see the movement asked for. Please follow the instruction again."
    ),
}


def _message(result: str, status: str, left: int) -> str:
    if result == Result.MATCH:
        return MESSAGES[Result.MATCH]()
    if status == RequestStatus.FAILED or left == 0:
        return _("Your check-in has been sent to your officer for review.")
    return f"{MESSAGES[result]()} " + _("Attempts left: %(n)s.") % {"n": left}


def _call(func: Any, **kwargs: Any) -> Any:
    try:
        return func(**kwargs)
    except ValidationError as exc:
        raise ApplicationError(_("invalid input"), validation_errors_from_django(exc), 422)


@router.get(
    "/checkins/pending",
    response={200: list[PendingOut], 401: ErrorOut, 403: ErrorOut},
    summary="The signed-in person's waiting check-ins",
)
@api_access(domain=Domain.LOCATION, roles=[Role.SUBJECT])
def list_pending(request):
    return [
        {
            "id": r.pk,
            "kind": r.kind,
            "challenge": r.challenge,
            "challenge_text": str(Challenge(r.challenge).label),
            "issued_at": r.issued_at,
            "due_at": r.due_at,
            "attempts_left": services.attempts_left(r),
        }
        for r in selectors.pending_for_person(actor=request.user)
    ]


@router.post(
    "/checkins/{request_id}/submit",
    response={200: AttemptOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Submit the frames (and position) of one check-in attempt; verified offline at once",
)
@api_access(
    domain=Domain.LOCATION, action=CHANGE, roles=[Role.SUBJECT], obj=("request_id", "checkins.CheckinRequest")
)
def submit_checkin(request, request_id: int, payload: SubmitIn):
    position = (
        services.Position(payload.position.latitude, payload.position.longitude, payload.position.accuracy)
        if payload.position
        else None
    )
    attempt = _call(
        services.attempt_submit,
        actor=request.user,
        request_id=request_id,
        frames=payload.frames,
        position=position,
        user_agent=request.headers.get("User-Agent", ""),
    )
    req = attempt.request
    left = services.attempts_left(req)
    return {
        "request_id": req.pk,
        "attempt": attempt.number,
        "result": attempt.result,
        "request_status": req.status,
        "attempts_left": left,
        "message": _message(attempt.result, req.status, left),
    }


@router.get(
    "/checkins/{request_id}",
    response={200: CheckinOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One check-in and its outcome (404 outside the caller's scope)",
)
@api_access(domain=Domain.LOCATION, obj=("request_id", "checkins.CheckinRequest"))
def get_checkin(request, request_id: int):
    req = selectors.request_get(actor=request.user, pk=request_id)
    staff = scope_for(request.user).role != Role.SUBJECT
    attempts = selectors.attempts_for(actor=request.user, request=req) if staff else []
    review = selectors.review_for(req)
    return {
        "id": req.pk,
        "person_id": req.person_id,
        "kind": req.kind,
        "status": req.status,
        "challenge": req.challenge,
        "issued_at": req.issued_at,
        "due_at": req.due_at,
        "closed_at": req.closed_at,
        "result": req.result,
        "attempts": [
            {
                "number": a.number,
                "submitted_at": a.submitted_at,
                "result": a.result,
                "reason": a.reason,
                "identity_distance": a.identity_distance,
                "threshold": a.threshold,
                "liveness_passed": a.liveness_passed,
                "frame_count": a.frame_count,
                "model_version": a.model_version,
            }
            for a in attempts
        ],
        "review_decision": review.decision if review and staff else "",
    }
