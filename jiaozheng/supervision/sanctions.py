"""考核奖惩 services: the 司法所's findings, the county's decision, the proposal's ruling.

Kept in its own module (services.py re-exports it) so that the legal conditions read in one place:
domain.md (c), the 2020 实施办法 as quoted (S), with the figures as rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.core.roles import Domain, Role
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, require, scope_for
from jiaozheng.people.choices import CorrectionType, DisciplineKind, Status
from jiaozheng.people.models import Person, add_months
from jiaozheng.supervision.choices import (
    GROUNDS_BY_KIND,
    PROPOSAL_KINDS,
    Ruling,
    SanctionGround,
    SanctionKind,
    SanctionStatus,
)
from jiaozheng.supervision.models import SanctionCase

# The county agency decides on the 司法所's findings (domain.md (b) row 14); the 司法所 only proposes.
DECIDING_ROLES = (Role.BUREAU_ADMIN, Role.BUREAU_OFFICER)
OPEN_PROPOSALS = (SanctionStatus.PROPOSED, SanctionStatus.SUBMITTED)
DAYS_GROUNDS = (SanctionGround.LATE_REPORT,)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def may_decide(actor: Any) -> bool:
    scope = scope_for(actor)
    return scope.unrestricted or scope.role in DECIDING_ROLES


def _require_decider(actor: Any) -> None:
    require(actor, Domain.CASELOAD)
    if not may_decide(actor):
        raise PermissionDenied("only the county agency decides")


def counters(person: Person) -> tuple[int, int]:
    """(admonitions since the latest warning, warnings) from the person's discipline record in people."""
    admonitions = warnings = 0
    for kind in person.discipline.order_by("decided_on", "id").values_list("kind", flat=True):
        if kind == DisciplineKind.WARNING:
            warnings += 1
            admonitions = 0
        elif kind == DisciplineKind.ADMONITION:
            admonitions += 1
    return admonitions, warnings


def check_conditions(person: Person, kind: str, ground: str, days_out: int | None, on: dt.date) -> None:
    """The legal conditions of a decision; a ValidationError names the one not met."""
    unit = person.county_id
    if ground not in GROUNDS_BY_KIND.get(kind, ()):
        raise ValidationError({"ground": _("This ground does not support this decision.")})
    if ground in DAYS_GROUNDS and days_out is None:
        raise ValidationError({"days_out": _("Give the number of days late or out of supervision.")})
    limit = rule("people.admonition_max_days_late", unit)
    if ground == SanctionGround.LATE_REPORT:
        if kind == SanctionKind.ADMONITION and days_out > limit:
            raise ValidationError(
                {"days_out": _("More than %(n)s days calls for a warning, not an admonition.") % {"n": limit}}
            )
        if kind == SanctionKind.WARNING and days_out <= limit:
            raise ValidationError(
                {"days_out": _("Up to %(n)s days calls for an admonition, not a warning.") % {"n": limit}}
            )
        out = rule("supervision.revocation_days_out", unit)
        if kind == SanctionKind.REVOCATION and days_out <= out:
            raise ValidationError(
                {"days_out": _("Revocation needs more than %(n)s days out of supervision.") % {"n": out}}
            )
    admonitions, warnings = counters(person)
    if ground == SanctionGround.TWO_ADMONITIONS:
        need = rule("people.admonitions_to_warning", unit)
        if admonitions < need:
            raise ValidationError(
                {
                    "ground": _(
                        "A warning on this ground needs %(need)s admonitions since the last warning; "
                        "the person has %(n)s."
                    )
                    % {"need": need, "n": admonitions}
                }
            )
    if ground == SanctionGround.TWO_WARNINGS:
        need = rule("people.warnings_to_revocation", unit)
        if warnings < need:
            raise ValidationError(
                {
                    "ground": _("This proposal needs %(need)s warnings; the person has %(n)s.")
                    % {"need": need, "n": warnings}
                }
            )
    if kind == SanctionKind.COMMENDATION:  # people's discipline record holds this for any ground
        months = rule("people.commendation_min_months", unit)
        if person.intake_on is None or add_months(person.intake_on, months) > on:
            raise ValidationError(
                {"kind": _("A commendation needs at least %(n)s months in correction.") % {"n": months}}
            )
    if kind == SanctionKind.REVOCATION and person.correction_type not in (
        CorrectionType.PROBATION,
        CorrectionType.PAROLE,
    ):
        raise ValidationError({"kind": _("Only probation or parole can be revoked.")})
    if kind == SanctionKind.COMMITTAL and person.correction_type != CorrectionType.TEMPORARY_OUTSIDE:
        raise ValidationError({"kind": _("Committal applies to temporary execution outside prison only.")})
    if (
        kind == SanctionKind.REDUCTION
        and SanctionCase.objects.filter(
            person=person,
            kind__in=(SanctionKind.REVOCATION, SanctionKind.COMMITTAL),
            status__in=OPEN_PROPOSALS,
        ).exists()
    ):
        raise ValidationError(
            {"kind": _("A revocation or committal proposal is open: a reduction cannot be proposed.")}
        )


def _date(value: dt.date | None, field: str, person: Person, *, not_before: dt.date | None = None) -> dt.date:
    day = value or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})
    if person.judgment_effective_on and day < person.judgment_effective_on:
        raise ValidationError({field: _("This date is before the judgment took effect.")})
    if not_before and day < not_before:
        raise ValidationError({field: _("This date is before the facts or the decision it follows.")})
    return day


