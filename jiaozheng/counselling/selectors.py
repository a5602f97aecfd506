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


def case_list(*, actor: Any, status: str = "", q: str = "") -> QuerySet:
    from jiaozheng.counselling.models import CounsellingCase
    from jiaozheng.people.models import Person
    from jiaozheng.people.selectors import search_q

    qs = scoped(CounsellingCase, actor).select_related("person", "person__squadron", "counsellor")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(person_id__in=Person.objects.filter(search_q(q)).values("pk"))
    return qs.order_by("-opened_on", "-id")


def group_list(*, actor: Any, status: str = "") -> QuerySet:
    from django.db.models import Count, Q

    from jiaozheng.counselling.models import CounsellingGroup

    qs = scoped(CounsellingGroup, actor).select_related("county", "facilitator")
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        n_members=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
        n_held=Count("sessions", filter=Q(sessions__status="held"), distinct=True),
    ).order_by("-created_at", "-id")


def group_candidates(
    *, actor: Any, county: Any, scale_code: str = "scl90", months: int = 12
) -> dict[str, Any]:
    """Persons eligible for group counselling and those routed to individual counselling.

    Eligible: in correction in the county and the actor's scope, whose latest completed valid or
    questionable assessment of ``scale_code`` within ``months`` calls for intervention (the scale's
    ``intervention`` rule, e.g. SCL-90 screen positive), not routed to individual work (urgent flag or a
    very high psychoticism score) and not already in an active group.
    """
    from django.utils import timezone

    from jiaozheng.assessments.choices import AssessmentStatus, Validity
    from jiaozheng.assessments.models import Assessment
    from jiaozheng.counselling.grouping import Candidate
    from jiaozheng.counselling.models import GroupMember
    from jiaozheng.people.choices import EDUCATION_RANK, OFFENCE_GROUP, OffenceGroup, Status
    from jiaozheng.people.models import Person, add_months

    today = timezone.localdate()
    since = add_months(today, -months)
    persons = {p.pk: p for p in scoped(Person, actor).filter(status=Status.IN_CORRECTION, county=county)}
    in_groups = set(
        GroupMember.objects.filter(
            person_id__in=persons, left_on__isnull=True, group__status="active"
        ).values_list("person_id", flat=True)
    )
    latest: dict[int, Any] = {}
    for a in (
        Assessment.objects.filter(
            person_id__in=persons,
            scale_code=scale_code,
            status=AssessmentStatus.COMPLETED,
            administered_on__gte=since,
        )
        .order_by("person_id", "-administered_on", "-id")
        .only("id", "person_id", "validity", "result", "primary_score", "administered_on")
    ):
        latest.setdefault(a.person_id, a)
    candidates, individual, skipped = [], [], []
    for person_id, a in latest.items():
        person = persons[person_id]
        if a.validity not in (Validity.VALID, Validity.QUESTIONABLE) or not a.result.get("intervention"):
            continue
        if person_id in in_groups:
            skipped.append(person_id)
            continue
        if a.result.get("individual_route"):
            individual.append({"person_id": person_id, "name": person.name, "assessment_id": a.pk})
            continue
        factors = tuple(
            name
            for name, band in (a.result.get("subscale_bands") or {}).items()
            if band and band.get("level", 0) >= 1
        )
        group = OFFENCE_GROUP.get(person.offence_category, OffenceGroup.OTHER)  # type: ignore[call-overload]
        candidates.append(
            Candidate(
                person_id=person_id,
                name=person.name,
                gender=person.gender,
                offence_group=str(group),
                level=float(a.primary_score or 0),
                age=person.age_on(today),
                education=EDUCATION_RANK.get(person.education, 0),
                juvenile=person.is_juvenile,
                factors=factors,
                education_label=str(person.get_education_display()),
                offence_label=str(OffenceGroup(group).label),
            )
        )
    return {"candidates": candidates, "individual": individual, "in_groups": skipped}
