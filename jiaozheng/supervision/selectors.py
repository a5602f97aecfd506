"""Reads for supervision procedures, always from the caller's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiaozheng.core.scoping import scoped
from jiaozheng.supervision.choices import InvestigationStatus, TravelStatus
from jiaozheng.supervision.models import Investigation, Release, ReportFollowUp, TravelRequest


def investigation_list(*, actor: Any, status: str = "", late: bool = False) -> QuerySet[Investigation]:
    qs = scoped(Investigation, actor).select_related("county", "assignee")
    if status and status in InvestigationStatus.values:
        qs = qs.filter(status=status)
    if late:
        qs = qs.filter(late_q())
    return qs.order_by("due_on", "id")


def late_q(today=None) -> Q:
    """Commissions past their due date: open ones after it, answered ones answered after it."""
    from django.db.models import F

    today = today or timezone.localdate()
    return Q(answered_on__isnull=True, due_on__lt=today) | Q(answered_on__gt=F("due_on"))


def travel_list(*, actor: Any, status: str = "", person_id: int | None = None) -> QuerySet[TravelRequest]:
    qs = scoped(TravelRequest, actor).select_related("person", "person__squadron", "decided_by")
    if status and status in TravelStatus.values:
        qs = qs.filter(status=status)
    if person_id:
        qs = qs.filter(person_id=person_id)
    return qs.order_by("-start_on", "-id")


def release_due_list(*, actor: Any, within_days: int | None = None) -> QuerySet[Any]:
    """Persons in correction whose term ends within ``within_days`` (rule supervision.release_notice_days)
    or has already ended: one query whatever the number of persons."""
    import datetime as dt

    from jiaozheng.core.rules import rule
    from jiaozheng.people.choices import Status
    from jiaozheng.people.models import Person

    days = within_days if within_days is not None else rule("supervision.release_notice_days")
    until = timezone.localdate() + dt.timedelta(days=days)
    return (
        scoped(Person, actor)
        .filter(status=Status.IN_CORRECTION, term_end__lte=until)
        .select_related("squadron", "county")
        .order_by("term_end", "id")
    )


def release_list(*, actor: Any) -> QuerySet[Release]:
    return scoped(Release, actor).select_related("person", "county").order_by("-released_on", "-id")


def followup_list(*, actor: Any, open_only: bool = True) -> QuerySet[ReportFollowUp]:
    qs = scoped(ReportFollowUp, actor).select_related("person", "person__squadron")
    if open_only:
        qs = qs.filter(closed_on__isnull=True)
    return qs.order_by("deadline", "id")


def sanction_list(*, actor: Any, open_only: bool = False, person_id: int | None = None) -> QuerySet[Any]:
    from jiaozheng.supervision.choices import SanctionStatus
    from jiaozheng.supervision.models import SanctionCase

    qs = scoped(SanctionCase, actor).select_related("person", "person__squadron", "decided_by")
    if open_only:
        qs = qs.filter(status__in=(SanctionStatus.PROPOSED, SanctionStatus.SUBMITTED))
    if person_id:
        qs = qs.filter(person_id=person_id)
    return qs.order_by("-proposed_on", "-id")


def permit_list(*, actor: Any, open_only: bool = False) -> QuerySet[Any]:
    from jiaozheng.supervision.choices import PermitStatus
    from jiaozheng.supervision.models import PermitRequest

    qs = scoped(PermitRequest, actor).select_related("person", "person__squadron", "decided_by")
    if open_only:
        qs = qs.filter(status=PermitStatus.REQUESTED)
    return qs.order_by("-requested_on", "-id")


OPEN_RELOCATION = ("requested", "consulted", "replied", "approved")


def relocation_list(*, actor: Any, open_only: bool = False) -> QuerySet[Any]:
    from jiaozheng.supervision.models import Relocation

    qs = scoped(Relocation, actor).select_related("person", "person__squadron", "decided_by")
    if open_only:
        qs = qs.filter(status__in=OPEN_RELOCATION)
    return qs.order_by("-requested_on", "-id")


def reexam_due_list(*, actor: Any, within_days: int | None = None) -> list[Any]:
    """暂予监外执行 persons in correction whose next medical re-examination (the interval after the latest
    one, or after intake) falls within ``within_days`` or is overdue: one query at any size. Each person
    carries ``reexam_due_on`` and ``last_reexam_on``."""
    import datetime as dt

    from django.db.models import Max
    from django.db.models.functions import Coalesce

    from jiaozheng.core.rules import rule
    from jiaozheng.people.choices import CorrectionType, Status
    from jiaozheng.people.models import Person, add_months

    today = timezone.localdate()
    days = within_days if within_days is not None else rule("supervision.reexam_notice_days")
    until = today + dt.timedelta(days=days)
    # add_months clamps month ends, so the SQL cut-off keeps a few days of slack; the exact test is below.
    cutoff = add_months(until, -rule("supervision.reexam_interval_months")) + dt.timedelta(days=3)
    rows = (
        scoped(Person, actor)
        .filter(status=Status.IN_CORRECTION, correction_type=CorrectionType.TEMPORARY_OUTSIDE)
        .annotate(last_reexam_on=Max("reexaminations__examined_on"))
        .annotate(reexam_base=Coalesce("last_reexam_on", "intake_on", "term_start"))
        .filter(reexam_base__lte=cutoff)
        .select_related("squadron", "county")
        .order_by("reexam_base", "id")
    )
    out: list[Any] = []
    for p in rows:
        due = add_months(p.reexam_base, rule("supervision.reexam_interval_months", p.county_id))
        if due <= until:
            setattr(p, "reexam_due_on", due)  # noqa: B010  (an attribute the due list's template reads)
            out.append(p)
    return out


def late_steps(*, actor: Any, today=None) -> list[dict[str, Any]]:
    """Every procedure's open steps past their due date, as (kind, label, count, oldest due date, page):
    one aggregate query per procedure, whatever the size of the caseload. For the home pages."""
    from django.db.models import Count, Max, Min
    from django.db.models.functions import Coalesce
    from django.utils.translation import gettext as _

    from jiaozheng.core.rules import rule
    from jiaozheng.people.choices import CorrectionType, Status
    from jiaozheng.people.models import Person, add_months
    from jiaozheng.supervision.choices import PermitStatus, RelocationStatus, SanctionStatus
    from jiaozheng.supervision.models import PermitRequest, Relocation, SanctionCase

    today = today or timezone.localdate()

    def agg(qs, field):
        return qs.aggregate(n=Count("id"), oldest=Min(field))

    r = RelocationStatus
    relocation_due = (
        Q(status=r.REQUESTED, consult_due_on__lt=today)
        | Q(status=r.CONSULTED, reply_due_on__lt=today)
        | Q(status=r.APPROVED, files_sent_on__isnull=True, files_due_on__lt=today)
        | Q(status=r.APPROVED, arrived_on__isnull=True, arrival_due_on__lt=today)
    )
    reexam_cutoff = add_months(today, -rule("supervision.reexam_interval_months"))
    reexams = (
        scoped(Person, actor)
        .filter(status=Status.IN_CORRECTION, correction_type=CorrectionType.TEMPORARY_OUTSIDE)
        .annotate(base=Coalesce(Max("reexaminations__examined_on"), "intake_on", "term_start"))
        .filter(base__lt=reexam_cutoff)
    )
    reexam_n = reexams.count()
    rows = [
        (
            "investigations",
            _("Investigation opinions overdue"),
            agg(scoped(Investigation, actor).filter(answered_on__isnull=True, due_on__lt=today), "due_on"),
            "supervision:investigation_list",
        ),
        (
            "missed_reports",
            _("Persons who have not reported"),
            agg(scoped(ReportFollowUp, actor).filter(closed_on__isnull=True), "deadline"),
            "supervision:followup_list",
        ),
        (
            "travel",
            _("Trips not reported back"),
            agg(
                scoped(TravelRequest, actor).filter(status=TravelStatus.APPROVED, end_on__lt=today),
                "end_on",
            ),
            "supervision:travel_list",
        ),
        (
            "travel_requests",
            _("Trips starting without a decision"),
            agg(
                scoped(TravelRequest, actor).filter(status=TravelStatus.REQUESTED, start_on__lte=today),
                "start_on",
            ),
            "supervision:travel_list",
        ),
        (
            "sanctions",
            _("Assessment decisions or rulings overdue"),
            agg(
                scoped(SanctionCase, actor).filter(
                    Q(status=SanctionStatus.PROPOSED, decision_due_on__lt=today)
                    | Q(status=SanctionStatus.SUBMITTED, ruling_due_on__lt=today)
                ),
                "decision_due_on",
            ),
            "supervision:sanction_list",
        ),
        (
            "permits",
            _("Visitor or place requests overdue"),
            agg(
                scoped(PermitRequest, actor).filter(status=PermitStatus.REQUESTED, decision_due_on__lt=today),
                "decision_due_on",
            ),
            "supervision:approval_list",
        ),
        (
            "relocations",
            _("Change-of-residence steps overdue"),
            agg(scoped(Relocation, actor).filter(relocation_due), "requested_on"),
            "supervision:approval_list",
        ),
        (
            "releases",
            _("Terms ended without release"),
            agg(scoped(Person, actor).filter(status=Status.IN_CORRECTION, term_end__lt=today), "term_end"),
            "supervision:release_due",
        ),
        (
            "reexams",
            _("Medical re-examinations overdue"),
            {"n": reexam_n, "oldest": None},
            "supervision:reexam_due",
        ),
    ]
    return [
        {"kind": kind, "label": label, "count": data["n"], "oldest": data["oldest"], "url_name": url}
        for kind, label, data, url in rows
    ]
