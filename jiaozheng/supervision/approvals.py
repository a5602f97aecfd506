"""会客 / 进入特定场所 approvals, 迁居 / 变更执行地 with its consultation steps, and the 暂予监外执行 medical
re-examinations (domain.md (b) rows 8, 9, 11). Decisions are the county agency's (``DECIDING_ROLES``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.core.roles import Domain
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, require, scope_for
from jiaozheng.people.choices import CorrectionType, Status
from jiaozheng.people.models import Person
from jiaozheng.supervision.choices import PermitKind, PermitStatus, RelocationStatus
from jiaozheng.supervision.models import PermitRequest, Reexamination, Relocation
from jiaozheng.supervision.sanctions import _require_decider
from jiaozheng.supervision.workdays import deadline


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _text(*args: Any, **kwargs: Any) -> str:
    from jiaozheng.supervision.services import _text as text

    return text(*args, **kwargs)


def _person(actor: Any, person: Person | int) -> Person:
    require(actor, Domain.CASELOAD)
    p = get_scoped_or_404(Person.objects.select_for_update(), actor, pk=getattr(person, "pk", person))
    if p.status != Status.IN_CORRECTION:
        raise ValidationError(_("Only a person in correction may apply."))
    return p


def _day(
    value: dt.date | None,
    field: str,
    person: Person,
    *,
    not_before: dt.date | None = None,
    future: bool = False,
) -> dt.date:
    if value is None:
        raise ValidationError({field: _("Give the date.")})
    if not future and value > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})
    if person.judgment_effective_on and value < person.judgment_effective_on:
        raise ValidationError({field: _("This date is before the judgment took effect.")})
    if not_before and value < not_before:
        raise ValidationError({field: _("This date is before the step it follows.")})
    return value


# --- 会客 / 进入特定场所 -------------------------------------------------------------------------------------


@transaction.atomic
def permit_request(
    *,
    actor: Any,
    person: Person | int,
    kind: str,
    subject: str,
    reason: str,
    start_on: dt.date | None,
    end_on: dt.date | None,
) -> PermitRequest:
    p = _person(actor, person)
    if kind not in PermitKind.values:
        raise ValidationError({"kind": _("Choose what the request is for.")})
    who = _text(subject, "subject", _("Whom or where"), max_length=120)
    why = _text(reason, "reason", _("Reason"))
    start = _day(start_on, "start_on", p, future=True)
    end = _day(end_on, "end_on", p, not_before=start, future=True)
    if end > p.term_end:
        raise ValidationError({"end_on": _("The permission cannot run past the correction term.")})
    today = timezone.localdate()
    days = rule("supervision.permit_decision_working_days", p.county_id)
    return PermitRequest.objects.create(
        person=p,
        kind=kind,
        subject=who,
        reason=why,
        start_on=start,
        end_on=end,
        requested_by=_user(actor),
        requested_on=today,
        decision_due_on=deadline("permit_decision", today, days, p.county_id),
    )


@transaction.atomic
def permit_decide(*, actor: Any, permit: PermitRequest | int, approve: bool, note: str = "") -> PermitRequest:
    _require_decider(actor)
    req = get_scoped_or_404(
        PermitRequest.objects.select_for_update(), actor, pk=getattr(permit, "pk", permit)
    )
    if req.status != PermitStatus.REQUESTED:
        raise ValidationError(_("This request is closed: it has already been decided."))
    req.decision_note = _text(note, "note", _("Decision note"), required=not approve)
    req.status = PermitStatus.APPROVED if approve else PermitStatus.REFUSED
    req.decided_by = _user(actor)
    req.decided_role = scope_for(actor).role or "superuser"
    req.decided_on = timezone.localdate()
    req.save()
    return req


# --- 迁居 / 变更执行地 ---------------------------------------------------------------------------------------


@transaction.atomic
def relocation_request(
    *,
    actor: Any,
    person: Person | int,
    new_address: str,
    receiving_county: str,
    reason: str,
    planned_on: dt.date | None,
    change_of_execution: bool = True,
) -> Relocation:
    p = _person(actor, person)
    address = _text(new_address, "new_address", _("New address"), max_length=200)
    county = _text(receiving_county, "receiving_county", _("Receiving county agency"), max_length=120)
    why = _text(reason, "reason", _("Reason"))
    planned = _day(planned_on, "planned_on", p, not_before=timezone.localdate(), future=True)
    if planned > p.term_end:
        raise ValidationError({"planned_on": _("The move cannot be planned after the correction term.")})
    if Relocation.objects.filter(
        person=p,
        status__in=(
            RelocationStatus.REQUESTED,
            RelocationStatus.CONSULTED,
            RelocationStatus.REPLIED,
            RelocationStatus.APPROVED,
        ),
    ).exists():
        raise ValidationError(_("A change of residence is already open for this person."))
    today = timezone.localdate()
    return Relocation.objects.create(
        person=p,
        new_address=address,
        receiving_county=county,
        change_of_execution=bool(change_of_execution),
        reason=why,
        planned_on=planned,
        requested_by=_user(actor),
        requested_on=today,
        consult_due_on=today + dt.timedelta(days=rule("supervision.relocation_consult_days", p.county_id)),
    )


def _relocation(actor: Any, relocation: Relocation | int, *statuses: str) -> Relocation:
    rel = get_scoped_or_404(
        Relocation.objects.select_for_update(), actor, pk=getattr(relocation, "pk", relocation)
    )
    if rel.status not in statuses:
        raise ValidationError(_("This step is closed or not yet open for this change of residence."))
    return rel


@transaction.atomic
def relocation_consult(
    *, actor: Any, relocation: Relocation | int, consulted_on: dt.date | None
) -> Relocation:
    require(actor, Domain.CASELOAD)
    rel = _relocation(actor, relocation, RelocationStatus.REQUESTED)
    rel.consulted_on = _day(consulted_on, "consulted_on", rel.person, not_before=rel.requested_on)
    rel.reply_due_on = rel.consulted_on + dt.timedelta(
        days=rule("supervision.relocation_reply_days", rel.person.county_id)
    )
    rel.status = RelocationStatus.CONSULTED
    rel.save()
    return rel


@transaction.atomic
def relocation_reply(
    *, actor: Any, relocation: Relocation | int, agrees: bool, replied_on: dt.date | None
) -> Relocation:
    require(actor, Domain.CASELOAD)
    rel = _relocation(actor, relocation, RelocationStatus.CONSULTED)
    rel.replied_on = _day(replied_on, "replied_on", rel.person, not_before=rel.consulted_on)
    rel.receiving_agrees = bool(agrees)
    rel.status = RelocationStatus.REPLIED
    rel.save()
    return rel


@transaction.atomic
def relocation_decide(
    *, actor: Any, relocation: Relocation | int, approve: bool, note: str = ""
) -> Relocation:
    """The county's decision, after the receiving county's reply; approval needs its agreement."""
    _require_decider(actor)
    rel = _relocation(actor, relocation, RelocationStatus.REPLIED)
    if approve and not rel.receiving_agrees:
        raise ValidationError(_("The receiving county did not agree: the move cannot be approved."))
    rel.decision_note = _text(note, "note", _("Decision note"), required=not approve)
    today = timezone.localdate()
    rel.decided_by, rel.decided_role, rel.decided_on = (
        _user(actor),
        scope_for(actor).role or "superuser",
        today,
    )
    if approve:
        unit = rel.person.county_id
        rel.status = RelocationStatus.APPROVED
        rel.files_due_on = today + dt.timedelta(days=rule("supervision.relocation_files_days", unit))
        rel.arrival_due_on = today + dt.timedelta(days=rule("supervision.relocation_arrival_days", unit))
    else:
        rel.status = RelocationStatus.REFUSED
    rel.save()
    return rel


@transaction.atomic
def relocation_files_sent(*, actor: Any, relocation: Relocation | int, sent_on: dt.date | None) -> Relocation:
    require(actor, Domain.CASELOAD)
    rel = _relocation(actor, relocation, RelocationStatus.APPROVED)
    if rel.files_sent_on:
        raise ValidationError(_("The file has already been handed over."))
    rel.files_sent_on = _day(sent_on, "sent_on", rel.person, not_before=rel.decided_on)
    rel.save()
    return rel


@transaction.atomic
def relocation_arrived(*, actor: Any, relocation: Relocation | int, arrived_on: dt.date | None) -> Relocation:
    """The person reported to the new county: the relocation is closed (the file goes with the files step)."""
    require(actor, Domain.CASELOAD)
    rel = _relocation(actor, relocation, RelocationStatus.APPROVED)
    if not rel.files_sent_on:
        raise ValidationError(_("Hand the file over before closing the change of residence."))
    rel.arrived_on = _day(arrived_on, "arrived_on", rel.person, not_before=rel.decided_on)
    rel.status = RelocationStatus.ARRIVED
    rel.save()
    return rel


# --- 暂予监外执行 medical re-examinations ---------------------------------------------------------------------


@transaction.atomic
def reexam_record(
    *,
    actor: Any,
    person: Person | int,
    examined_on: dt.date | None,
    hospital: str,
    conditions_persist: bool = True,
    summary: str = "",
) -> Reexamination:
    p = _person(actor, person)
    if p.correction_type != CorrectionType.TEMPORARY_OUTSIDE:
        raise ValidationError(_("Re-examinations concern temporary execution outside prison only."))
    day = _day(examined_on, "examined_on", p)
    if Reexamination.objects.filter(person=p, examined_on=day).exists():
        raise ValidationError({"examined_on": _("A re-examination of this day is already recorded.")})
    return Reexamination.objects.create(
        person=p,
        examined_on=day,
        hospital=_text(hospital, "hospital", _("Hospital"), max_length=120),
        conditions_persist=bool(conditions_persist),
        summary=_text(summary, "summary", _("Result"), required=False),
        recorded_by=_user(actor),
    )
