"""/api/v1/persons: the caseload for integrations and the supervised person's own record.

No ``from __future__ import annotations`` here: django-ninja reads the annotations at import time.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Field, Query, Schema, Status

from jiaozheng.core.access import api_access
from jiaozheng.core.apiauth import Router
from jiaozheng.core.errors import ApplicationError
from jiaozheng.core.params import BodySchema, Id
from jiaozheng.core.roles import CHANGE, Domain
from jiaozheng.core.scoping import get_scoped_or_404
from jiaozheng.orgs.models import OrgUnit
from jiaozheng.people import services
from jiaozheng.people.choices import (
    CorrectionType,
    Education,
    Employment,
    Gender,
    OffenceCategory,
    SupervisionClass,
)
from jiaozheng.people.selectors import PersonFilters, person_get, person_identity_reveal, person_list

router = Router(tags=["persons"])


class ErrorOut(Schema):
    message: str
    errors: list[dict[str, Any]] = []


class PersonOut(Schema):
    id: int
    case_number: str
    name: str
    gender: Gender
    birth_date: dt.date
    id_number: str = Field(description="Masked (430***********1234); the full number: POST .../reveal")
    phone: str = Field(description="Masked (138****5678); the full number: POST .../reveal")
    education: str
    employment: str
    county_id: int
    squadron_id: int
    squadron: str
    township_id: int | None
    village_id: int | None
    address: str
    correction_type: CorrectionType
    offence_category: OffenceCategory
    term_start: dt.date
    term_end: dt.date
    intake_on: dt.date | None
    supervision_class: SupervisionClass
    status: str
    is_new_entrant: bool
    is_juvenile: bool
    is_hardship: bool


class IdentityOut(Schema):
    id: int
    id_number: str
    phone: str


class PersonPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PersonOut]


class PersonIn(BodySchema):
    name: str = Field(min_length=1, max_length=50)
    gender: Gender
    birth_date: dt.date
    ethnicity: str = Field("01", max_length=8)
    id_number: str = Field(min_length=18, max_length=18, pattern=r"^\d{17}[\dXx]$")
    phone: str = Field("", max_length=11)
    education: Education
    employment: Employment
    employer: str = Field("", max_length=120)
    address: str = Field(min_length=1, max_length=200)
    squadron_id: int
    township_id: int | None = None
    village_id: int | None = None
    home_latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    home_longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    correction_type: CorrectionType
    offence_category: OffenceCategory
    offence: str = Field("", max_length=100)
    sentence: str = Field("", max_length=200)
    deciding_authority: str = Field("", max_length=100)
    judgment_effective_on: dt.date | None = None
    term_start: dt.date
    term_end: dt.date
    intake_on: dt.date | None = None
    supervision_class: SupervisionClass = SupervisionClass.STRICT


class PersonPatch(BodySchema):
    name: str | None = Field(None, min_length=1, max_length=50)
    phone: str | None = Field(None, max_length=11)
    education: Education | None = None
    employment: Employment | None = None
    employer: str | None = Field(None, max_length=120)
    address: str | None = Field(None, min_length=1, max_length=200)
    squadron_id: int | None = None
    township_id: int | None = None
    village_id: int | None = None
    home_latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    home_longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    term_end: dt.date | None = None
    notes: str | None = Field(None, max_length=5000)


class PersonQuery(Schema):
    q: str = Field("", max_length=50)
    squadron: Id | None = None
    supervision_class: SupervisionClass | None = None
    correction_type: CorrectionType | None = None
    status: str = Field("in_correction", max_length=20, description="Empty for every status")
    new_entrants: bool = False
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


def _out(person: Any) -> dict[str, Any]:
    """A person as the API shows them: ID number and phone always masked (see reveal_person_identity)."""
    return {
        "id": person.pk,
        "case_number": person.case_number,
        "name": person.name,
        "gender": person.gender,
        "birth_date": person.birth_date,
        "id_number": person.id_number_masked,
        "phone": person.phone_masked,
        "education": person.education,
        "employment": person.employment,
        "county_id": person.county_id,
        "squadron_id": person.squadron_id,
        "squadron": person.squadron.name,
        "township_id": person.township_id,
        "village_id": person.village_id,
        "address": person.address,
        "correction_type": person.correction_type,
        "offence_category": person.offence_category,
        "term_start": person.term_start,
        "term_end": person.term_end,
        "intake_on": person.intake_on,
        "supervision_class": person.supervision_class,
        "status": person.status,
        "is_new_entrant": person.new_entrant,
        "is_juvenile": person.is_juvenile,
        "is_hardship": person.is_hardship,
    }


def _units(data: dict[str, Any], actor: Any) -> dict[str, Any]:
    """Swap *_id keys for OrgUnit objects the actor may see (unknown or out of scope: a field error)."""
    from jiaozheng.core.scoping import scoped

    out = dict(data)
    for key in ("squadron", "township", "village"):
        if f"{key}_id" not in out:
            continue
        unit_id = out.pop(f"{key}_id")
        if unit_id is None:
            out[key] = None
            continue
        unit = scoped(OrgUnit, actor).filter(pk=unit_id).first()
        if unit is None:
            raise ApplicationError("invalid input", [{"field": f"{key}_id", "message": "unknown unit"}], 422)
        out[key] = unit
    return out


def _service_call(func: Any, **kwargs: Any) -> Any:
    try:
        return func(**kwargs)
    except ValidationError as exc:
        from jiaozheng.core.errors import validation_errors_from_django

        raise ApplicationError("invalid input", validation_errors_from_django(exc), 422)


@router.get(
    "/persons",
    response={200: PersonPage, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="List persons in the caller's scope",
)
@api_access(domain=Domain.CASELOAD)
def list_persons(request, query: Query[PersonQuery]):
    filters = PersonFilters(
        q=query.q,
        squadron=query.squadron,
        supervision_class=query.supervision_class or "",
        correction_type=query.correction_type or "",
        status=query.status,
        new_entrants=query.new_entrants,
    )
    qs = person_list(actor=request.user, filters=filters)
    items = [_out(p) for p in qs[query.offset : query.offset + query.limit]]
    return {"count": qs.count(), "limit": query.limit, "offset": query.offset, "items": items}


@router.get(
    "/persons/{person_id}",
    response={200: PersonOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One person (404 outside the caller's scope)",
)
@api_access(domain=Domain.CASELOAD, obj=("person_id", "people.Person"))
def get_person(request, person_id: int):
    person = person_get(actor=request.user, pk=person_id)
    return _out(person)


@router.post(
    "/persons",
    response={201: PersonOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Register a person",
)
@api_access(domain=Domain.CASELOAD, action=CHANGE)
def create_person(request, payload: PersonIn):
    data = _units(payload.dict(), request.user)
    person = _service_call(services.person_create, actor=request.user, data=data)
    return Status(201, _out(person_get(actor=request.user, pk=person.pk)))


@router.patch(
    "/persons/{person_id}",
    response={200: PersonOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Update a person's record",
)
@api_access(domain=Domain.CASELOAD, action=CHANGE, obj=("person_id", "people.Person"))
def update_person(request, person_id: int, payload: PersonPatch):
    from jiaozheng.people.models import Person

    person = get_scoped_or_404(Person, request.user, CHANGE, pk=person_id)
    data = _units(payload.dict(exclude_unset=True), request.user)
    _service_call(services.person_update, actor=request.user, person=person, data=data)
    return _out(person_get(actor=request.user, pk=person.pk))


@router.post(
    "/persons/{person_id}/reveal",
    response={200: IdentityOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="The full ID number and phone of one person; the read is written to the access log",
    operation_id="reveal_person_identity",
)
@api_access(domain=Domain.CASELOAD, obj=("person_id", "people.Person"))
def reveal_identity(request, person_id: int):
    person = person_identity_reveal(actor=request.user, pk=person_id)
    return {"id": person.pk, "id_number": person.id_number, "phone": person.phone}
