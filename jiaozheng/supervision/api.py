"""/api/v1/supervision: 调查评估 commissions.

No ``from __future__ import annotations`` here: django-ninja reads the annotations at import time.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Field, Schema, Status

from jiaozheng.core.access import api_access
from jiaozheng.core.apiauth import Router
from jiaozheng.core.errors import ApplicationError, validation_errors_from_django
from jiaozheng.core.params import BodySchema
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain
from jiaozheng.supervision import selectors, services
from jiaozheng.supervision.choices import Commissioner, Conclusion

router = Router(tags=["supervision"])


class ErrorOut(Schema):
    message: str
    errors: list[dict[str, Any]] = []


class InvestigationIn(BodySchema):
    commissioner: Commissioner
    commissioner_name: str = Field(min_length=1, max_length=120)
    defendant_name: str = Field(min_length=1, max_length=64)
    commissioned_on: dt.date
    summary_procedure: bool = False
    reference: str = Field("", max_length=64)
    county_id: int | None = None


class InvestigationAssignIn(BodySchema):
    assignee_id: int


class InvestigationAnswerIn(BodySchema):
    findings: str = Field(min_length=1, max_length=5000)
    conclusion: Conclusion
    opinion: str = Field(min_length=1, max_length=5000)
    answered_on: dt.date | None = None


class InvestigationOut(Schema):
    id: int
    county_id: int
    commissioner: str
    commissioner_name: str
    defendant_name: str
    summary_procedure: bool
    commissioned_on: dt.date
    due_on: dt.date
    status: str
    assignee_id: int | None
    answered_on: dt.date | None
    procuratorate_copied_on: dt.date | None
    late: bool


def _out(i: Any) -> dict[str, Any]:
    return {
        "id": i.pk,
        "county_id": i.county_id,
        "commissioner": i.commissioner,
        "commissioner_name": i.commissioner_name,
        "defendant_name": i.defendant_name,
        "summary_procedure": i.summary_procedure,
        "commissioned_on": i.commissioned_on,
        "due_on": i.due_on,
        "status": i.status,
        "assignee_id": i.assignee_id,
        "answered_on": i.answered_on,
        "procuratorate_copied_on": i.procuratorate_copied_on,
        "late": i.is_late(),
    }


def _invalid(exc: ValidationError) -> ApplicationError:
    return ApplicationError("invalid input", validation_errors_from_django(exc), 422)


@router.get(
    "/supervision/investigations",
    response={200: list[InvestigationOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="list_investigations",
    summary="调查评估 commissions in the caller's scope (late=true: only the late ones)",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD)
def list_investigations(request, status: str = "", late: bool = False):
    return [
        _out(i) for i in selectors.investigation_list(actor=request.user, status=status[:16], late=late)[:500]
    ]


@router.post(
    "/supervision/investigations",
    response={201: InvestigationOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="register_investigation",
    summary="Register a 调查评估 commission; the opinion's due date is computed in working days",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE)
def register_investigation(request, payload: InvestigationIn):
    data = payload.dict()
    county = data.pop("county_id")
    try:
        inv = services.investigation_register(actor=request.user, county=county, **data)
    except ValidationError as exc:
        raise _invalid(exc)
    return Status(201, _out(inv))


@router.post(
    "/supervision/investigations/{investigation_id}/assign",
    response={200: InvestigationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="assign_investigation",
    summary="Assign the investigator",
)
@api_access(
    roles=STAFF_ROLES,
    domain=Domain.CASELOAD,
    action=CHANGE,
    obj=("investigation_id", "supervision.Investigation"),
)
def assign_investigation(request, investigation_id: int, payload: InvestigationAssignIn):
    try:
        inv = services.investigation_assign(
            actor=request.user, investigation=investigation_id, assignee=payload.assignee_id
        )
    except ValidationError as exc:
        raise _invalid(exc)
    return _out(inv)


@router.post(
    "/supervision/investigations/{investigation_id}/answer",
    response={200: InvestigationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="answer_investigation",
    summary="Send the 调查评估意见书 (a copy goes to the procuratorate)",
)
@api_access(
    roles=STAFF_ROLES,
    domain=Domain.CASELOAD,
    action=CHANGE,
    obj=("investigation_id", "supervision.Investigation"),
)
def answer_investigation(request, investigation_id: int, payload: InvestigationAnswerIn):
    try:
        inv = services.investigation_answer(
            actor=request.user, investigation=investigation_id, **payload.dict()
        )
    except ValidationError as exc:
        raise _invalid(exc)
    return _out(inv)


class TravelIn(BodySchema):
    destination: str = Field(min_length=1, max_length=120)
    reason: str = Field(min_length=1, max_length=5000)
    start_on: dt.date
    end_on: dt.date


class DecisionIn(BodySchema):
    approve: bool
    note: str = Field("", max_length=5000)


class ReturnIn(BodySchema):
    returned_on: dt.date
    note: str = Field("", max_length=5000)


class TravelOut(Schema):
    id: int
    person_id: int
    destination: str
    start_on: dt.date
    end_on: dt.date
    days: int
    level: str
    status: str
    returned_on: dt.date | None


def _travel(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "person_id": r.person_id,
        "destination": r.destination,
        "start_on": r.start_on,
        "end_on": r.end_on,
        "days": r.days,
        "level": r.level,
        "status": r.status,
        "returned_on": r.returned_on,
    }


@router.get(
    "/supervision/travel",
    response={200: list[TravelOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="list_travel_requests",
    summary="外出 requests in the caller's scope",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD)
def list_travel_requests(request, status: str = ""):
    return [_travel(r) for r in selectors.travel_list(actor=request.user, status=status[:12])[:500]]


@router.post(
    "/supervision/persons/{person_id}/travel",
    response={201: TravelOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="request_travel",
    summary="Record a 外出 request; the approving level follows from its length and the recent travel",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("person_id", "people.Person"))
def request_travel(request, person_id: int, payload: TravelIn):
    try:
        req = services.travel_request(actor=request.user, person=person_id, **payload.dict())
    except ValidationError as exc:
        raise _invalid(exc)
    return Status(201, _travel(req))


@router.post(
    "/supervision/travel/{travel_id}/decision",
    response={200: TravelOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="decide_travel",
    summary="Approve or refuse a 外出 request at the right level",
)
@api_access(
    roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("travel_id", "supervision.TravelRequest")
)
def decide_travel(request, travel_id: int, payload: DecisionIn):
    try:
        req = services.travel_decide(
            actor=request.user, travel=travel_id, approve=payload.approve, note=payload.note
        )
    except ValidationError as exc:
        raise _invalid(exc)
    return _travel(req)


@router.post(
    "/supervision/travel/{travel_id}/return",
    response={200: TravelOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="return_travel",
    summary="Record the report on return of an approved trip",
)
@api_access(
    roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("travel_id", "supervision.TravelRequest")
)
def return_travel(request, travel_id: int, payload: ReturnIn):
    try:
        req = services.travel_return(
            actor=request.user, travel=travel_id, returned_on=payload.returned_on, note=payload.note
        )
    except ValidationError as exc:
        raise _invalid(exc)
    return _travel(req)


class ReleaseDueOut(Schema):
    person_id: int
    name: str
    squadron: str
    term_end: dt.date


class ReleaseIn(BodySchema):
    released_on: dt.date
    appraisal: str = Field("", max_length=5000)
    announced: bool = True


class ReleaseOut(Schema):
    id: int
    person_id: int
    number: str
    released_on: dt.date


@router.get(
    "/supervision/releases/due",
    response={200: list[ReleaseDueOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="list_releases_due",
    summary="Persons in correction whose term ends soon or has ended (rule supervision.release_notice_days)",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD)
def list_releases_due(request):
    return [
        {
            "person_id": p.pk,
            "name": p.name,
            "squadron": p.squadron.name if p.squadron else "",
            "term_end": p.term_end,
        }
        for p in selectors.release_due_list(actor=request.user)[:1000]
    ]


@router.post(
    "/supervision/persons/{person_id}/release",
    response={201: ReleaseOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="release_person",
    summary="解矫: release at the term end, issue the numbered certificate, record the notices",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("person_id", "people.Person"))
def release_person(request, person_id: int, payload: ReleaseIn):
    try:
        rel = services.release_issue(actor=request.user, person=person_id, **payload.dict())
    except ValidationError as exc:
        raise _invalid(exc)
    return Status(
        201,
        {"id": rel.pk, "person_id": rel.person_id, "number": rel.number_text, "released_on": rel.released_on},
    )