@transaction.atomic
def sanction_propose(
    *,
    actor: Any,
    person: Person | int,
    kind: str,
    ground: str,
    facts: str,
    occurred_on: dt.date | None,
    days_out: int | None = None,
) -> SanctionCase:
    """The 司法所's findings (or the county's own): the facts and the decision proposed."""
    from jiaozheng.supervision.services import _text
    from jiaozheng.supervision.workdays import deadline

    require(actor, Domain.CASELOAD)
    p = get_scoped_or_404(Person.objects.select_for_update(), actor, pk=getattr(person, "pk", person))
    if p.status != Status.IN_CORRECTION:
        raise ValidationError(_("Only a person in correction can be assessed."))
    if kind not in SanctionKind.values:
        raise ValidationError({"kind": _("Choose the decision proposed.")})
    if ground not in SanctionGround.values:
        raise ValidationError({"ground": _("Choose the ground.")})
    if occurred_on is None:
        raise ValidationError({"occurred_on": _("Give the date of the facts.")})
    day = _date(occurred_on, "occurred_on", p)
    if days_out is not None and not 0 < int(days_out) <= 3660:
        raise ValidationError({"days_out": _("Give a number of days between 1 and 3660.")})
    text = _text(facts, "facts", _("Facts"))
    check_conditions(p, kind, ground, days_out, timezone.localdate())
    today = timezone.localdate()
    return SanctionCase.objects.create(
        person=p,
        kind=kind,
        ground=ground,
        facts=text,
        occurred_on=day,
        days_out=days_out,
        proposed_by=_user(actor),
        proposed_on=today,
        decision_due_on=deadline(
            "sanction_decision", today, rule("supervision.sanction_decision_days", p.county_id), p.county_id
        ),
    )


@transaction.atomic
def sanction_decide(
    *,
    actor: Any,
    case: SanctionCase | int,
    take: bool,
    note: str = "",
    decided_on: dt.date | None = None,
    authority: str = "",
) -> SanctionCase:
    """The county's decision. Taken: a 表扬/训诫/警告 goes to the discipline record; a proposal is sent to
    the court or deciding authority (its ruling due within supervision.proposal_ruling_days) and copied to
    the procuratorate the same day. The conditions are checked again: the record may have changed."""
    from jiaozheng.people.services import discipline_add
    from jiaozheng.supervision.services import _text

    _require_decider(actor)
    c = get_scoped_or_404(SanctionCase.objects.select_for_update(), actor, pk=getattr(case, "pk", case))
    if c.status != SanctionStatus.PROPOSED:
        raise ValidationError(_("This request is closed: it has already been decided."))
    person = c.person
    if person.status != Status.IN_CORRECTION:
        raise ValidationError(_("Only a person in correction can be assessed."))
    text = _text(note, "note", _("Decision note"), required=not take)
    day = _date(decided_on, "decided_on", person, not_before=c.occurred_on)
    if take:
        check_conditions(person, c.kind, c.ground, c.days_out, day)
        if c.kind in PROPOSAL_KINDS:
            c.authority = _text(authority, "authority", _("Sent to"), max_length=120)
            c.status = SanctionStatus.SUBMITTED
            c.ruling_due_on = day + dt.timedelta(
                days=rule("supervision.proposal_ruling_days", person.county_id)
            )
            c.procuratorate_copied_on = day
        else:
            record = discipline_add(
                actor=actor, person=person, kind=c.kind, reason=c.facts, decided_on=day, source_obj=c
            )
            c.discipline_id = record.pk
            c.status = SanctionStatus.DECIDED
    else:
        c.status = SanctionStatus.REFUSED
    c.decided_by = _user(actor)
    c.decided_role = scope_for(actor).role or "superuser"
    c.decided_on = day
    c.decision_note = text
    c.save()
    return c


@transaction.atomic
def sanction_ruling(
    *, actor: Any, case: SanctionCase | int, ruling: str, ruled_on: dt.date | None, note: str = ""
) -> SanctionCase:
    """The court's or deciding authority's ruling on a proposal. A granted revocation or committal ends the
    correction through people (``person_terminate``)."""
    from jiaozheng.people.choices import TerminationReason
    from jiaozheng.people.services import person_terminate
    from jiaozheng.supervision.services import _text

    _require_decider(actor)
    c = get_scoped_or_404(SanctionCase.objects.select_for_update(), actor, pk=getattr(case, "pk", case))
    if c.status != SanctionStatus.SUBMITTED:
        raise ValidationError(_("This request is closed or not yet sent: no ruling can be recorded."))
    if ruling not in Ruling.values:
        raise ValidationError({"ruling": _("Choose the ruling.")})
    if ruled_on is None:
        raise ValidationError({"ruled_on": _("Give the date of the ruling.")})
    day = _date(ruled_on, "ruled_on", c.person, not_before=c.decided_on)
    c.ruling, c.ruled_on = ruling, day
    c.ruling_note = _text(note, "note", _("Ruling note"), required=False)
    c.status = SanctionStatus.RULED
    c.save()
    if ruling == Ruling.GRANTED and c.kind in (SanctionKind.REVOCATION, SanctionKind.COMMITTAL):
        reason = (
            TerminationReason.REVOCATION if c.kind == SanctionKind.REVOCATION else TerminationReason.COMMITTAL
        )
        person_terminate(actor=actor, person=c.person, terminated_on=day, reason=reason, note=c.ruling_note)
    return c
