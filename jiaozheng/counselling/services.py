"""Writes for counselling: referrals, individual cases and notes, group formation, groups and sessions.

Every service takes the acting user, checks the role (``require``) and the row (``get_scoped_or_404``),
validates, and writes in one transaction; a ValidationError changes nothing.

Who may do what:
- ``referral_open``: anyone who may change SERVICES data (officers, social workers, counsellors) and the
  system actor. It never needs the COUNSELLING_NOTES right: the visits module calls it.
- Case work, group formation and group sessions: counsellors (the COUNSELLING_NOTES change right, which
  only the counsellor role holds).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.audit.services import timeline_add
from jiaozheng.core.roles import CHANGE, Domain, Role, role_allows
from jiaozheng.core.scoping import get_scoped_or_404, scope_for
from jiaozheng.counselling.choices import (
    CaseOutcome,
    CaseStatus,
    ReferralSource,
    ReferralStatus,
    SessionMode,
)
from jiaozheng.counselling.models import CaseNote, CaseSession, CounsellingCase, Referral
from jiaozheng.people.choices import Status
from jiaozheng.people.models import Person


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _may(actor: Any, domain: str, action: str = CHANGE) -> bool:
    scope = scope_for(actor)
    return scope.unrestricted or role_allows(scope.role, domain, action)


def require_counsellor(actor: Any) -> None:
    """Case work is the counsellors' (and the system's): the COUNSELLING_NOTES change right."""
    if not _may(actor, Domain.COUNSELLING_NOTES):
        raise PermissionDenied(_("Only counsellors may do this."))


def _person_in_scope(actor: Any, person: Person | int) -> Person:
    pk = getattr(person, "pk", person)
    return get_scoped_or_404(Person, actor, pk=pk)


def _text(value: Any, field: str, label: str, *, required: bool = True, max_length: int = 5000) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise ValidationError({field: _("%(label)s is required.") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError(
            {field: _("%(label)s is longer than %(n)s characters.") % {"label": label, "n": max_length}}
        )
    return text


def _counsellors_of(person: Person) -> list[Any]:
    from jiaozheng.core.notify import staff_for_person

    return staff_for_person(person, [Role.COUNSELLOR])


# --- referrals --------------------------------------------------------------------------------------


@transaction.atomic
def referral_open(
    *, actor: Any, person: Person, reason: str, source: str, source_obj: models.Model | None = None
) -> Referral:
    """Refer a person to the counsellors and notify the counsellors of the person's county.

    ``source`` is one of ReferralSource ("visit", "assessment", "flag", "manual", "education", "other").
    Authorised for actors who may change SERVICES data and for counsellors; the person must be in the
    actor's scope (404 otherwise). If the same ``source_obj`` already has an open referral for this
    person, that referral is returned unchanged (calling twice does not refer twice).
    """
    if not (_may(actor, Domain.SERVICES) or _may(actor, Domain.COUNSELLING_NOTES)):
        raise PermissionDenied(_("Your role may not refer persons to counselling."))
    if getattr(person, "pk", None) is None:
        raise ValidationError({"person": _("Choose a person.")})
    person = _person_in_scope(actor, person)
    reason = _text(reason, "reason", _("The reason"))
    if source not in ReferralSource.values:
        raise ValidationError(
            {
                "source": _("Unknown referral source %(s)s; use one of %(all)s.")
                % {"s": source, "all": ", ".join(ReferralSource.values)}
            }
        )
    if person.status not in (Status.IN_CORRECTION, Status.PENDING):
        raise ValidationError(_("%(name)s is no longer under correction.") % {"name": person.name})
    source_model = source_obj._meta.label if source_obj is not None else ""
    source_id = str(source_obj.pk) if source_obj is not None else ""
    if source_obj is not None:
        existing = Referral.objects.filter(
            person=person,
            source_model=source_model,
            source_id=source_id,
            status__in=[ReferralStatus.OPEN, ReferralStatus.ACCEPTED],
        ).first()
        if existing is not None:
            return existing
    referral = Referral.objects.create(
        person=person,
        reason=reason,
        source=source,
        source_model=source_model,
        source_id=source_id,
        opened_by=_user(actor),
    )
    timeline_add(person, "counselling.referred", obj=referral, source=source)
    from django.urls import reverse

    from jiaozheng.core.notify import notify

    notify(
        _counsellors_of(person),
        title=_("Referral to counselling: %(name)s") % {"name": person.name},
        body=reason[:500],
        link=reverse("counselling:referral_list"),
        level="warning",
        kind="counselling.referral",
    )
    return referral


@transaction.atomic
def referral_decline(*, actor: Any, referral: Referral, note: str) -> Referral:
    require_counsellor(actor)
    referral = get_scoped_or_404(Referral.objects.select_for_update(), actor, pk=referral.pk)
    if referral.status != ReferralStatus.OPEN:
        raise ValidationError(_("Only an open referral can be declined."))
    referral.decision_note = _text(note, "note", _("The reason for declining"))
    referral.status = ReferralStatus.DECLINED
    referral.decided_by = _user(actor)
    referral.decided_at = timezone.now()
    referral.save()
    return referral


# --- individual cases ---------------------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    actor: Any,
    person: Person,
    presenting_problem: str,
    goals: str,
    opened_on: dt.date | None = None,
    referral: Referral | None = None,
    counsellor: Any = None,
) -> CounsellingCase:
    """Open an individual case (from a referral or by hand). One open case per person at a time."""
    require_counsellor(actor)
    person = _person_in_scope(actor, person)
    today = timezone.localdate()
    opened_on = opened_on or today
    errors: dict[str, list[str]] = {}
    try:
        presenting_problem = _text(presenting_problem, "presenting_problem", _("The presenting problem"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        goals = _text(goals, "goals", _("The goals"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if opened_on > today:
        errors.setdefault("opened_on", []).append(_("This date is in the future."))
    if person.intake_on and opened_on < person.intake_on:
        errors.setdefault("opened_on", []).append(_("The case cannot open before the person reported in."))
    if person.status != Status.IN_CORRECTION:
        errors.setdefault("person", []).append(
            _("%(name)s is not in correction; cases are opened for persons in correction.")
            % {"name": person.name}
        )
    if CounsellingCase.objects.filter(person=person, status=CaseStatus.OPEN).exists():
        errors.setdefault("person", []).append(
            _("%(name)s already has an open case.") % {"name": person.name}
        )
    if referral is not None:
        referral = get_scoped_or_404(Referral.objects.select_for_update(), actor, pk=referral.pk)
        if referral.person_id != person.pk:
            errors.setdefault("referral", []).append(_("The referral is about another person."))
        elif referral.status != ReferralStatus.OPEN:
            errors.setdefault("referral", []).append(_("The referral has already been handled."))
    if errors:
        raise ValidationError(errors)
    case = CounsellingCase.objects.create(
        person=person,
        referral=referral,
        counsellor=counsellor or _user(actor),
        opened_on=opened_on,
        opened_by=_user(actor),
        presenting_problem=presenting_problem,
        goals=goals,
    )
    if referral is not None:
        referral.status = ReferralStatus.ACCEPTED
        referral.decided_by = _user(actor)
        referral.decided_at = timezone.now()
        referral.save()
    timeline_add(person, "counselling.case_opened", obj=case)
    return case


def _open_case_for_change(actor: Any, case: CounsellingCase) -> CounsellingCase:
    require_counsellor(actor)
    return get_scoped_or_404(CounsellingCase.objects.select_for_update(), actor, pk=case.pk)


@transaction.atomic
def case_update_goals(*, actor: Any, case: CounsellingCase, goals: str) -> CounsellingCase:
    case = _open_case_for_change(actor, case)
    if case.status != CaseStatus.OPEN:
        raise ValidationError(_("The case is closed."))
    case.goals = _text(goals, "goals", _("The goals"))
    case.save()
    return case


@transaction.atomic
def case_session_add(
    *,
    actor: Any,
    case: CounsellingCase,
    held_on: dt.date,
    minutes: int = 50,
    mode: str = SessionMode.IN_PERSON,
    topic: str = "",
    attended: bool = True,
    note: str = "",
) -> CaseSession:
    """Record a session; ``note`` (optional) is stored as a confidential, encrypted note."""
    case = _open_case_for_change(actor, case)
    errors: dict[str, list[str]] = {}
    if case.status != CaseStatus.OPEN:
        errors.setdefault("case", []).append(_("The case is closed."))
    if held_on > timezone.localdate():
        errors.setdefault("held_on", []).append(_("This date is in the future."))
    if held_on < case.opened_on:
        errors.setdefault("held_on", []).append(_("The session cannot be before the case was opened."))
    if not (5 <= int(minutes) <= 480):
        errors.setdefault("minutes", []).append(_("A session lasts 5 to 480 minutes."))
    if mode not in SessionMode.values:
        errors.setdefault("mode", []).append(_("Unknown session mode."))
    if errors:
        raise ValidationError(errors)
    session = CaseSession.objects.create(
        case=case,
        held_on=held_on,
        minutes=int(minutes),
        mode=mode,
        topic=_text(topic, "topic", _("The topic"), required=False, max_length=200),
        attended=attended,
        counsellor=_user(actor),
    )
    if note and note.strip():
        CaseNote.objects.create(
            case=case,
            session=session,
            text=_text(note, "note", _("The note"), max_length=20000),
            author=_user(actor),
        )
    timeline_add(case.person_id, "counselling.session", obj=session, date=held_on.isoformat())
    return session


@transaction.atomic
def case_note_add(*, actor: Any, case: CounsellingCase, text: str) -> CaseNote:
    case = _open_case_for_change(actor, case)
    return CaseNote.objects.create(
        case=case, text=_text(text, "text", _("The note"), max_length=20000), author=_user(actor)
    )


@transaction.atomic
def case_close(
    *, actor: Any, case: CounsellingCase, closed_on: dt.date, outcome: str, summary: str
) -> CounsellingCase:
    case = _open_case_for_change(actor, case)
    errors: dict[str, list[str]] = {}
    if case.status != CaseStatus.OPEN:
        errors.setdefault("case", []).append(_("The case is already closed."))
    if outcome not in CaseOutcome.values:
        errors.setdefault("outcome", []).append(_("Choose the outcome."))
    if closed_on > timezone.localdate():
        errors.setdefault("closed_on", []).append(_("This date is in the future."))
    if closed_on < case.opened_on:
        errors.setdefault("closed_on", []).append(_("A case cannot be closed before it was opened."))
    try:
        summary = _text(summary, "summary", _("The closing summary"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    case.status = CaseStatus.CLOSED
    case.closed_on = closed_on
    case.outcome = outcome
    case.closing_summary = summary
    case.closed_by = _user(actor)
    case.save()
    timeline_add(case.person_id, "counselling.case_closed", obj=case, outcome=outcome)
    return case
