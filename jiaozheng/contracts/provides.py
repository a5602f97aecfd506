"""What contracts offers the service apps through ``jiaozheng.core.registry.provider``: which contract
covers a county on a day (an app installation counts for that contract, without a foreign key), and the
contracts in an actor's scope (visits sets a contract's visit quotas)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from jiaozheng.contracts.models import Contract
from jiaozheng.core.registry import provide
from jiaozheng.core.roles import VIEW, Domain
from jiaozheng.core.scoping import get_scoped_or_404, scoped


def covering(county_id: int, day: dt.date) -> Contract | None:
    """The purchased-service contract covering a county on a day (the latest to start), if any."""
    return (
        Contract.objects.filter(counties__pk=county_id, start_on__lte=day, end_on__gte=day)
        .order_by("-start_on")
        .first()
    )


def visible(*, actor: Any, domain: str = Domain.PERFORMANCE) -> QuerySet[Contract]:
    """The contracts the actor sees in ``domain`` (visits lists them to set their quotas)."""
    return scoped(Contract, actor, domain=domain)


def get(*, actor: Any, pk: Any, action: str = VIEW, domain: str = Domain.PERFORMANCE) -> Contract:
    """One contract in the actor's scope (404 otherwise)."""
    return get_scoped_or_404(Contract, actor, action, domain=domain, pk=pk)


provide("contracts.covering", covering)
provide("contracts.visible", visible)
provide("contracts.get", get)
