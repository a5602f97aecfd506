"""/api/v1 visits: records, due list, compliance, interventions, tasks, hardship help, route plans.

No ``from __future__ import annotations`` here: django-ninja reads the annotations at import time.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Schema, Status

from jiaozheng.audit.services import access_log
from jiaozheng.core.access import api_access
from jiaozheng.core.apiauth import Router
from jiaozheng.core.params import MAX_ID, BodySchema, Day, Id, id_param
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain
from jiaozheng.core.scoping import get_scoped_or_404
from jiaozheng.orgs.models import OrgUnit, User
from jiaozheng.people.models import Person
from jiaozheng.visits import selectors as sel
from jiaozheng.visits import services
from jiaozheng.visits.choices import (
    DueStatus,
    FieldVisitTarget,
    HelpKind,
    InterventionKind,
    RiskSign,
    TaskStatus,
    VisitMethod,
    VisitOutcome,
    VisitType,
)
from jiaozheng.visits.models import FollowUpTask, Visit

router = Router(tags=["visits"])


class VisitOut(Schema):
    id: int
    person_id: int
    person_name: str
    squadron_id: int
    visit_type: VisitType
    method: VisitMethod
    field_target: str
    outcome: VisitOutcome
    visited_at: dt.datetime
    duration_minutes: int | None
    visitor_ids: list[int]
    other_visitors: str
    place: str
    people_met: str
    thinking: str
    conduct: str
    family: str
    work: str
    risk_signs: list[str]
    risk_note: str
    summary: str
    interventions: list[dict[str, Any]]
    imported: bool
    exported_at: dt.datetime | None


class VisitPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[VisitOut]


class VisitQuery(Schema):
    q: str = Field("", max_length=50)
    squadron: Id | None = None
    visit_type: VisitType | None = None
    method: VisitMethod | None = None
    start: Day | None = None
    end: Day | None = None
    person: Id | None = None
    not_exported: bool = False
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class InterventionIn(BodySchema):
    kind: InterventionKind
    note: str = Field(min_length=1, max_length=5000)
    help_kind: HelpKind | None = None
    amount: Decimal | None = Field(None, gt=0, le=1_000_000, max_digits=10, decimal_places=2)
    material: str = Field("", max_length=200)
    given_by: str = Field("", max_length=100)


class TaskIn(BodySchema):
    title: str = Field(min_length=1, max_length=200)
    due_on: dt.date
    assignee_id: int | None = None


class VisitIn(BodySchema):
    visit_type: VisitType
    method: VisitMethod
    field_target: FieldVisitTarget | None = None
    outcome: VisitOutcome = VisitOutcome.COMPLETED
    visited_at: dt.datetime
    duration_minutes: int | None = Field(None, ge=1, le=1440)
    visitor_ids: list[int] = Field(default_factory=list, max_length=20)
    other_visitors: str = Field("", max_length=200)
    place: str = Field("", max_length=200)
    people_met: str = Field("", max_length=300)
    thinking: str = Field("", max_length=5000)
    conduct: str = Field("", max_length=5000)
    family: str = Field("", max_length=5000)
    work: str = Field("", max_length=5000)
    risk_signs: list[RiskSign] = Field(default_factory=list, max_length=20)
    risk_note: str = Field("", max_length=5000)
    summary: str = Field("", max_length=5000)
    latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    accuracy_m: float | None = Field(None, ge=0, le=100_000, allow_inf_nan=False)
    interventions: list[InterventionIn] = Field(default_factory=list, max_length=5)
    tasks: list[TaskIn] = Field(default_factory=list, max_length=10)


class WindowOut(Schema):
    standard: str
    visit_type: VisitType
    start: dt.date
    end: dt.date
    required: int
    done: int


class DueOut(Schema):
    person_id: int
    person_name: str
    squadron_id: int
    visit_type: VisitType
    standard: str
    status: DueStatus
    due_by: dt.date | None
    overdue_days: int
    last_visit: dt.date | None
    missed_window: WindowOut | None
    staff: list[str]


class ComplianceOut(Schema):
    person_id: int
    standards_from: str
    due: list[DueOut]
    windows: list[WindowOut]


class TaskOut(Schema):
    id: int
    person_id: int
    visit_id: int | None
    title: str
    due_on: dt.date
    assignee_id: int | None
    status: TaskStatus
    result: str


class TaskCloseIn(BodySchema):
    result: str = Field(min_length=1, max_length=5000)
    cancel: bool = False


class HelpIn(BodySchema):
    kind: HelpKind
    given_on: dt.date
    amount: Decimal | None = Field(None, gt=0, le=1_000_000, max_digits=10, decimal_places=2)
    material: str = Field("", max_length=200)
    given_by: str = Field(min_length=1, max_length=100)
    note: str = Field("", max_length=5000)


class HelpOut(Schema):
    id: int
    person_id: int
    kind: HelpKind
    given_on: dt.date
    amount: Decimal | None
    material: str
    given_by: str


class HardshipOut(Schema):
    person_id: int
    person_name: str
    squadron_id: int
    note: str
    help_count: int
    help_amount: Decimal | None
    last_help: dt.date | None


class RoutePlanIn(BodySchema):
    squadron_id: int
    plan_date: dt.date
    teams: list[list[int]] = Field(min_length=1, max_length=10)
    person_ids: list[int] | None = Field(None, max_length=200)
    windows: dict[int, list[str]] = Field(default_factory=dict)
    day_start: str | None = Field(None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    day_minutes: int | None = Field(None, ge=60, le=900)
    service_minutes: int | None = Field(None, ge=5, le=240)


class RoutePlanOut(Schema):
    id: int
    squadron_id: int
    plan_date: dt.date
    result: dict[str, Any]


class ErrorOut(Schema):
    message: str
    errors: list[dict[str, Any]] = []


def _visit_out(v: Visit) -> dict[str, Any]:
    return {
        "id": v.pk,
        "person_id": v.person_id,
        "person_name": v.person.name,
        "squadron_id": v.person.squadron_id,
        "visit_type": v.visit_type,
        "method": v.method,
        "field_target": v.field_target,
        "outcome": v.outcome,
        "visited_at": v.visited_at,
        "duration_minutes": v.duration_minutes,
        "visitor_ids": [r.user_id for r in v.visitor_rows.all()],
        "other_visitors": v.other_visitors,
        "place": v.place,
        "people_met": v.people_met,
        "thinking": v.thinking,
        "conduct": v.conduct,
        "family": v.family,
        "work": v.work,
        "risk_signs": v.risk_signs,
        "risk_note": v.risk_note,
        "summary": v.summary,
        "interventions": [
            {"kind": i.kind, "note": i.note, "decided_on": i.decided_on.isoformat()}
            for i in v.interventions.all()
        ],
        "imported": v.imported,
        "exported_at": v.exported_at,
    }


def _window_out(w: Any) -> dict[str, Any]:
    return {
        "standard": str(w.standard.name),
        "visit_type": w.standard.visit_type,
        "start": w.start,
        "end": w.end,
        "required": w.required,
        "done": w.done,
    }


def _due_out(person: Any, item: Any, staff: list[str]) -> dict[str, Any]:
    return {
        "person_id": person.pk,
        "person_name": person.name,
        "squadron_id": person.squadron_id,
        "visit_type": item.standard.visit_type,
        "standard": str(item.standard.name),
        "status": item.status,
        "due_by": item.due_by,
        "overdue_days": item.overdue_days,
        "last_visit": item.last_visit,
        "missed_window": _window_out(item.missed) if item.missed else None,
        "staff": staff,
    }


def _users(ids: list[int], field: str) -> list[Any]:
    """The accounts of ``ids``; an id that matches none gets the same answer as an account outside the
    caller's area (services.unknown_account), so that the two cannot be told apart."""
    users = {u.pk: u for u in User.objects.filter(pk__in=[i for i in ids if 0 < i <= MAX_ID])}
    missing = [i for i in ids if i not in users]
    if missing:
        raise ValidationError({field: [services.unknown_account(i) for i in missing]})
    return [users[i] for i in ids]


