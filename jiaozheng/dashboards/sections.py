"""Home-page sections: each is a small read through a module's selectors, for one role's morning.

A section returns a context dict (or None to hide itself) and is rendered by
``dashboards/sections/<name>.html``. Every section reads aggregates or a fixed number of rows, so a
home page makes the same number of queries whether the caseload holds 50 or 5,000 persons (tested).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from jiaozheng.core.roles import Domain, role_allows
from jiaozheng.core.scoping import scope_for

LIST_SIZE = 6


@dataclass(frozen=True)
class Section:
    name: str
    domain: str
    build: Callable[[Any], dict[str, Any] | None]


def _allowed(actor: Any, domain: str) -> bool:
    scope = scope_for(actor)
    return scope.unrestricted or role_allows(scope.role, domain)


def caseload(actor: Any) -> dict[str, Any]:
    from jiaozheng.people.choices import CorrectionType, SupervisionClass
    from jiaozheng.people.selectors import caseload_counts

    counts = caseload_counts(actor=actor)
    return {
        "counts": counts,
        "class_chart": {
            "labels": [str(label) for _v, label in SupervisionClass.choices],
            "values": [counts["by_class"].get(v, 0) for v in SupervisionClass.values],
        },
        "type_chart": {
            "labels": [str(label) for _v, label in CorrectionType.choices],
            "values": [counts["by_type"].get(v, 0) for v in CorrectionType.values],
        },
    }


def alerts(actor: Any) -> dict[str, Any]:
    from jiaozheng.location.selectors import AlertFilters, alert_counts, alert_list

    rows = list(alert_list(actor=actor, filters=AlertFilters(status="open"))[:LIST_SIZE])
    return {"counts": alert_counts(actor=actor), "rows": rows}


def checkins(actor: Any) -> dict[str, Any]:
    from jiaozheng.checkins.selectors import checkin_counts_today

    return {"counts": checkin_counts_today(actor=actor)}


def visits(actor: Any) -> dict[str, Any]:
    from jiaozheng.visits.selectors import due_list, due_summary, open_task_counts

    scope = scope_for(actor)
    mine = scope.role == "social_worker"
    from jiaozheng.visits.choices import DueStatus, VisitType
    from jiaozheng.visits.selectors import hydrate_rows

    rows = due_list(actor=actor, mine=mine, hydrate=False)
    summary = due_summary(rows)
    shown = hydrate_rows(rows[:LIST_SIZE]) or rows[:LIST_SIZE]
    items = [
        {
            "person": row.person,
            "visit_type": VisitType(row.item.standard.visit_type).label,
            "due_by": row.item.due_by,
            # an overdue count belongs to the missed window, not to the current one
            "missed_from": row.item.missed.start if row.item.missed else None,
            "missed_to": row.item.missed.end if row.item.missed else None,
            "status": row.item.status,
            "status_label": DueStatus(row.item.status).label,
            "overdue_days": row.item.overdue_days,
        }
        for row in shown
    ]
    return {"summary": summary, "rows": items, "tasks": open_task_counts(actor=actor), "mine": mine}


def sessions(actor: Any) -> dict[str, Any]:
    from jiaozheng.community.selectors import activity_overview
    from jiaozheng.education.selectors import SessionFilters, session_list

    today = timezone.localdate()
    week_end = today + dt.timedelta(days=7)
    week = list(
        session_list(
            actor=actor, filters=SessionFilters(date_from=today, date_to=week_end, status="planned")
        )[:LIST_SIZE]
    )
    return {"week": week, "activities": activity_overview(actor=actor)}


def assessments(actor: Any) -> dict[str, Any]:
    from jiaozheng.assessments.selectors import AssessmentFilters, assessment_list, flag_list

    waiting = assessment_list(actor=actor, filters=AssessmentFilters(status="assigned"))
    return {
        "waiting": waiting.count(),
        "in_progress": assessment_list(actor=actor, filters=AssessmentFilters(status="in_progress")).count(),
        "flags": list(flag_list(actor=actor)[:LIST_SIZE]),
        "open_flags": flag_list(actor=actor).count(),
    }


def counselling(actor: Any) -> dict[str, Any]:
    from jiaozheng.counselling.selectors import case_list, group_list, referral_list

    return {
        "cases": list(case_list(actor=actor, status="open")[:LIST_SIZE]),
        "open_cases": case_list(actor=actor, status="open").count(),
        "referrals": referral_list(actor=actor, status="open").count(),
        "groups": list(group_list(actor=actor)[:LIST_SIZE]),
    }


def procedures(actor: Any) -> dict[str, Any] | None:
    """Supervision steps past their due date (the roles that act on them); hidden when none is late."""
    from jiaozheng.supervision.selectors import late_steps

    rows = [row for row in late_steps(actor=actor) if row["count"]]
    return {"rows": rows} if rows else None


_EVALUATIONS: dict[tuple[int, int, dt.date], tuple[float, Any]] = {}
_EVALUATIONS_LOCK = threading.Lock()
EVALUATION_SECONDS = 300


def _cached_evaluation(contract: Any, year: int) -> Any:
    """An evaluation of a contract-year, kept five minutes in this process: its figures aggregate many
    records, and every officer of the county opens the home page in the morning."""
    from jiaozheng.indicators.evaluation import evaluate
    from jiaozheng.indicators.progress import contract_progress

    key = (contract.pk, year, timezone.localdate())
    now = time.monotonic()
    cached = _EVALUATIONS.get(key)
    if cached is not None and now - cached[0] < EVALUATION_SECONDS:
        return cached[1]
    evaluation = evaluate(contract, year)
    value = {"evaluation": evaluation, "progress": contract_progress(evaluation, with_squadrons=False)}
    with _EVALUATIONS_LOCK:
        if len(_EVALUATIONS) > 200:
            _EVALUATIONS.clear()
        _EVALUATIONS[key] = (now, value)
    return value


def progress(actor: Any) -> dict[str, Any] | None:
    from jiaozheng.contracts.selectors import contract_list

    year = timezone.localdate().year
    contracts = [c for c in contract_list(actor=actor) if c.start_on.year <= year <= c.end_on.year][:4]
    if not contracts:
        return None
    blocks = []
    for contract in contracts:
        data = _cached_evaluation(contract, year)
        blocks.append({"contract": contract, "evaluation": data["evaluation"], "progress": data["progress"]})
    return {"blocks": blocks, "year": year}


def funds(actor: Any) -> dict[str, Any] | None:
    from jiaozheng.contracts.selectors import contract_list, funds_summary

    rows = []
    for contract in list(contract_list(actor=actor, domain=Domain.FINANCE)[:8]):
        rows.append({"contract": contract, "funds": funds_summary(contract)})
    return {"rows": rows} if rows else None


SECTIONS = {
    "caseload": Section("caseload", Domain.CASELOAD, caseload),
    "procedures": Section("procedures", Domain.CASELOAD, procedures),
    "alerts": Section("alerts", Domain.LOCATION, alerts),
    "checkins": Section("checkins", Domain.LOCATION, checkins),
    "visits": Section("visits", Domain.SERVICES, visits),
    "sessions": Section("sessions", Domain.SERVICES, sessions),
    "assessments": Section("assessments", Domain.PSYCH, assessments),
    "counselling": Section("counselling", Domain.PSYCH, counselling),
    "progress": Section("progress", Domain.PERFORMANCE, progress),
    "funds": Section("funds", Domain.FINANCE, funds),
}

# What each role sees first in the morning, in order.
LAYOUT = {
    "bureau_admin": [
        "procedures",
        "caseload",
        "alerts",
        "visits",
        "progress",
        "checkins",
        "sessions",
        "assessments",
    ],
    "bureau_officer": [
        "procedures",
        "caseload",
        "alerts",
        "visits",
        "progress",
        "checkins",
        "sessions",
        "assessments",
    ],
    "squadron_officer": ["procedures", "caseload", "alerts", "visits", "checkins", "sessions", "assessments"],
    "social_worker": ["visits", "sessions", "assessments", "alerts", "checkins", "caseload"],
    "counsellor": ["assessments", "counselling", "caseload"],
    "supervisor": ["progress", "funds", "caseload"],
    "auditor": ["funds", "progress"],
}


def build(actor: Any) -> list[tuple[str, dict[str, Any]]]:
    scope = scope_for(actor)
    names = LAYOUT.get(scope.role or "", ["caseload"]) if not scope.unrestricted else LAYOUT["bureau_admin"]
    out = []
    for name in names:
        section = SECTIONS[name]
        if not _allowed(actor, section.domain):
            continue
        data = section.build(actor)
        if data is not None:
            out.append((name, data))
    return out
