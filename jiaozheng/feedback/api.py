"""/api/v1/feedback: the supervised person's phone lists activities waiting for feedback and answers them.

No ``from __future__ import annotations`` here: django-ninja reads the annotations at import time.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema

from jiaozheng.core.access import api_access
from jiaozheng.core.apiauth import Router
from jiaozheng.core.errors import ApplicationError, validation_errors_from_django
from jiaozheng.core.params import BodySchema
from jiaozheng.core.roles import Role
from jiaozheng.feedback import selectors, services
from jiaozheng.feedback.questionnaire import questionnaire_for

router = Router(tags=["feedback"])


class ErrorOut(Schema):
    message: str
    errors: list[dict[str, Any]] = []


class QuestionOut(Schema):
    key: str
    text: str


class ChoiceOut(Schema):
    value: int
    label: str


class FeedbackPendingOut(Schema):
    kind: str = Field(description="education.session, community.activity or counselling.group_session")
    activity_id: int
    title: str
    date: dt.date
    closes_on: dt.date
    questions: list[QuestionOut]
    scale: list[ChoiceOut]
    open_question: str


class FeedbackAnswerIn(BodySchema):
    kind: str = Field(max_length=40)
    activity_id: int = Field(ge=1, le=2**63 - 1)
    answers: dict[str, int] = Field(description="question key -> a value of the scale", max_length=20)
    comment: str = Field("", max_length=services.COMMENT_MAX)


class AnswerOut(Schema):
    message: str


@router.get(
    "/feedback/pending",
    response={200: list[FeedbackPendingOut], 401: ErrorOut, 403: ErrorOut},
    summary="Activities the signed-in person took part in that wait for their feedback",
)
@api_access(any_user=True, roles=[Role.SUBJECT])
def list_pending(request):
    rows = []
    for row in selectors.pending_for_subject(actor=request.user):
        q = questionnaire_for(row.ref.county_id)
        rows.append(
            {
                "kind": row.ref.kind,
                "activity_id": row.ref.id,
                "title": row.ref.title,
                "date": row.ref.date,
                "closes_on": row.closes_on,
                "questions": [{"key": k, "text": t} for k, t in q.items],
                "scale": [{"value": v, "label": label} for v, label in q.scale],
                "open_question": q.open_question,
            }
        )
    return rows


@router.post(
    "/feedback/responses",
    response={200: AnswerOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Answer the feedback questionnaire of one activity (once, within the window)",
)
@api_access(any_user=True, roles=[Role.SUBJECT])
def submit(request, payload: FeedbackAnswerIn):
    try:
        services.feedback_submit(
            actor=request.user,
            kind=payload.kind,
            activity_id=payload.activity_id,
            answers=payload.answers,
            comment=payload.comment,
        )
    except ValidationError as exc:
        raise ApplicationError(_("invalid input"), validation_errors_from_django(exc), 422)
    return {"message": _("Thank you. Your feedback was received.")}
