"""/api/v1/contracts: contracts, their funds, payments and expenditures.

No ``from __future__ import annotations`` here: django-ninja reads the annotations at import time.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Field, Query, Schema, Status

from jiaozheng.contracts import selectors, services
from jiaozheng.contracts.access import CONTRACT_ROLES
from jiaozheng.contracts.models import FundLine
from jiaozheng.core.access import api_access
from jiaozheng.core.apiauth import Router
from jiaozheng.core.errors import ApplicationError, validation_errors_from_django
from jiaozheng.core.params import BodySchema
from jiaozheng.core.roles import CHANGE, Domain

router = Router(tags=["contracts"])


class ErrorOut(Schema):
    message: str
    errors: list[dict[str, Any]] = []


class ContractOut(Schema):
    id: int
    code: str
    name: str
    buyer: str
    provider: str
    counties: list[str]
    start_on: dt.date
    end_on: dt.date
    signed_on: dt.date | None
    years: list[int]


class PaymentOut(Schema):
    id: int
    paid_on: dt.date
    amount: Decimal
    payer: str
    reference: str
    note: str


class PaymentIn(BodySchema):
    paid_on: dt.date
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    payer: str = Field("", max_length=100)
    reference: str = Field("", max_length=60)
    note: str = Field("", max_length=200)


class ExpenditureOut(Schema):
    id: int
    spent_on: dt.date
    amount: Decimal
    line_id: int | None
    line: str | None
    description: str
    payee: str
    voucher_no: str
    vouchers: int


class ExpenditureIn(BodySchema):
    spent_on: dt.date
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    description: str = Field(min_length=1, max_length=200)
    line_id: int | None = Field(None, description="Budget line of the same contract; empty: not mapped yet")
    payee: str = Field("", max_length=100)
    voucher_no: str = Field("", max_length=40)


class ExpenditurePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ExpenditureOut]


class PageQuery(Schema):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)
    line: str = Field("", max_length=10, description="A line id, or 'none' for unmapped expenditures")


def _call(func: Any, **kwargs: Any) -> Any:
    try:
        return func(**kwargs)
    except ValidationError as exc:
        raise ApplicationError("invalid input", validation_errors_from_django(exc), 422)


def _contract_out(contract: Any) -> dict[str, Any]:
    return {
        "id": contract.pk,
        "code": contract.code,
        "name": contract.name,
        "buyer": contract.buyer.bureau_name or contract.buyer.name,
        "provider": contract.provider.name,
        "counties": [c.name for c in contract.counties.all()],
        "start_on": contract.start_on,
        "end_on": contract.end_on,
        "signed_on": contract.signed_on,
        "years": contract.years(),
    }


def _expenditure_out(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "spent_on": e.spent_on,
        "amount": e.amount,
        "line_id": e.line_id,
        "line": e.line.name if e.line_id else None,
        "description": e.description,
        "payee": e.payee,
        "voucher_no": e.voucher_no,
        "vouchers": getattr(e, "vouchers_n", None) if hasattr(e, "vouchers_n") else e.vouchers.count(),
    }


@router.get(
    "/contracts",
    response={200: list[ContractOut], 401: ErrorOut, 403: ErrorOut},
    summary="Contracts in the caller's area (code, name, period)",
    operation_id="contracts_list",
)
@api_access(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE)
def contracts_list(request):
    qs = selectors.contract_list(actor=request.user).prefetch_related("counties")
    return [_contract_out(c) for c in qs]


@router.get(
    "/contracts/{contract_id}/funds",
    response={200: dict, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Fund figures, budget lines and the earmarking (专款专用) checks",
    operation_id="contracts_funds",
)
@api_access(roles=CONTRACT_ROLES, domain=Domain.FINANCE, obj=("contract_id", "contracts.Contract"))
def contracts_funds(request, contract_id: int):
    contract = selectors.contract_get(actor=request.user, pk=contract_id, domain=Domain.FINANCE)
    return {"contract": contract.code, **selectors.funds_summary(contract).as_dict()}


@router.get(
    "/contracts/{contract_id}/payments",
    response={200: list[PaymentOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Payments received (资金到位)",
    operation_id="contracts_payments",
)
@api_access(roles=CONTRACT_ROLES, domain=Domain.FINANCE, obj=("contract_id", "contracts.Contract"))
def contracts_payments(request, contract_id: int):
    contract = selectors.contract_get(actor=request.user, pk=contract_id, domain=Domain.FINANCE)
    return list(selectors.payment_list(actor=request.user, contract=contract))


@router.post(
    "/contracts/{contract_id}/payments",
    response={201: PaymentOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record a payment received",
    operation_id="contracts_payment_create",
)
@api_access(
    roles=CONTRACT_ROLES, domain=Domain.FINANCE, action=CHANGE, obj=("contract_id", "contracts.Contract")
)
def contracts_payment_create(request, contract_id: int, payload: PaymentIn):
    contract = selectors.contract_get(
        actor=request.user, pk=contract_id, action=CHANGE, domain=Domain.FINANCE
    )
    payment = _call(services.payment_record, actor=request.user, contract=contract, **payload.dict())
    return Status(201, payment)


@router.get(
    "/contracts/{contract_id}/expenditures",
    response={200: ExpenditurePage, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Expenditures, newest first",
    operation_id="contracts_expenditures",
)
@api_access(roles=CONTRACT_ROLES, domain=Domain.FINANCE, obj=("contract_id", "contracts.Contract"))
def contracts_expenditures(request, contract_id: int, query: Query[PageQuery]):
    contract = selectors.contract_get(actor=request.user, pk=contract_id, domain=Domain.FINANCE)
    qs = selectors.expenditure_list(actor=request.user, contract=contract, filters={"line": query.line})
    items = [_expenditure_out(e) for e in qs[query.offset : query.offset + query.limit]]
    return {"count": qs.count(), "limit": query.limit, "offset": query.offset, "items": items}


@router.post(
    "/contracts/{contract_id}/expenditures",
    response={201: ExpenditureOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record an expenditure (vouchers are uploaded on the staff page)",
    operation_id="contracts_expenditure_create",
)
@api_access(
    roles=CONTRACT_ROLES, domain=Domain.FINANCE, action=CHANGE, obj=("contract_id", "contracts.Contract")
)
def contracts_expenditure_create(request, contract_id: int, payload: ExpenditureIn):
    contract = selectors.contract_get(
        actor=request.user, pk=contract_id, action=CHANGE, domain=Domain.FINANCE
    )
    data = payload.dict()
    line_id = data.pop("line_id")
    line = None
    if line_id is not None:
        line = FundLine.objects.filter(pk=line_id, contract=contract).first()
        if line is None:
            raise ApplicationError(
                "invalid input", [{"field": "line_id", "message": "no such line in this contract"}], 422
            )
    expenditure = _call(services.expenditure_record, actor=request.user, contract=contract, line=line, **data)
    return Status(201, _expenditure_out(expenditure))