@router.get(
    "/visits",
    response={200: VisitPage, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="list_visits",
)
@api_access(domain=Domain.SERVICES, roles=STAFF_ROLES)
def list_visits(request, query: Query[VisitQuery]):
    filters = sel.VisitFilters(
        q=query.q,
        squadron=query.squadron,
        visit_type=query.visit_type or "",
        method=query.method or "",
        start=query.start,
        end=query.end,
        person=query.person,
        not_exported=query.not_exported,
    )
    qs = sel.visit_list(actor=request.user, filters=filters).prefetch_related("visitor_rows", "interventions")
    items = [_visit_out(v) for v in qs[query.offset : query.offset + query.limit]]
    return {"count": qs.count(), "limit": query.limit, "offset": query.offset, "items": items}


@router.get(
    "/visits/{visit_id}",
    response={200: VisitOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="get_visit",
)
@api_access(domain=Domain.SERVICES, roles=STAFF_ROLES, obj=("visit_id", "visits.Visit"))
def get_visit(request, visit_id: int):
    visit = sel.visit_get(actor=request.user, pk=visit_id)
    return _visit_out(visit)


@router.post(
    "/persons/{person_id}/visits",
    response={201: VisitOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="create_visit",
)
@api_access(domain=Domain.SERVICES, action=CHANGE, roles=STAFF_ROLES, obj=("person_id", "people.Person"))
def create_visit(request, person_id: int, payload: VisitIn):
    person = get_scoped_or_404(Person, request.user, CHANGE, domain=Domain.SERVICES, pk=person_id)
    data = services.VisitInput(
        visit_type=payload.visit_type,
        method=payload.method,
        field_target=payload.field_target or "",
        outcome=payload.outcome,
        visited_at=payload.visited_at,
        duration_minutes=payload.duration_minutes,
        visitors=_users(payload.visitor_ids, "visitors")
        or ([request.user] if services.eligible_visitor(request.user, person) else []),
        other_visitors=payload.other_visitors,
        place=payload.place,
        people_met=payload.people_met,
        thinking=payload.thinking,
        conduct=payload.conduct,
        family=payload.family,
        work=payload.work,
        risk_signs=[str(s) for s in payload.risk_signs],
        risk_note=payload.risk_note,
        summary=payload.summary,
        latitude=payload.latitude,
        longitude=payload.longitude,
        accuracy_m=payload.accuracy_m,
        interventions=[
            services.InterventionInput(
                i.kind,
                i.note,
                help_kind=i.help_kind or "",
                amount=i.amount,
                material=i.material,
                given_by=i.given_by,
            )
            for i in payload.interventions
        ],
        tasks=[
            services.TaskInput(
                t.title, t.due_on, _users([t.assignee_id], "tasks")[0] if t.assignee_id else None
            )
            for t in payload.tasks
        ],
    )
    visit = services.visit_create(actor=request.user, person=person, data=data)
    return Status(201, _visit_out(sel.visit_get(actor=request.user, pk=visit.pk)))


@router.post(
    "/visits/{visit_id}/interventions",
    response={201: VisitOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="add_visit_intervention",
)
@api_access(domain=Domain.SERVICES, action=CHANGE, roles=STAFF_ROLES, obj=("visit_id", "visits.Visit"))
def add_intervention(request, visit_id: int, payload: InterventionIn):
    visit = sel.visit_get(actor=request.user, pk=visit_id, action=CHANGE)
    services.intervention_add(
        actor=request.user,
        visit=visit,
        item=services.InterventionInput(
            payload.kind,
            payload.note,
            help_kind=payload.help_kind or "",
            amount=payload.amount,
            material=payload.material,
            given_by=payload.given_by,
        ),
    )
    return Status(201, _visit_out(sel.visit_get(actor=request.user, pk=visit.pk)))


class DueQuery(Schema):
    squadron: Id | None = None
    mine: bool = False
    status: DueStatus | None = None
    visit_type: VisitType | None = None


@router.get(
    "/visits-due",
    response={200: list[DueOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="list_visits_due",
)
@api_access(domain=Domain.SERVICES, roles=STAFF_ROLES)
def list_due(request, query: Query[DueQuery]):
    rows = sel.due_list(
        actor=request.user,
        squadron=query.squadron,
        mine=query.mine,
        status=query.status or "",
        visit_type=query.visit_type or "",
        include_done=query.status == DueStatus.DONE,
    )
    return [_due_out(r.person, r.item, r.staff) for r in rows]


@router.get(
    "/persons/{person_id}/visit-compliance",
    response={200: ComplianceOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="get_visit_compliance",
)
@api_access(domain=Domain.SERVICES, roles=STAFF_ROLES, obj=("person_id", "people.Person"))
def get_compliance(request, person_id: int):
    person = get_scoped_or_404(Person, request.user, domain=Domain.SERVICES, pk=person_id)
    compliance = sel.person_compliance(actor=request.user, person=person)
    staff = sel.responsible_staff([person.pk]).get(person.pk, [])
    return {
        "person_id": person.pk,
        "standards_from": compliance.origin,
        "due": [_due_out(person, i, staff) for i in compliance.items],
        "windows": [_window_out(w) for w in compliance.windows],
    }


class TaskQuery(Schema):
    status: TaskStatus | None = TaskStatus.OPEN
    mine: bool = False
    squadron: Id | None = None


@router.get(
    "/visit-tasks",
    response={200: list[TaskOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="list_visit_tasks",
)
@api_access(domain=Domain.SERVICES, roles=STAFF_ROLES)
def list_tasks(request, query: Query[TaskQuery]):
    qs = sel.task_list(
        actor=request.user, status=query.status or "", mine=query.mine, squadron=query.squadron
    )
    return [
        {
            "id": t.pk,
            "person_id": t.person_id,
            "visit_id": t.visit_id,
            "title": t.title,
            "due_on": t.due_on,
            "assignee_id": t.assignee_id,
            "status": t.status,
            "result": t.result,
        }
        for t in qs[:1000]
    ]


@router.post(
    "/visit-tasks/{task_id}/close",
    response={200: TaskOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="close_visit_task",
)
@api_access(domain=Domain.SERVICES, action=CHANGE, roles=STAFF_ROLES, obj=("task_id", "visits.FollowUpTask"))
def close_task(request, task_id: int, payload: TaskCloseIn):
    task = get_scoped_or_404(FollowUpTask, request.user, CHANGE, pk=task_id)
    task = services.task_complete(actor=request.user, task=task, result=payload.result, cancel=payload.cancel)
    return {
        "id": task.pk,
        "person_id": task.person_id,
        "visit_id": task.visit_id,
        "title": task.title,
        "due_on": task.due_on,
        "assignee_id": task.assignee_id,
        "status": task.status,
        "result": task.result,
    }


@router.get(
    "/hardship",
    response={200: list[HardshipOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="list_hardship",
)
@api_access(domain=Domain.SERVICES, roles=STAFF_ROLES)
def list_hardship(request, squadron: Id | None = None):
    return [
        {
            "person_id": p.pk,
            "person_name": p.name,
            "squadron_id": p.squadron_id,
            "note": p.hardship_note,
            "help_count": p.help_count,
            "help_amount": p.help_amount,
            "last_help": p.last_help,
        }
        for p in sel.hardship_list(actor=request.user, squadron=squadron)[:2000]
    ]


@router.post(
    "/persons/{person_id}/hardship-help",
    response={201: HelpOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="add_hardship_help",
)
@api_access(domain=Domain.SERVICES, action=CHANGE, roles=STAFF_ROLES, obj=("person_id", "people.Person"))
def add_help(request, person_id: int, payload: HelpIn):
    person = get_scoped_or_404(Person, request.user, CHANGE, domain=Domain.SERVICES, pk=person_id)
    row = services.hardship_help_add(
        actor=request.user,
        person=person,
        kind=payload.kind,
        given_on=payload.given_on,
        amount=payload.amount,
        material=payload.material,
        given_by=payload.given_by,
        note=payload.note,
    )
    return Status(
        201,
        {
            "id": row.pk,
            "person_id": row.person_id,
            "kind": row.kind,
            "given_on": row.given_on,
            "amount": row.amount,
            "material": row.material,
            "given_by": row.given_by,
        },
    )


@router.post(
    "/visit-route-plans",
    response={201: RoutePlanOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    operation_id="create_route_plan",
)
@api_access(domain=Domain.SERVICES, action=CHANGE, roles=STAFF_ROLES)
def create_route_plan(request, payload: RoutePlanIn):
    try:
        squadron = get_scoped_or_404(
            OrgUnit.objects.filter(kind=OrgUnit.Kind.SQUADRON), request.user, pk=payload.squadron_id
        )
    except Http404:
        raise ValidationError({"squadron_id": "no such squadron in your area"})
    teams = [_users(team, "teams") for team in payload.teams]
    windows = {}
    for person_id, window in payload.windows.items():
        if len(window) != 2:
            raise ValidationError({"windows": "each window is [from, to] as HH:MM"})
        if id_param(person_id) is None:
            raise ValidationError({"windows": "each key is a person id"})
        windows[id_param(person_id)] = (window[0], window[1])
    overrides = {
        key: value
        for key, value in (
            ("route_day_start", payload.day_start),
            ("route_day_minutes", payload.day_minutes),
            ("route_service_minutes", payload.service_minutes),
        )
        if value is not None
    }
    plan = services.route_plan_create(
        actor=request.user,
        squadron=squadron,
        plan_date=payload.plan_date,
        teams=teams,
        person_ids=payload.person_ids,
        windows=windows,
        overrides=overrides,
    )
    return Status(
        201,
        {"id": plan.pk, "squadron_id": plan.squadron_id, "plan_date": plan.plan_date, "result": plan.result},
    )


@router.get(
    "/visit-route-plans/{plan_id}",
    response={200: RoutePlanOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="get_route_plan",
)
@api_access(domain=Domain.SERVICES, roles=STAFF_ROLES, obj=("plan_id", "visits.RoutePlan"))
def get_route_plan(request, plan_id: int):
    plan = sel.route_plan_get(actor=request.user, pk=plan_id)
    for person in Person.objects.filter(
        pk__in=[s["person_id"] for r in plan.result.get("routes", []) for s in r["stops"]]
    ).only("pk", "county_id"):
        access_log("location", person=person, obj=plan, detail=f"route plan {plan.pk} via API")
    return {
        "id": plan.pk,
        "squadron_id": plan.squadron_id,
        "plan_date": plan.plan_date,
        "result": plan.result,
    }
