"""/api/v1/supervision: the lifecycle procedures (调查评估, 外出, release, 考核奖惩, 会客/特定场所, 迁居, re-examinations).

No ``from __future__ import annotations`` here: django-ninja reads the annotations at import time.
"""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema, Status

from jiaozheng.core.access import api_access
from jiaozheng.core.apiauth import Router
from jiaozheng.core.params import BodySchema
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain
from jiaozheng.supervision import selectors, services
from jiaozheng.supervision.choices import (
    Commissioner,
    Conclusion,
    PermitKind,
    Ruling,
    SanctionGround,
    SanctionKind,
)
from jiaozheng.supervision.sanctions import DECIDING_ROLES

router = Router(tags=["supervision"])


class DueOut(Schema):
    """An open procedure step's lateness: past its statutory due date (see the model's ``is_late``)."""

    late: bool

    @staticmethod
    def resolve_late(obj: Any) -> Any:
        return obj.is_late()


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


class InvestigationOut(DueOut):
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


@router.get(
    "/supervision/investigations",
    response={200: list[InvestigationOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="list_investigations",
    summary="调查评估 commissions in the caller's scope (late=true: only the late ones)",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD)
def list_investigations(request, status: str = "", late: bool = False):
    return list(selectors.investigation_list(actor=request.user, status=status[:16], late=late)[:500])


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
    inv = services.investigation_register(actor=request.user, county=county, **data)
    return Status(201, inv)


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
    inv = services.investigation_assign(
        actor=request.user, investigation=investigation_id, assignee=payload.assignee_id
    )
    return inv


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
    inv = services.investigation_answer(actor=request.user, investigation=investigation_id, **payload.dict())
    return inv


class TravelIn(BodySchema):
    destination: str = Field(min_length=1, max_length=120)
    destination_code: str = Field("", max_length=6)
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
    zone_refs: list[str]

    @staticmethod
    def resolve_zone_refs(obj: Any) -> Any:
        return list(obj.zone_refs or [])


@router.get(
    "/supervision/travel",
    response={200: list[TravelOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="list_travel_requests",
    summary="外出 requests in the caller's scope",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD)
def list_travel_requests(request, status: str = ""):
    return list(selectors.travel_list(actor=request.user, status=status[:12])[:500])


@router.post(
    "/supervision/persons/{person_id}/travel",
    response={201: TravelOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="request_travel",
    summary="Record a 外出 request; the approving level follows from its length and the recent travel",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("person_id", "people.Person"))
def request_travel(request, person_id: int, payload: TravelIn):
    req = services.travel_request(actor=request.user, person=person_id, **payload.dict())
    return Status(201, req)


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
    req = services.travel_decide(
        actor=request.user, travel=travel_id, approve=payload.approve, note=payload.note
    )
    return req


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
    req = services.travel_return(
        actor=request.user, travel=travel_id, returned_on=payload.returned_on, note=payload.note
    )
    return req


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
    rel = services.release_issue(actor=request.user, person=person_id, **payload.dict())
    return Status(
        201,
        {"id": rel.pk, "person_id": rel.person_id, "number": rel.number_text, "released_on": rel.released_on},
    )


# --- 考核奖惩 ---------------------------------------------------------------------------------------------


class SanctionIn(BodySchema):
    kind: SanctionKind
    ground: SanctionGround
    facts: str = Field(min_length=1, max_length=5000)
    occurred_on: dt.date
    days_out: int | None = Field(None, ge=1, le=3660)


class SanctionDecisionIn(BodySchema):
    take: bool
    note: str = Field("", max_length=5000)
    decided_on: dt.date | None = None
    authority: str = Field("", max_length=120)


class SanctionRulingIn(BodySchema):
    ruling: Ruling
    ruled_on: dt.date
    note: str = Field("", max_length=5000)


class SanctionOut(DueOut):
    id: int
    person_id: int
    kind: str
    ground: str
    status: str
    occurred_on: dt.date
    decision_due_on: dt.date
    decided_on: dt.date | None
    decided_role: str
    ruling_due_on: dt.date | None
    procuratorate_copied_on: dt.date | None
    ruling: str


@router.get(
    "/supervision/sanctions",
    response={200: list[SanctionOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="list_sanctions",
    summary="考核奖惩 cases in the caller's scope (pending=true: awaiting a decision or a ruling)",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD)
def list_sanctions(request, pending: bool = False):
    return list(selectors.sanction_list(actor=request.user, open_only=pending)[:500])


@router.post(
    "/supervision/persons/{person_id}/sanctions",
    response={201: SanctionOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="propose_sanction",
    summary="The judicial office's findings: the facts, the ground and the decision proposed",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("person_id", "people.Person"))
def propose_sanction(request, person_id: int, payload: SanctionIn):
    c = services.sanction_propose(actor=request.user, person=person_id, **payload.dict())
    return Status(201, c)


@router.post(
    "/supervision/sanctions/{case_id}/decision",
    response={200: SanctionOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="decide_sanction",
    summary="The county agency's decision (表扬/训诫/警告 recorded, or the proposal sent and copied)",
)
@api_access(
    roles=DECIDING_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("case_id", "supervision.SanctionCase")
)
def decide_sanction(request, case_id: int, payload: SanctionDecisionIn):
    c = services.sanction_decide(actor=request.user, case=case_id, **payload.dict())
    return c


@router.post(
    "/supervision/sanctions/{case_id}/ruling",
    response={200: SanctionOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="rule_sanction",
    summary="The court's or deciding authority's ruling on a proposal",
)
@api_access(
    roles=DECIDING_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("case_id", "supervision.SanctionCase")
)
def rule_sanction(request, case_id: int, payload: SanctionRulingIn):
    c = services.sanction_ruling(actor=request.user, case=case_id, **payload.dict())
    return c


# --- 会客 / 进入特定场所, 迁居, re-examinations -----------------------------------------------------------------


class SpecialPermitIn(BodySchema):
    kind: PermitKind
    subject: str = Field(min_length=1, max_length=120)
    reason: str = Field(min_length=1, max_length=5000)
    start_on: dt.date
    end_on: dt.date


class SpecialPermitOut(DueOut):
    id: int
    person_id: int
    kind: str
    subject: str
    start_on: dt.date
    end_on: dt.date
    status: str
    decision_due_on: dt.date
    decided_role: str


@router.get(
    "/supervision/permits",
    response={200: list[SpecialPermitOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="list_permits",
    summary="会客 / 进入特定场所 requests in the caller's scope",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD)
def list_permits(request, pending: bool = False):
    return list(selectors.permit_list(actor=request.user, open_only=pending)[:500])


@router.post(
    "/supervision/persons/{person_id}/permits",
    response={201: SpecialPermitOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="request_permit",
    summary="Record a 会客 or 进入特定场所 request; the county decides within the working-day window",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("person_id", "people.Person"))
def request_permit(request, person_id: int, payload: SpecialPermitIn):
    r = services.permit_request(actor=request.user, person=person_id, **payload.dict())
    return Status(201, r)


@router.post(
    "/supervision/permits/{permit_id}/decision",
    response={200: SpecialPermitOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="decide_permit",
    summary="The county agency's decision on a 会客 or 进入特定场所 request",
)
@api_access(
    roles=DECIDING_ROLES,
    domain=Domain.CASELOAD,
    action=CHANGE,
    obj=("permit_id", "supervision.PermitRequest"),
)
def decide_permit(request, permit_id: int, payload: DecisionIn):
    r = services.permit_decide(
        actor=request.user, permit=permit_id, approve=payload.approve, note=payload.note
    )
    return r


class RelocationIn(BodySchema):
    new_address: str = Field(min_length=1, max_length=200)
    receiving_county: str = Field(min_length=1, max_length=120)
    reason: str = Field(min_length=1, max_length=5000)
    planned_on: dt.date
    change_of_execution: bool = True


class RelocationStepIn(BodySchema):
    step: Literal["consult", "reply", "files", "arrived"]
    on: dt.date
    agrees: bool = True


class RelocationOut(DueOut):
    id: int
    person_id: int
    receiving_county: str
    planned_on: dt.date
    status: str
    due_on: dt.date | None


@router.get(
    "/supervision/relocations",
    response={200: list[RelocationOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="list_relocations",
    summary="迁居 / 变更执行地 in the caller's scope, with the due date of the open step",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD)
def list_relocations(request, pending: bool = False):
    return list(selectors.relocation_list(actor=request.user, open_only=pending)[:500])


@router.post(
    "/supervision/persons/{person_id}/relocations",
    response={201: RelocationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="request_relocation",
    summary="Record a 迁居 / 变更执行地 application; the consultation of the receiving county is due next",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("person_id", "people.Person"))
def request_relocation(request, person_id: int, payload: RelocationIn):
    r = services.relocation_request(actor=request.user, person=person_id, **payload.dict())
    return Status(201, r)


@router.post(
    "/supervision/relocations/{relocation_id}/step",
    response={200: RelocationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="relocation_step",
    summary="Record a step: consultation sent, reply received, file handed over, arrival reported",
)
@api_access(
    roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("relocation_id", "supervision.Relocation")
)
def relocation_step(request, relocation_id: int, payload: RelocationStepIn):
    u, rid, on = request.user, relocation_id, payload.on
    if payload.step == "consult":
        r = services.relocation_consult(actor=u, relocation=rid, consulted_on=on)
    elif payload.step == "reply":
        r = services.relocation_reply(actor=u, relocation=rid, agrees=payload.agrees, replied_on=on)
    elif payload.step == "files":
        r = services.relocation_files_sent(actor=u, relocation=rid, sent_on=on)
    else:
        r = services.relocation_arrived(actor=u, relocation=rid, arrived_on=on)
    return r


@router.post(
    "/supervision/relocations/{relocation_id}/decision",
    response={200: RelocationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="decide_relocation",
    summary="The county agency's decision on a change of residence (after the receiving county's reply)",
)
@api_access(
    roles=DECIDING_ROLES,
    domain=Domain.CASELOAD,
    action=CHANGE,
    obj=("relocation_id", "supervision.Relocation"),
)
def decide_relocation(request, relocation_id: int, payload: DecisionIn):
    r = services.relocation_decide(
        actor=request.user, relocation=relocation_id, approve=payload.approve, note=payload.note
    )
    return r


class ReexamDueOut(Schema):
    person_id: int
    name: str
    last_reexam_on: dt.date | None
    due_on: dt.date


class ReexamIn(BodySchema):
    examined_on: dt.date
    hospital: str = Field(min_length=1, max_length=120)
    conditions_persist: bool = True
    summary: str = Field("", max_length=5000)


class ReexamOut(Schema):
    id: int
    person_id: int
    examined_on: dt.date


@router.get(
    "/supervision/reexaminations/due",
    response={200: list[ReexamDueOut], 401: ErrorOut, 403: ErrorOut},
    operation_id="list_reexaminations_due",
    summary="暂予监外执行 persons whose medical re-examination is due soon or overdue",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD)
def list_reexaminations_due(request):
    return [
        {"person_id": p.pk, "name": p.name, "last_reexam_on": p.last_reexam_on, "due_on": p.reexam_due_on}
        for p in selectors.reexam_due_list(actor=request.user)[:1000]
    ]


@router.post(
    "/supervision/persons/{person_id}/reexaminations",
    response={201: ReexamOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="record_reexamination",
    summary="Record a medical re-examination a 暂予监外执行 person submitted",
)
@api_access(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE, obj=("person_id", "people.Person"))
def record_reexamination(request, person_id: int, payload: ReexamIn):
    r = services.reexam_record(actor=request.user, person=person_id, **payload.dict())
    return Status(201, {"id": r.pk, "person_id": r.person_id, "examined_on": r.examined_on})
