"""Progress reminders: the suggestions reach the people who can act on them.

Twice a month (the 1st and the 16th, ``tasks.py``) every contract in service is evaluated; each squadron
asked to schedule more work is told so (its squadron officers and social workers: they do not open the
contract pages), and the county's bureau staff and the provider's supervisor get the list of indicators
behind plan. A reminder is sent once per recipient, contract and half-month.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation

from jiaozheng.contracts.models import Contract
from jiaozheng.core.models import Notification
from jiaozheng.core.notify import notify
from jiaozheng.core.roles import Role
from jiaozheng.indicators.evaluation import evaluate
from jiaozheng.indicators.progress import contract_progress
from jiaozheng.orgs.models import User


def _fresh(users: list[Any], kind: str) -> list[Any]:
    done = set(
        Notification.objects.filter(kind=kind, recipient__in=users).values_list("recipient_id", flat=True)
    )
    return [u for u in users if u.pk not in done]


def progress_notify(*, today: dt.date | None = None) -> int:
    """Send the reminders of every contract in service today; returns the number of messages."""
    today = today or timezone.localdate()
    half = "a" if today.day < 16 else "b"
    sent = 0
    with translation.override("zh-hans"):
        for contract in Contract.objects.filter(start_on__lte=today, end_on__gte=today).select_related(
            "provider"
        ):
            evaluation = evaluate(contract, today.year, as_of=today)
            progress = [p for p in contract_progress(evaluation) if p.level in ("warning", "danger")]
            if not progress:
                continue
            county_ids = list(contract.counties.values_list("pk", flat=True))
            kind = f"indicators.progress:{contract.pk}:{today:%Y-%m}{half}"
            link = reverse("indicators:dashboard", args=[contract.pk]) + f"?year={today.year}"
            by_squadron: dict[int, list[str]] = {}
            for p in progress:
                for suggestion in p.suggestions:
                    if suggestion.squadron is not None:
                        by_squadron.setdefault(suggestion.squadron.pk, []).append(suggestion.text)
            for squadron_id, lines in by_squadron.items():
                staff = list(
                    User.objects.filter(
                        is_active=True,
                        role__in=[Role.SQUADRON_OFFICER, Role.SOCIAL_WORKER],
                        assignments__unit_id=squadron_id,
                    ).distinct()
                )
                sent += len(
                    notify(
                        _fresh(staff, kind),
                        title=f"{contract.name}：本中队需补安排的工作",
                        body="\n".join(lines),
                        level=Notification.Level.WARNING,
                        kind=kind,
                    )
                )
            managers = list(
                User.objects.filter(is_active=True)
                .filter(
                    role__in=[Role.BUREAU_ADMIN, Role.BUREAU_OFFICER], assignments__unit_id__in=county_ids
                )
                .distinct()
            ) + list(User.objects.filter(is_active=True, role=Role.SUPERVISOR, provider=contract.provider))
            body = "\n".join(w for p in progress for w in p.warnings)
            sent += len(
                notify(
                    _fresh(managers, kind),
                    title=f"{contract.name}：{len(progress)}项指标落后或预计难以完成",
                    body=body,
                    link=link,
                    level=Notification.Level.WARNING,
                    kind=kind,
                )
            )
    return sent
