"""/api/v1 psychological assessment: scales, scoring, assignments, results, flags; the person's own tests.

No ``from __future__ import annotations`` here: django-ninja reads the annotations at import time.
Every read of a person's results is logged (access_log "psych").
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Field, Query, Schema, Status

from jiaozheng.assessments import selectors, services
from jiaozheng.assessments.choices import AssessmentStatus
from jiaozheng.assessments.models import Assessment, RiskFlag
from jiaozheng.assessments.scales import ScaleError, all_scales, get_scale
from jiaozheng.assessments.scoring import AnswerError, ScoreOptions, score
from jiaozheng.core.access import api_access
from jiaozheng.core.apiauth import Router
from jiaozheng.core.errors import ApplicationError, NotFound, validation_errors_from_django
from jiaozheng.core.params import BodySchema, Id
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain, Role
from jiaozheng.core.scoping import get_scoped_or_404
from jiaozheng.people.models import Person

router = Router(tags=["assessments"])


class ErrorOut(Schema):
    message: str
    errors: list[dict[str, Any]] = []


class ScaleOut(Schema):
    code: str
    version: str
    kind: str
    title: str
    short_title: str
    items: int
    licence: str
    texts_ready: bool = Field(
        description="False while the item texts are placeholders or await the agency's approval"
    )


class ScoreIn(BodySchema):
    scale: str = Field(max_length=16)
    answers: list[int | None] = Field(
        max_length=200, description="Answers as chosen, in item order (null = missing)"
    )
    seconds: float | None = Field(None, ge=0, le=36000)
    rounding: str | None = Field(None, pattern="^(floor|half_up|none)$")


class AssessmentOut(Schema):
    id: int
    person_id: int
    person_name: str
    scale: str
    scale_version: str
    status: str
    mode: str
    assigned_at: dt.datetime
    due_on: dt.date | None
    administered_on: dt.date | None
    validity: str
    screen_positive: bool | None
    risk_level: str
    primary_score: float | None
    urgent: bool


class AssessmentDetailOut(AssessmentOut):
    result: dict[str, Any]


class AssessmentPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AssessmentOut]


class AssignIn(BodySchema):
    person_id: int
    scale: str = Field(max_length=16)
    due_on: dt.date | None = None


class ListQuery(Schema):
    scale: str = Field("", max_length=16)
    status: str = Field("completed", max_length=12, description="Empty for every status")
    validity: str = Field("", max_length=12)
    person_id: Id | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class FlagOut(Schema):
    id: int
    person_id: int
    person_name: str
    assessment_id: int
    code: str
    severity: str
    label: str
    item: int
    value: int
    rule: str
    raised_at: dt.datetime
    status: str


class FlagIn(BodySchema):
    action: str = Field(pattern="^(acknowledge|refer|close)$")
    note: str = Field(min_length=1, max_length=1000)


class MyAssessmentOut(Schema):
    id: int
    scale: str
    title: str
    status: str
    due_on: dt.date | None
    answered: int
    items: int
    next_item: int | None
    plain_result: str = ""


class ItemOut(Schema):
    id: int
    text: str
    options: list[dict[str, Any]]
    answer: int | None


class MyAssessmentDetailOut(MyAssessmentOut):
    instructions: str
    timeframe: str
    questions: list[ItemOut]


class AnswerIn(BodySchema):
    item: int = Field(ge=1, le=999)
    value: int = Field(ge=-10, le=100)
    seconds: float | None = Field(None, ge=0, le=3600, description="Time the person spent on the item")


def _out(a: Assessment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "person_id": a.person_id,
        "person_name": a.person.name,
        "scale": a.scale_code,
        "scale_version": a.scale_version,
        "status": a.status,
        "mode": a.mode,
        "assigned_at": a.assigned_at,
        "due_on": a.due_on,
        "administered_on": a.administered_on,
        "validity": a.validity,
        "screen_positive": a.screen_positive,
        "risk_level": a.risk_level,
        "primary_score": a.primary_score,
        "urgent": a.urgent,
    }


def _call(func: Any, **kwargs: Any) -> Any:
    try:
        return func(**kwargs)
    except ValidationError as exc:
        raise ApplicationError("invalid input", validation_errors_from_django(exc), 422)


def _scale_out(scale: Any) -> dict[str, Any]:
    pack = scale.content("zh-hans")
    return {
        "code": scale.code,
        "version": scale.version,
        "kind": scale.kind,
        "title": scale.title(),
        "short_title": scale.short_title(),
        "items": len(scale.items),
        "licence": scale.licence.get("status", "unknown"),
        "texts_ready": (not scale.is_external) and pack.usable_in_production,
    }


@router.get(
    "/scales",
    response={200: list[ScaleOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="list_scales",
    summary="The scales",
)
@api_access(roles=STAFF_ROLES, domain=Domain.PSYCH)
def list_scales(request):
    return [_scale_out(s) for s in all_scales().values()]


@router.post(
    "/assessments/score",
    response={200: dict[str, Any], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="score_answers",
    summary="Score answers on a scale (nothing is stored); the same JSON as `jiaozheng assess score`",
)
@api_access(roles=STAFF_ROLES, domain=Domain.PSYCH)
def score_answers(request, payload: ScoreIn):
    try:
        scale = get_scale(payload.scale)
        rounding = {}
        if payload.rounding:
            rounding = {
                n: payload.rounding
                for n, e in scale.metrics.items()
                if e["op"] == "scale" and e.get("rounding", "none") != "none"
            }
        return score(
            scale, list(payload.answers), ScoreOptions(rounding=rounding, total_seconds=payload.seconds)
        )
    except (ScaleError, AnswerError) as exc:
        raise ApplicationError("invalid input", [{"field": "answers", "message": str(exc)}], 422)


@router.get(
    "/assessments",
    response={200: AssessmentPage, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="list_assessments",
    summary="Assessments in the caller's scope (summary columns; the read is logged)",
)
@api_access(roles=STAFF_ROLES, domain=Domain.PSYCH)
def list_assessments(request, query: Query[ListQuery]):
    from jiaozheng.audit.services import access_log

    filters = selectors.AssessmentFilters(scale=query.scale, status=query.status, validity=query.validity)
    qs = selectors.assessment_list(actor=request.user, filters=filters)
    if query.person_id:
        qs = qs.filter(person_id=query.person_id)
    items = [_out(a) for a in qs[query.offset : query.offset + query.limit]]
    access_log("psych", person=query.person_id, detail=f"API results list, {len(items)} rows")
    return {"count": qs.count(), "limit": query.limit, "offset": query.offset, "items": items}


@router.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="get_assessment",
    summary="One assessment with its full scored result (404 outside the scope; logged)",
)
@api_access(roles=STAFF_ROLES, domain=Domain.PSYCH, obj=("assessment_id", "assessments.Assessment"))
def get_assessment(request, assessment_id: int):
    a = selectors.assessment_get(actor=request.user, pk=assessment_id)
    return {**_out(a), "result": a.result}


@router.post(
    "/assessments",
    response={201: AssessmentOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="assign_assessment",
    summary="Assign a scale to a person (they answer on the phone)",
)
@api_access(roles=STAFF_ROLES, domain=Domain.PSYCH, action=CHANGE)
def assign_assessment(request, payload: AssignIn):
    person = get_scoped_or_404(Person, request.user, pk=payload.person_id)
    a = _call(
        services.assessment_assign,
        actor=request.user,
        person=person,
        scale_code=payload.scale,
        due_on=payload.due_on,
    )
    return Status(201, _out(a))


@router.get(
    "/assessment-flags",
    response={200: list[FlagOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="list_flags",
    summary="Open item flags (PHQ-9 item 9 ...) in the caller's scope",
)
@api_access(roles=STAFF_ROLES, domain=Domain.PSYCH)
def list_flags(request, status: str = Query("open", max_length=14)):
    flags = selectors.flag_list(actor=request.user, status=status[:14])[:500]
    return [
        {
            "id": f.pk,
            "person_id": f.person_id,
            "person_name": f.person.name,
            "assessment_id": f.assessment_id,
            "code": f.code,
            "severity": f.severity,
            "label": f.label,
            "item": f.item,
            "value": f.value,
            "rule": f.threshold,
            "raised_at": f.raised_at,
            "status": f.status,
        }
        for f in flags
    ]


@router.post(
    "/assessment-flags/{flag_id}/handle",
    response={200: dict[str, Any], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="handle_flag",
    summary="Acknowledge, refer to counselling, or close a flag",
)
@api_access(roles=STAFF_ROLES, domain=Domain.PSYCH, action=CHANGE, obj=("flag_id", "assessments.RiskFlag"))
def handle_flag(request, flag_id: int, payload: FlagIn):
    flag = get_scoped_or_404(RiskFlag, request.user, CHANGE, pk=flag_id)
    flag = _call(
        services.flag_handle, actor=request.user, flag=flag, action=payload.action, note=payload.note
    )
    return {"id": flag.pk, "status": flag.status}


# --- the supervised person's own tests ---------------------------------------------------------------------

SUBJECT = {"roles": [Role.SUBJECT], "domain": Domain.PSYCH}


def _my_out(a: Assessment, lang: str = "zh-hans") -> dict[str, Any]:
    from jiaozheng.assessments.views import plain_words

    scale = get_scale(a.scale_code)
    return {
        "id": a.pk,
        "scale": a.scale_code,
        "title": scale.title(lang),
        "status": a.status,
        "due_on": a.due_on,
        "answered": a.answered_count,
        "items": len(scale.item_ids),
        "next_item": services.next_item(a) if a.is_open else None,
        "plain_result": plain_words(a, lang)["text"] if a.status == AssessmentStatus.COMPLETED else "",
    }


@router.get(
    "/me/assessments",
    response={200: list[MyAssessmentOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="my_assessments",
    summary="My tests",
)
@api_access(**SUBJECT)
def my_assessments(request):
    data = selectors.my_assessments(actor=request.user)
    return [_my_out(a) for a in data["open"] + data["done"]]


@router.get(
    "/me/assessments/{assessment_id}",
    response={200: MyAssessmentDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="my_assessment",
    summary="One of my tests with its questions and my answers so far",
)
@api_access(**SUBJECT, obj=("assessment_id", "assessments.Assessment"))
def my_assessment(request, assessment_id: int):
    a = get_scoped_or_404(Assessment, request.user, pk=assessment_id)
    scale = a.scale
    questions = [
        {
            "id": i,
            "text": scale.item_text(i),
            "options": [{"value": o["value"], "label": o["label"]["zh-hans"]} for o in scale.options(i)],
            "answer": (a.answers or {}).get(str(i)),
        }
        for i in scale.item_ids
    ]
    return {
        **_my_out(a),
        "instructions": scale.content().instructions,
        "timeframe": scale.timeframe(),
        "questions": questions,
    }


@router.post(
    "/me/assessments/{assessment_id}/answers",
    response={200: MyAssessmentOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="answer_my_assessment",
    summary="Record one answer (with the seconds spent on the item)",
)
@api_access(**SUBJECT, action=CHANGE, obj=("assessment_id", "assessments.Assessment"))
def answer_my_assessment(request, assessment_id: int, payload: AnswerIn):
    a = get_scoped_or_404(Assessment, request.user, pk=assessment_id)
    a = _call(
        services.answer_record,
        actor=request.user,
        assessment=a,
        item=payload.item,
        value=payload.value,
        seconds=payload.seconds,
    )
    return _my_out(a)


@router.post(
    "/me/assessments/{assessment_id}/submit",
    response={200: MyAssessmentOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="submit_my_assessment",
    summary="Hand in my answers (scored at once)",
)
@api_access(**SUBJECT, action=CHANGE, obj=("assessment_id", "assessments.Assessment"))
def submit_my_assessment(request, assessment_id: int):
    a = get_scoped_or_404(Assessment, request.user, pk=assessment_id)
    if not a.is_open:
        raise NotFound("no open assessment")
    a = _call(services.assessment_submit, actor=request.user, assessment=a)
    return _my_out(a)
