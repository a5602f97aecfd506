"""Writes for supervision procedures.

Every service takes the acting user, checks the role (``require``: decisions are the bureau's, i.e. the
CASELOAD change right, which social workers do not hold) and the row (``get_scoped_or_404``), validates,
and writes in one transaction; a ValidationError changes nothing. Saves are audited by AuditedModel.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.core.roles import Domain, Role
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, require, scope_for
from jiaozheng.people.choices import Status
from jiaozheng.people.models import Person, add_months
from jiaozheng.supervision.choices import (
    ApprovalLevel,
    Commissioner,
    Conclusion,
    InvestigationStatus,
    TravelStatus,
)
from jiaozheng.supervision.models import Investigation, Release, ReportFollowUp, TravelRequest
from jiaozheng.supervision.workdays import deadline


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _text(value: Any, field: str, label: str, *, required: bool = True, max_length: int = 5000) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: _("%(label)s is required.") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError(
            {field: _("%(label)s is longer than %(n)s characters.") % {"label": label, "n": max_length}}
        )
    return text


def _actor_county(actor: Any, county: Any = None) -> Any:
    from jiaozheng.orgs.models import OrgUnit

    scope = scope_for(actor)
    if county is not None:
        pk = getattr(county, "pk", county)
        if not scope.unrestricted and pk not in scope.all_county_ids:
            raise ValidationError({"county": _("Choose a county you work for.")})
        return OrgUnit.objects.get(pk=pk, kind=OrgUnit.Kind.COUNTY)
    ids = scope.all_county_ids
    if len(ids) != 1:
        raise ValidationError({"county": _("Choose the county.")})
    return OrgUnit.objects.get(pk=next(iter(ids)))


def investigation_due_on(county: Any, commissioned_on: dt.date, summary: bool) -> dt.date:
    if summary:
        days = rule("supervision.investigation_summary_working_days", county)
        return deadline("investigation_summary", commissioned_on, days, county)
    return deadline(
        "investigation", commissioned_on, rule("supervision.investigation_working_days", county), county
    )


def _open(inv: Investigation) -> None:
    if inv.status == InvestigationStatus.ANSWERED:
        raise ValidationError(_("This commission is closed: its opinion has already been sent."))


@transaction.atomic
def investigation_register(
    *,
    actor: Any,
    commissioner: str,
    commissioner_name: str,
    defendant_name: str,
    commissioned_on: dt.date | None,
    summary_procedure: bool = False,
    reference: str = "",
    county: Any = None,
    squadron: Any = None,
) -> Investigation:
    require(actor, Domain.CASELOAD)
    if commissioner not in Commissioner.values:
        raise ValidationError({"commissioner": _("Choose who commissioned the investigation.")})
    name = _text(commissioner_name, "commissioner_name", _("Commissioning authority"), max_length=120)
    defendant = _text(defendant_name, "defendant_name", _("Defendant"), max_length=64)
    ref = _text(reference, "reference", _("Commission number"), required=False, max_length=64)
    if commissioned_on is None:
        raise ValidationError({"commissioned_on": _("Give the date of the commission.")})
    if commissioned_on > timezone.localdate():
        raise ValidationError({"commissioned_on": _("The commission date cannot be in the future.")})
    unit = _actor_county(actor, county)
    office = None
    if squadron not in (None, ""):
        from jiaozheng.orgs.models import OrgUnit

        office = OrgUnit.objects.filter(
            pk=getattr(squadron, "pk", squadron), kind=OrgUnit.Kind.SQUADRON, parent=unit
        ).first()
        if office is None:
            raise ValidationError({"squadron": _("Choose a squadron of this county.")})
    due = investigation_due_on(unit, commissioned_on, bool(summary_procedure))
    return Investigation.objects.create(
        county=unit,
        squadron=office,
        commissioner=commissioner,
        commissioner_name=name,
        reference=ref,
        defendant_name=defendant,
        summary_procedure=bool(summary_procedure),
        commissioned_on=commissioned_on,
        due_on=due,
        registered_by=_user(actor),
    )


@transaction.atomic
def investigation_assign(*, actor: Any, investigation: Investigation | int, assignee: Any) -> Investigation:
    require(actor, Domain.CASELOAD)
    inv = get_scoped_or_404(
        Investigation.objects.select_for_update(), actor, pk=getattr(investigation, "pk", investigation)
    )
    _open(inv)
    from jiaozheng.orgs.models import User

    staff = User.objects.filter(pk=getattr(assignee, "pk", assignee), is_active=True).first()
    if (
        staff is None
        or not scope_for(staff).unrestricted
        and inv.county_id not in scope_for(staff).all_county_ids
    ):
        raise ValidationError({"assignee": _("Choose a staff member of this county.")})
    inv.assignee = staff
    inv.status = InvestigationStatus.INVESTIGATING
    inv.save(update_fields=["assignee", "status"])
    return inv


@transaction.atomic
def investigation_answer(
    *,
    actor: Any,
    investigation: Investigation | int,
    findings: str,
    conclusion: str,
    opinion: str,
    answered_on: dt.date | None = None,
    copy_procuratorate: bool = True,
) -> Investigation:
    """Send the 调查评估意见书; the copy to the procuratorate is recorded the same day."""
    require(actor, Domain.CASELOAD)
    inv = get_scoped_or_404(
        Investigation.objects.select_for_update(), actor, pk=getattr(investigation, "pk", investigation)
    )
    _open(inv)
    if inv.status != InvestigationStatus.INVESTIGATING:
        raise ValidationError(_("Assign an investigator before sending the opinion."))
    if conclusion not in Conclusion.values:
        raise ValidationError({"conclusion": _("Choose the conclusion of the opinion.")})
    found = _text(findings, "findings", _("Findings"))
    text = _text(opinion, "opinion", _("Opinion"))
    day = answered_on or timezone.localdate()
    if day < inv.commissioned_on:
        raise ValidationError({"answered_on": _("The opinion cannot be dated before the commission.")})
    if day > timezone.localdate():
        raise ValidationError({"answered_on": _("The opinion cannot be dated in the future.")})
    inv.findings, inv.conclusion, inv.opinion = found, conclusion, text
    inv.answered_on = day
    inv.procuratorate_copied_on = day if copy_procuratorate else None
    inv.status = InvestigationStatus.ANSWERED
    inv.save(
        update_fields=[
            "findings",
            "conclusion",
            "opinion",
            "answered_on",
            "procuratorate_copied_on",
            "status",
        ]
    )
    return inv


# --- 外出 (travel) -----------------------------------------------------------------------------------------

LIVE_TRAVEL = (TravelStatus.REQUESTED, TravelStatus.APPROVED)
COUNTY_ROLES = (Role.BUREAU_ADMIN, Role.BUREAU_OFFICER)


def travel_level(person: Person, start_on: dt.date, end_on: dt.date, *, exclude: int | None = None) -> str:
    """The level that may approve this trip: by its length, the per-approval limit and the window total."""
    unit = person.county_id
    days = (end_on - start_on).days + 1
    since = add_months(start_on, -rule("supervision.travel_window_months", unit))
    earlier = (
        TravelRequest.objects.filter(
            person=person,
            status__in=(TravelStatus.APPROVED, TravelStatus.RETURNED),
            end_on__gt=since,
            start_on__lte=end_on,
        )
        .exclude(pk=exclude)
        .values_list("start_on", "end_on")
    )
    window_days = sum((min(e, end_on) - max(s, since)).days + 1 for s, e in earlier)
    if days > rule("supervision.travel_per_approval_max_days", unit) or window_days + days > rule(
        "supervision.travel_window_max_days", unit
    ):
        return ApprovalLevel.HIGHER
    if days > rule("supervision.travel_squadron_max_days", unit):
        return ApprovalLevel.COUNTY
    return ApprovalLevel.SQUADRON


@transaction.atomic
def travel_request(
    *,
    actor: Any,
    person: Person | int,
    destination: str,
    reason: str,
    start_on: dt.date | None,
    end_on: dt.date | None,
    destination_code: str = "",
) -> TravelRequest:
    require(actor, Domain.CASELOAD)
    p: Person = get_scoped_or_404(Person.objects.select_for_update(), actor, pk=getattr(person, "pk", person))
    if p.status != Status.IN_CORRECTION:
        raise ValidationError(_("Only a person in correction may apply to travel."))
    place = _text(destination, "destination", _("Destination"), max_length=120)
    why = _text(reason, "reason", _("Reason"))
    code = str(destination_code or "").strip()
    if code:
        from jiaozheng.core.geo import county_feature

        if not (len(code) == 6 and code.isdigit()) or county_feature(code) is None:
            raise ValidationError(
                {"destination_code": _("No county or district has the code %(code)s.") % {"code": code[:12]}}
            )
    if start_on is None or end_on is None:
        raise ValidationError({"start_on": _("Give the dates of the trip.")})
    if end_on < start_on:
        raise ValidationError({"end_on": _("The return date cannot be before the departure.")})
    if p.judgment_effective_on and start_on < p.judgment_effective_on:
        raise ValidationError({"start_on": _("The trip cannot start before the judgment took effect.")})
    if end_on > p.term_end:
        raise ValidationError({"end_on": _("The trip cannot end after the correction term.")})
    clash = TravelRequest.objects.filter(
        person=p, status__in=LIVE_TRAVEL, start_on__lte=end_on, end_on__gte=start_on
    ).first()
    if clash is not None:
        raise ValidationError(
            _("This trip overlaps another trip from %(start)s to %(end)s.")
            % {"start": clash.start_on, "end": clash.end_on}
        )
    return TravelRequest.objects.create(
        person=p,
        destination=place,
        destination_code=code,
        reason=why,
        start_on=start_on,
        end_on=end_on,
        level=travel_level(p, start_on, end_on),
        requested_by=_user(actor),
    )


def _open_travel(actor: Any, travel: TravelRequest | int) -> TravelRequest:
    require(actor, Domain.CASELOAD)
    req = get_scoped_or_404(
        TravelRequest.objects.select_for_update(), actor, pk=getattr(travel, "pk", travel)
    )
    if req.status != TravelStatus.REQUESTED:
        raise ValidationError(_("This request is closed: it has already been decided."))
    return req


@transaction.atomic
def travel_decide(*, actor: Any, travel: TravelRequest | int, approve: bool, note: str = "") -> TravelRequest:
    """Approve or refuse at the right level; the level is computed again at decision time."""
    req = _open_travel(actor, travel)
    text = _text(note, "note", _("Decision note"), required=not approve)
    if approve:
        level = travel_level(req.person, req.start_on, req.end_on, exclude=req.pk)
        scope = scope_for(actor)
        if level == ApprovalLevel.HIGHER:
            raise ValidationError(
                _(
                    "A trip of %(n)s days (or the travel within the period) exceeds what the county may approve; "
                    "it goes to the next level up."
                )
                % {"n": req.days}
            )
        if level == ApprovalLevel.COUNTY and not (scope.unrestricted or scope.role in COUNTY_ROLES):
            raise ValidationError(
                _("A trip of %(n)s days is approved by the county agency, not by the judicial office.")
                % {"n": req.days}
            )
        req.level = level
    req.status = TravelStatus.APPROVED if approve else TravelStatus.REFUSED
    req.decided_by = _user(actor)
    req.decided_at = timezone.now()
    req.decision_note = text
    if approve:
        # The approved trip becomes the permitted zone / absence window of the listening modules.
        from jiaozheng.core.trips import ApprovedTrip, trip_approved

        req.zone_refs = trip_approved(
            ApprovedTrip(
                person_id=req.person_id,
                destination=req.destination,
                destination_code=req.destination_code,
                start_on=req.start_on,
                end_on=req.end_on,
                reason=req.reason,
                source=f"supervision.TravelRequest:{req.pk}",
            ),
            actor,
        )
    req.save(update_fields=["level", "status", "decided_by", "decided_at", "decision_note", "zone_refs"])
    return req


@transaction.atomic
def travel_return(
    *, actor: Any, travel: TravelRequest | int, returned_on: dt.date | None, note: str = ""
) -> TravelRequest:
    """The return report (销假) of an approved trip."""
    require(actor, Domain.CASELOAD)
    req = get_scoped_or_404(
        TravelRequest.objects.select_for_update(), actor, pk=getattr(travel, "pk", travel)
    )
    if req.status != TravelStatus.APPROVED:
        raise ValidationError(_("Only an approved trip can be reported back."))
    if returned_on is None:
        raise ValidationError({"returned_on": _("Give the date of return.")})
    if returned_on < req.start_on:
        raise ValidationError({"returned_on": _("The return cannot be before the departure.")})
    if returned_on > timezone.localdate():
        raise ValidationError({"returned_on": _("This date is in the future.")})
    req.returned_on = returned_on
    req.return_note = _text(note, "note", _("Return report"), required=False)
    req.status = TravelStatus.RETURNED
    req.save(update_fields=["returned_on", "return_note", "status"])
    if req.zone_refs and returned_on < req.end_on:
        # Back before the end of the window: the permitted zone ends with the return.
        from jiaozheng.core.trips import trip_ended

        trip_ended(req.zone_refs, actor, _("Returned on %(d)s") % {"d": returned_on})
    return req


# --- 解矫 (release) ----------------------------------------------------------------------------------------


@transaction.atomic
def release_issue(
    *,
    actor: Any,
    person: Person | int,
    released_on: dt.date | None,
    appraisal: str = "",
    announced: bool = True,
) -> Release:
    """解矫: release through people (status, lifecycle event), then the numbered certificate and the
    notices to the court, procuratorate and police, dated the day of release."""
    from jiaozheng.people.services import person_release

    require(actor, Domain.CASELOAD)
    p: Person = get_scoped_or_404(Person.objects.select_for_update(), actor, pk=getattr(person, "pk", person))
    if released_on is None:
        raise ValidationError({"released_on": _("Give the date of release.")})
    if p.judgment_effective_on and released_on < p.judgment_effective_on:
        raise ValidationError(
            {"released_on": _("The release cannot be dated before the judgment took effect.")}
        )
    if released_on < p.term_end:
        raise ValidationError(
            {
                "released_on": _("The term ends on %(d)s; a release before it is not possible here.")
                % {"d": p.term_end}
            }
        )
    text = _text(appraisal, "appraisal", _("Appraisal"), required=False)
    p = person_release(actor=actor, person=p, released_on=released_on, note=text)
    year = released_on.year
    last = (
        Release.objects.select_for_update()
        .filter(county_id=p.county_id, year=year)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return Release.objects.create(
        person=p,
        county_id=p.county_id,
        year=year,
        number=(last or 0) + 1,
        released_on=released_on,
        announced=bool(announced),
        appraisal=text,
        notified_court_on=released_on,
        notified_procuratorate_on=released_on,
        notified_police_on=released_on,
        issued_by=_user(actor),
    )


# --- 未按时报到 ------------------------------------------------------------------------------------------

FOLLOW_UP_ROLES = (Role.SQUADRON_OFFICER, Role.BUREAU_OFFICER)


@transaction.atomic
def report_overdue_sweep(*, actor: Any, today: dt.date | None = None) -> list[ReportFollowUp]:
    """Raise one follow-up (and notify the squadron and county officers) for every person still awaiting
    report after the deadline (people.report_deadline_days after the judgment); close the follow-ups of
    persons who have reported since."""
    from django.urls import reverse

    from jiaozheng.core.notify import notify, staff_for_person

    require(actor, Domain.CASELOAD)
    today = today or timezone.localdate()
    ReportFollowUp.objects.filter(closed_on__isnull=True).exclude(person__status=Status.PENDING).update(
        closed_on=today
    )
    pending = Person.objects.filter(
        status=Status.PENDING, judgment_effective_on__isnull=False
    ).select_related("county")
    raised = []
    known = set(ReportFollowUp.objects.filter(person__in=pending).values_list("person_id", "deadline"))
    for person in pending:
        due = person.report_deadline()
        if due is None or due >= today or (person.pk, due) in known:
            continue
        task = ReportFollowUp.objects.create(person=person, deadline=due)
        notify(
            staff_for_person(person, FOLLOW_UP_ROLES),
            title=_("%(name)s has not reported (deadline %(d)s)") % {"name": person.name, "d": due},
            body=_("Search for the person at once and record what was done."),
            link=reverse("supervision:followup_list"),
            level="warning",
            kind="supervision.report_overdue",
        )
        raised.append(task)
    return raised


@transaction.atomic
def report_followup_close(*, actor: Any, followup: ReportFollowUp | int, note: str) -> ReportFollowUp:
    require(actor, Domain.CASELOAD)
    task = get_scoped_or_404(
        ReportFollowUp.objects.select_for_update(), actor, pk=getattr(followup, "pk", followup)
    )
    if task.closed_on is not None:
        raise ValidationError(_("This follow-up is already closed."))
    task.note = _text(note, "note", _("Action taken"))
    task.closed_on = timezone.localdate()
    task.save(update_fields=["note", "closed_on"])
    return task


# 考核奖惩 lives in its own module; re-exported so that callers find every write here.
from jiaozheng.supervision.approvals import (  # noqa: E402, F401
    permit_decide,
    permit_request,
    reexam_record,
    relocation_arrived,
    relocation_consult,
    relocation_decide,
    relocation_files_sent,
    relocation_reply,
    relocation_request,
)
from jiaozheng.supervision.sanctions import (  # noqa: E402, F401
    sanction_decide,
    sanction_propose,
    sanction_ruling,
)
