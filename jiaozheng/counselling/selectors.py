"""Reads for counselling. Every selector starts from the actor's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jiaozheng.core.scoping import scoped
from jiaozheng.counselling.choices import ReferralStatus
from jiaozheng.counselling.models import Referral


def referral_list(*, actor: Any, status: str = "") -> QuerySet[Referral]:
    qs = scoped(Referral, actor).select_related("person", "person__squadron", "opened_by")
    if status in ReferralStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-opened_at", "-id")
