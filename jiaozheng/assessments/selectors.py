"""Reads of psychological data. Every selector starts from the actor's scope; reads of a person's
results are logged (``access_log("psych", ...)``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from jiaozheng.assessments.choices import AssessmentStatus, FlagStatus
from jiaozheng.assessments.models import Assessment, ExternalResult, LocalNorm, Report, RiskFlag
from jiaozheng.audit.services import access_log
from jiaozheng.core.params import date_param, id_param
from jiaozheng.core.roles import VIEW
from jiaozheng.core.scoping import get_scoped_or_404, scoped
from jiaozheng.people.models import Person


@dataclass
class AssessmentFilters:
    q: str = ""
    scale: str = ""
    status: str = ""
    validity: str = ""
    risk: str = ""
    screen: str = ""  # "positive" | "negative"
    squadron: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    urgent: bool = False

    @classmethod
    def from_mapping(cls, data: Any) -> AssessmentFilters:
        def as_date(key: str) -> dt.date | None:
            return date_param(data, key)

        return cls(
            q=(data.get("q") or "").strip()[:50],
            scale=(data.get("scale") or "")[:16],
            status=data.get("status") if data.get("status") is not None else AssessmentStatus.COMPLETED,
            validity=(data.get("validity") or "")[:12],
            risk=(data.get("risk") or "")[:8],
            screen=(data.get("screen") or "")[:8],
            squadron=id_param(data, "squadron"),
            date_from=as_date("date_from"),
            date_to=as_date("date_to"),
            urgent=str(data.get("urgent", "")).lower() in ("1", "true", "on"),
        )


def assessment_list(*, actor: Any, filters: AssessmentFilters | None = None) -> QuerySet[Assessment]:
    from jiaozheng.people.selectors import search_q

    filters = filters or AssessmentFilters()
    qs = (
        scoped(Assessment, actor)
        .select_related("person", "person__squadron")
        .defer("answers", "item_seconds", "result")
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.scale:
        qs = qs.filter(scale_code=filters.scale)
    if filters.validity:
        qs = qs.filter(validity=filters.validity)
    if filters.risk:
        qs = qs.filter(risk_level=filters.risk)
    if filters.screen == "positive":
        qs = qs.filter(screen_positive=True)
    elif filters.screen == "negative":
        qs = qs.filter(screen_positive=False)
    if filters.squadron:
        qs = qs.filter(person__squadron_id=filters.squadron)
    if filters.date_from:
        qs = qs.filter(
            Q(administered_on__gte=filters.date_from)
            | Q(administered_on__isnull=True, assigned_at__date__gte=filters.date_from)
        )
    if filters.date_to:
        qs = qs.filter(
            Q(administered_on__lte=filters.date_to)
            | Q(administered_on__isnull=True, assigned_at__date__lte=filters.date_to)
        )
    if filters.urgent:
        qs = qs.filter(urgent=True)
    if filters.q:
        persons = Person.objects.filter(search_q(filters.q)).values("pk")
        qs = qs.filter(person_id__in=persons)
    return qs.order_by("-administered_on", "-assigned_at", "-id")


def assessment_get(*, actor: Any, pk: Any, action: str = VIEW, log: bool = True) -> Assessment:
    """One assessment with its result; the read is logged."""
    assessment = get_scoped_or_404(
        Assessment.objects.select_related(
            "person", "person__squadron", "person__county", "entered_by", "assigned_by"
        ),
        actor,
        action,
        pk=pk,
    )
    if log:
        access_log(
            "psych", person=assessment.person, obj=assessment, detail=f"assessment {assessment.scale_code}"
        )
    return assessment


def person_file(*, actor: Any, person_pk: Any) -> dict[str, Any]:
    """心理健康档案: the person's assessments over time, external results, flags and reports (logged)."""
    person: Person = get_scoped_or_404(
        Person.objects.select_related("squadron", "county"), actor, pk=person_pk
    )
    assessments = list(
        scoped(Assessment, actor)
        .filter(person=person)
        .exclude(status=AssessmentStatus.CANCELLED)
        .order_by("administered_on", "assigned_at", "id")
    )
    access_log("psych", person=person, obj=person, detail="mental-health file")
    return {
        "person": person,
        "assessments": assessments,
        "external": list(scoped(ExternalResult, actor).filter(person=person).prefetch_related("scores")),
        "flags": list(scoped(RiskFlag, actor).filter(person=person).select_related("assessment")),
        "reports": list(scoped(Report, actor).filter(assessment__person=person).select_related("assessment")),
    }


def trend_series(assessments: list[Assessment]) -> dict[str, list[dict[str, Any]]]:
    """Primary score over time per scale (completed assessments only), for the file's trend chart."""
    series: dict[str, list[dict[str, Any]]] = {}
    for a in assessments:
        if a.status != AssessmentStatus.COMPLETED or a.primary_score is None or a.administered_on is None:
            continue
        series.setdefault(a.scale_code, []).append(
            {
                "date": a.administered_on.isoformat(),
                "value": a.primary_score,
                "validity": a.validity,
                "id": a.pk,
            }
        )
    return series


def flag_list(*, actor: Any, status: str = FlagStatus.OPEN) -> QuerySet[RiskFlag]:
    qs = scoped(RiskFlag, actor).select_related("person", "person__squadron", "assessment", "handled_by")
    if status and status != "all":
        qs = qs.filter(status=status)
    return qs.order_by("-raised_at", "-id")


def my_assessments(*, actor: Any) -> dict[str, list[Assessment]]:
    """The supervised person's own assessments: to answer, and completed ones."""
    qs = scoped(Assessment, actor).exclude(status=AssessmentStatus.CANCELLED)
    return {
        "open": list(
            qs.filter(status__in=[AssessmentStatus.ASSIGNED, AssessmentStatus.IN_PROGRESS]).order_by(
                "due_on", "id"
            )
        ),
        "done": list(qs.filter(status=AssessmentStatus.COMPLETED).order_by("-administered_on", "-id")),
    }


def report_get(*, actor: Any, pk: Any) -> Report:
    report = get_scoped_or_404(
        Report.objects.select_related(
            "assessment", "assessment__person", "assessment__person__county", "assessment__person__squadron"
        ),
        actor,
        pk=pk,
    )
    access_log("psych", person=report.assessment.person, obj=report, detail=f"report {report.number}")
    return report


def local_norms(*, actor: Any) -> QuerySet[LocalNorm]:
    return scoped(LocalNorm, actor).select_related("county", "built_by")
