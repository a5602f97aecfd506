"""Reads of the monthly hand-over and of evidence packs (scoped to the actor)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from jiaozheng.contracts.models import Contract
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import get_scoped_or_404, scoped
from jiaozheng.evidence.models import EvidencePack, MonthlySubmission


def contract_get(*, actor: Any, pk: int) -> Contract:
    return get_scoped_or_404(
        Contract.objects.select_related("buyer", "provider"), actor, domain=Domain.PERFORMANCE, pk=pk
    )


def submissions(*, actor: Any, contract: Contract) -> QuerySet[MonthlySubmission]:
    return (
        scoped(MonthlySubmission, actor)
        .filter(contract=contract)
        .select_related("submitted_by", "reviewed_by")
        .order_by("-month", "-version")
    )


def months_of(contract: Contract, today: dt.date) -> list[dt.date]:
    """The months of the contract's service period that have begun, newest first."""
    months = []
    first = contract.start_on.replace(day=1)
    last = min(contract.end_on, today)
    while first <= last:
        months.append(first)
        first = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months[::-1]


def packs(*, actor: Any, contract: Contract) -> QuerySet[EvidencePack]:
    return scoped(EvidencePack, actor).filter(contract=contract).order_by("-created_at")
