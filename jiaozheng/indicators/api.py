"""/api/v1: live KPI JSON and progress of a contract-year, and the registered measures.

No ``from __future__ import annotations`` here: django-ninja reads the annotations at import time.
"""

from typing import Any

from ninja import Field, Query, Schema

from jiaozheng.contracts.access import CONTRACT_ROLES
from jiaozheng.contracts.selectors import contract_get
from jiaozheng.core.access import api_access
from jiaozheng.core.apiauth import Router
from jiaozheng.core.errors import ApplicationError
from jiaozheng.core.measures import all_measures
from jiaozheng.core.roles import Domain
from jiaozheng.indicators.evaluation import YearOutsideContract, default_year, evaluate
from jiaozheng.indicators.progress import contract_progress

router = Router(tags=["performance"])


class ErrorOut(Schema):
    message: str
    errors: list[dict[str, Any]] = []


class YearQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="Contract-year; default: the current one")


class MeasureOut(Schema):
    code: str
    label: str
    unit: str
    kind: str
    description: str
    drill_down: bool


def _evaluation(request: Any, contract_id: int, year: int | None) -> Any:
    contract = contract_get(actor=request.user, pk=contract_id, domain=Domain.PERFORMANCE)
    year = year or default_year(contract)
    try:
        return evaluate(contract, year)
    except YearOutsideContract:
        raise ApplicationError(
            "invalid input",
            [{"field": "year", "message": "the contract's period does not cover this year"}],
            422,
        )


@router.get(
    "/contracts/{contract_id}/kpi",
    response={200: dict, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="KPI JSON: every indicator (target, actual, rate, score), the total and grade, fund lines and totals",
    operation_id="indicators_kpi",
)
@api_access(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE, obj=("contract_id", "contracts.Contract"))
def indicators_kpi(request, contract_id: int, query: Query[YearQuery]):
    return _evaluation(request, contract_id, query.year).as_dict()


@router.get(
    "/contracts/{contract_id}/progress",
    response={200: dict, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Month-by-month progress, forecast, warnings and suggestions per squadron",
    operation_id="indicators_progress",
)
@api_access(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE, obj=("contract_id", "contracts.Contract"))
def indicators_progress(request, contract_id: int, query: Query[YearQuery]):
    evaluation = _evaluation(request, contract_id, query.year)
    return {
        "contract": evaluation.contract.code,
        "year": evaluation.year,
        "as_of": evaluation.as_of.isoformat(),
        "indicators": [p.as_dict() for p in contract_progress(evaluation)],
    }


@router.get(
    "/measures",
    response={200: list[MeasureOut], 401: ErrorOut, 403: ErrorOut},
    summary="Measures registered by the installed modules (codes indicators bind to)",
    operation_id="indicators_measures",
)
@api_access(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE)
def indicators_measures(request):
    return [
        {
            "code": m.code,
            "label": str(m.label),
            "unit": str(m.unit),
            "kind": m.kind,
            "description": str(m.description),
            "drill_down": m.records is not None,
        }
        for m in all_measures().values()
    ]
