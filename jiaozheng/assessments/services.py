"""Writes for psychological assessment.

Assigning (one person or a batch), answering online (the person, resumable, time per item), keying in a
paper form or correcting it (staff, with the reason), scoring and completing (validity, screening, risk,
item flags with an immediate urgent notice to the counsellors), reports, local norms, external results.

Roles: staff who may change PSYCH data (counsellors) assign, key in, correct, issue reports and build
norms; the supervised person answers their own assessments; every service checks the row scope.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.assessments.choices import (
    AssessmentStatus,
    EntryMethod,
    EntryOrigin,
    FlagSeverity,
    FlagStatus,
    Mode,
    Validity,
)
from jiaozheng.assessments.models import (
    AnswerEntry,
    Assessment,
    AssessmentBatch,
    ExternalResult,
    ExternalScore,
    LocalNorm,
    Report,
    RiskFlag,
)
from jiaozheng.assessments.scales import ScaleError, get_scale
from jiaozheng.assessments.scoring import AnswerError, ScoreOptions, normalise_answers, score
from jiaozheng.audit.services import record_bulk, timeline_add
from jiaozheng.core.registry import provider
from jiaozheng.core.roles import CHANGE, Domain, Role, role_allows
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, scope_for, scoped
from jiaozheng.people.choices import Status
from jiaozheng.people.models import Person

MAX_ITEM_SECONDS = 600
OP_SYMBOLS = {
    ">=": "≥",
    "<=": "≤",
    "==": "=",
    "!=": "≠",
}  # a pause longer than this (the phone put away) counts as this long


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def require_staff_change(actor: Any) -> None:
    """Staff who may change psychological data (the counsellors), or the system."""
    scope = scope_for(actor)
    if scope.unrestricted:
        return
    if scope.role == Role.SUBJECT or not role_allows(scope.role, Domain.PSYCH, CHANGE):
        raise PermissionDenied(_("Only counsellors may do this."))


def _scale(code: str):
    try:
        scale = get_scale(code)
    except ScaleError:
        raise ValidationError({"scale": _("Unknown scale %(code)s.") % {"code": code}})
    if scale.is_external:
        raise ValidationError(
            {"scale": _("%(code)s results are imported, not administered.") % {"code": code}}
        )
    return scale


def score_options(person_or_county: Any, scale_code: str, **extra: Any) -> ScoreOptions:
    """Scoring options in force for a person's county: the rule overrides of rounding and cut-offs."""
    county = getattr(person_or_county, "county", person_or_county)
    return ScoreOptions(
        rounding=dict((rule("assessments.rounding", county) or {}).get(scale_code, {})),
        cutoff_ops=dict((rule("assessments.cutoff_operators", county) or {}).get(scale_code, {})),
        **extra,
    )


# --- assigning ----------------------------------------------------------------------------------------


def _check_assignable(person: Person, scale_code: str) -> str | None:
    if person.status != Status.IN_CORRECTION:
        return _("%(name)s is not in correction.") % {"name": person.name}
    if Assessment.objects.filter(
        person=person,
        scale_code=scale_code,
        status__in=[AssessmentStatus.ASSIGNED, AssessmentStatus.IN_PROGRESS],
    ).exists():
        return _("%(name)s already has an open %(scale)s.") % {
            "name": person.name,
            "scale": get_scale(scale_code).short_title(),
        }
    return None


def _due(person: Person, due_on: dt.date | None) -> dt.date:
    today = timezone.localdate()
    if due_on is None:
        return today + dt.timedelta(days=rule("assessments.due_days", person.county_id))
    if due_on < today:
        raise ValidationError({"due_on": _("The due date is in the past.")})
    return due_on


@transaction.atomic
def assessment_assign(
    *, actor: Any, person: Person, scale_code: str, due_on: dt.date | None = None, note: str = ""
) -> Assessment:
    """Assign one scale to one person, to answer on the phone (or to be keyed in from paper)."""
    require_staff_change(actor)
    scale = _scale(scale_code)
    person = get_scoped_or_404(Person, actor, pk=getattr(person, "pk", person))
    problem = _check_assignable(person, scale.code)
    if problem:
        raise ValidationError({"person": problem})
    assessment = Assessment.objects.create(
        person=person,
        scale_code=scale.code,
        scale_version=scale.version,
        scale_hash=scale.definition_hash,
        assigned_by=_user(actor),
        due_on=_due(person, due_on),
        note=(note or "").strip()[:200],
    )
    timeline_add(person, "assessment.assigned", obj=assessment, scale=scale.short_title())
    _tell_persons([person], scale, assessment.due_on)
    return assessment


def _tell_persons(persons: Iterable[Person], scale: Any, due_on: dt.date | None) -> None:
    """Tell the persons who have an account that a test waits for them on their phone."""
    from django.urls import reverse

    from jiaozheng.core.notify import notify
    from jiaozheng.orgs.models import User

    accounts = list(User.objects.filter(person__in=[p.pk for p in persons], is_active=True))
    if accounts:
        notify(
            accounts,
            title=_("Please take the test: %(scale)s") % {"scale": scale.title()},
            body=_("Open 'My psychological tests' and answer by %(date)s.")
            % {"date": f"{due_on:%Y-%m-%d}" if due_on else "—"},
            link=reverse("assessments:my_list"),
            kind="assessments.assigned",
        )


def batch_candidates(
    *,
    actor: Any,
    county: Any,
    intake_month: str = "",
    squadron: Any = None,
    not_assessed_months: int | None = None,
    scale_code: str = "",
) -> list[Person]:
    """Persons in correction in the actor's scope matching a batch's criteria (for preview and assigning).

    ``intake_month`` "YYYY-MM": the new entrants of that month; ``not_assessed_months``: persons without a
    completed assessment of the scale in that many months.
    """
    qs = scoped(Person, actor).filter(status=Status.IN_CORRECTION, county=county)
    if squadron is not None:
        qs = qs.filter(squadron=squadron)
    if intake_month:
        try:
            year, month = (int(p) for p in intake_month.split("-"))
            start = dt.date(year, month, 1)
        except ValueError:
            raise ValidationError({"intake_month": _("Write the month as YYYY-MM.")})
        end = dt.date(year + (month == 12), month % 12 + 1, 1)
        qs = qs.filter(intake_on__gte=start, intake_on__lt=end)
    if not_assessed_months:
        from jiaozheng.people.models import add_months

        since = add_months(timezone.localdate(), -int(not_assessed_months))
        done = Assessment.objects.filter(
            scale_code=scale_code, status=AssessmentStatus.COMPLETED, administered_on__gte=since
        ).values("person_id")
        qs = qs.exclude(pk__in=done)
    return list(qs.select_related("squadron").order_by("squadron__sort_order", "name", "id"))


@transaction.atomic
def assessment_assign_batch(
    *,
    actor: Any,
    scale_code: str,
    persons: Iterable[Person],
    label: str,
    county: Any,
    due_on: dt.date | None = None,
    criteria: dict[str, Any] | None = None,
) -> tuple[AssessmentBatch, list[str]]:
    """Assign a scale to many persons at once; persons that cannot get it are skipped with the reason."""
    require_staff_change(actor)
    scale = _scale(scale_code)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Name the batch.")})
    county = get_scoped_or_404(type(county), actor, pk=county.pk)
    persons = list(persons)
    if not persons:
        raise ValidationError(_("No person matches; nothing was assigned."))
    batch = AssessmentBatch.objects.create(
        county=county,
        scale_code=scale.code,
        label=label[:120],
        criteria=criteria or {},
        due_on=due_on,
        created_by=_user(actor),
    )
    skipped: list[str] = []
    rows = []
    now = timezone.now()
    visible = set(scoped(Person, actor).filter(pk__in=[p.pk for p in persons]).values_list("pk", flat=True))
    for person in persons:
        if person.pk not in visible:
            # never the name: a person the caller cannot see stays unnamed
            skipped.append(_("A person was not found or is not in your area."))
            continue
        problem = _check_assignable(person, scale.code)
        if problem:
            skipped.append(problem)
            continue
        rows.append(
            Assessment(
                person=person,
                scale_code=scale.code,
                scale_version=scale.version,
                scale_hash=scale.definition_hash,
                batch=batch,
                assigned_by=_user(actor),
                assigned_at=now,
                due_on=_due(person, due_on),
            )
        )
    if not rows:
        raise ValidationError(_("Nobody could be assigned: %(why)s") % {"why": "; ".join(skipped[:5])})
    created = Assessment.objects.bulk_create(rows)
    record_bulk(created)
    _tell_persons([a.person for a in created], scale, due_on or (created[0].due_on if created else None))
    batch.size = len(created)
    batch.save()
    return batch, skipped


# --- answering online (the person) -------------------------------------------------------------------


def _own_open(actor: Any, assessment: Assessment) -> Assessment:
    """The person's own open assessment, locked (404 for anyone else's, 403 for staff)."""
    scope = scope_for(actor)
    if scope.role != Role.SUBJECT and not scope.unrestricted:
        raise PermissionDenied(_("Staff key in paper forms instead of answering online."))
    assessment = get_scoped_or_404(Assessment.objects.select_for_update(), actor, pk=assessment.pk)
    if not assessment.is_open:
        raise ValidationError(_("This assessment is no longer open."))
    return assessment


def next_item(assessment: Assessment) -> int | None:
    """The first item without an answer (resume point), or None when every item is answered."""
    scale = assessment.scale
    answers = assessment.answers or {}
    for item_id in scale.item_ids:
        if answers.get(str(item_id)) is None:
            return item_id
    return None


def item_shown(*, actor: Any, assessment: Assessment, item: int) -> None:
    """Remember which item the person is looking at, and since when (time per item)."""
    scope = scope_for(actor)
    if scope.role != Role.SUBJECT or assessment.person_id != scope.person_id or not assessment.is_open:
        return
    if assessment.current_item == item and assessment.shown_at is not None:
        return  # a reload keeps the first display time
    now = timezone.now()
    Assessment.objects.filter(pk=assessment.pk).update(current_item=item, shown_at=now)
    assessment.current_item, assessment.shown_at = item, now


@transaction.atomic
def answer_record(
    *, actor: Any, assessment: Assessment, item: int, value: Any, seconds: float | None = None
) -> Assessment:
    """Record one answer given by the person online (changing an earlier answer is allowed)."""
    assessment = _own_open(actor, assessment)
    scale = assessment.scale
    try:
        item = int(item)
        clean = normalise_answers(scale, {item: value})
    except (AnswerError, TypeError, ValueError) as exc:
        raise ValidationError({"value": str(exc)})
    if clean[item] is None:
        raise ValidationError({"value": _("Choose an answer.")})
    now = timezone.now()
    if seconds is None and assessment.current_item == item and assessment.shown_at is not None:
        seconds = (now - assessment.shown_at).total_seconds()
    if seconds is not None:
        seconds = round(max(0.0, min(float(seconds), MAX_ITEM_SECONDS)), 1)
    answers = dict(assessment.answers or {})
    answers[str(item)] = clean[item]
    times = dict(assessment.item_seconds or {})
    if seconds is not None:
        times[str(item)] = round(times.get(str(item), 0) + seconds, 1)
    assessment.answers = answers
    assessment.item_seconds = times
    assessment.current_item = None
    assessment.shown_at = None
    if assessment.status == AssessmentStatus.ASSIGNED:
        assessment.status = AssessmentStatus.IN_PROGRESS
        assessment.started_at = now
    assessment.save()
    AnswerEntry.objects.create(
        assessment=assessment,
        at=now,
        entered_by=_user(actor),
        origin=EntryOrigin.ONLINE,
        answers={str(item): clean[item]},
        seconds={str(item): seconds} if seconds is not None else {},
    )
    return assessment


@transaction.atomic
def assessment_submit(*, actor: Any, assessment: Assessment) -> Assessment:
    """The person hands in their answers: scored at once; an urgent flag notifies the counsellors."""
    assessment = _own_open(actor, assessment)
    missing = [i for i in assessment.scale.scored_ids if (assessment.answers or {}).get(str(i)) is None]
    if missing:
        raise ValidationError(_("Please answer every question first (%(n)s left).") % {"n": len(missing)})
    times = assessment.item_seconds or {}
    total = sum(float(v) for v in times.values()) if times else None
    return _complete(assessment, actor, total_seconds=total, administered_on=timezone.localdate())


# --- staff entry ----------------------------------------------------------------------------------------


@transaction.atomic
def paper_form_enter(
    *,
    actor: Any,
    person: Person,
    scale_code: str,
    answers: dict[int, Any] | list[Any],
    administered_on: dt.date,
    minutes: float | None = None,
    assessment: Assessment | None = None,
) -> Assessment:
    """Key in a paper form (fills an open assignment of the scale, or creates the assessment)."""
    require_staff_change(actor)
    scale = _scale(scale_code)
    person = get_scoped_or_404(Person, actor, pk=getattr(person, "pk", person))
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if administered_on > today:
        errors.setdefault("administered_on", []).append(_("This date is in the future."))
    elif outside := person.outside_correction(administered_on):
        errors.setdefault("administered_on", []).append(outside)
    if minutes is not None and not (0 < float(minutes) <= 600):
        errors.setdefault("minutes", []).append(_("The answering time is between 1 and 600 minutes."))
    try:
        clean = normalise_answers(scale, answers)
    except AnswerError as exc:
        errors.setdefault("answers", []).append(str(exc))
        clean = {}
    if clean and all(v is None for v in clean.values()):
        errors.setdefault("answers", []).append(_("The form holds no answers."))
    if assessment is not None:
        assessment = get_scoped_or_404(Assessment.objects.select_for_update(), actor, pk=assessment.pk)
        if assessment.person_id != person.pk or assessment.scale_code != scale.code:
            errors.setdefault("assessment", []).append(_("The assignment is for another person or scale."))
        elif not assessment.is_open:
            errors.setdefault("assessment", []).append(_("This assessment is no longer open."))
    else:
        assessment = (
            Assessment.objects.select_for_update()
            .filter(
                person=person,
                scale_code=scale.code,
                status__in=[AssessmentStatus.ASSIGNED, AssessmentStatus.IN_PROGRESS],
            )
            .first()
        )
    if assessment is None and person.status != Status.IN_CORRECTION:
        errors.setdefault("person", []).append(_("%(name)s is not in correction.") % {"name": person.name})
    if errors:
        raise ValidationError(errors)
    if assessment is None:
        assessment = Assessment(
            person=person,
            scale_code=scale.code,
            scale_version=scale.version,
            scale_hash=scale.definition_hash,
            assigned_by=_user(actor),
        )
    assessment.mode = Mode.PAPER
    assessment.entered_by = _user(actor)
    assessment.answers = {str(k): v for k, v in clean.items()}
    assessment.item_seconds = {}
    assessment.save()
    AnswerEntry.objects.create(
        assessment=assessment, entered_by=_user(actor), origin=EntryOrigin.PAPER, answers=assessment.answers
    )
    total = float(minutes) * 60 if minutes is not None else None
    return _complete(assessment, actor, total_seconds=total, administered_on=administered_on)


@transaction.atomic
def answers_correct(
    *, actor: Any, assessment: Assessment, changes: dict[int, Any], reason: str
) -> Assessment:
    """Correct keyed-in answers (a typing error on a paper form), with the reason; the result is rescored."""
    require_staff_change(actor)
    assessment = get_scoped_or_404(Assessment.objects.select_for_update(), actor, pk=assessment.pk)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors.setdefault("reason", []).append(_("Give the reason for the correction."))
    if assessment.status != AssessmentStatus.COMPLETED:
        errors.setdefault("assessment", []).append(_("Only completed assessments can be corrected."))
    if assessment.mode == Mode.ONLINE:
        errors.setdefault("assessment", []).append(_("Answers given by the person online cannot be changed."))
    if assessment.reports.filter(withdrawn=False).exists():
        errors.setdefault("assessment", []).append(_("A report was issued: withdraw it before correcting."))
    try:
        clean = normalise_answers(assessment.scale, changes)
    except AnswerError as exc:
        errors.setdefault("answers", []).append(str(exc))
        clean = {}
    changed = {str(k): clean[k] for k in (int(x) for x in changes)} if clean else {}
    if not changed:
        errors.setdefault("answers", []).append(_("No answer was changed."))
    if errors:
        raise ValidationError(errors)
    answers = dict(assessment.answers)
    answers.update(changed)
    assessment.answers = answers
    AnswerEntry.objects.create(
        assessment=assessment,
        entered_by=_user(actor),
        origin=EntryOrigin.CORRECTION,
        answers=changed,
        reason=reason[:200],
    )
    RiskFlag.objects.filter(assessment=assessment, status=FlagStatus.OPEN).update(
        status=FlagStatus.CLOSED, note=_("Closed: answers corrected"), handled_at=timezone.now()
    )
    return _complete(
        assessment,
        actor,
        total_seconds=assessment.total_seconds,
        administered_on=assessment.administered_on,
        notify_again=False,
    )


@transaction.atomic
def assessment_cancel(*, actor: Any, assessment: Assessment, reason: str) -> Assessment:
    require_staff_change(actor)
    assessment = get_scoped_or_404(Assessment.objects.select_for_update(), actor, pk=assessment.pk)
    if not assessment.is_open:
        raise ValidationError(_("Only an open assessment can be cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    assessment.status = AssessmentStatus.CANCELLED
    assessment.cancel_reason = reason[:200]
    assessment.save()
    return assessment


# --- completing: scoring, flags, notices ------------------------------------------------------------


def apply_result(assessment: Assessment, result: dict[str, Any]) -> None:
    """Copy the summary of a scored result onto the assessment's columns (no save)."""
    assessment.result = result
    assessment.validity = result["validity"]["status"]
    assessment.screen_positive = result["screening"]["positive"]
    assessment.risk_level = result["risk_level"]
    assessment.primary_score = result["primary"]["value"]
    assessment.urgent = bool(result["urgent"])
    assessment.scale_version = result["version"]
    assessment.scale_hash = result["definition_hash"]


def _complete(
    assessment: Assessment,
    actor: Any,
    *,
    total_seconds: float | None,
    administered_on: dt.date | None,
    notify_again: bool = True,
) -> Assessment:
    scale = assessment.scale
    options = score_options(assessment.person, scale.code, total_seconds=total_seconds)
    result = score(scale, {int(k): v for k, v in assessment.answers.items()}, options)
    apply_result(assessment, result)
    now = timezone.now()
    assessment.total_seconds = total_seconds
    assessment.status = AssessmentStatus.COMPLETED
    assessment.completed_at = assessment.completed_at or now
    assessment.administered_on = administered_on or timezone.localdate()
    assessment.current_item = None
    assessment.shown_at = None
    assessment.save()
    timeline_add(
        assessment.person_id,
        "assessment.completed",
        obj=assessment,
        scale=scale.short_title(),
        validity=assessment.validity,
    )
    raise_flags(assessment, result, notify=notify_again)
    return assessment


def raise_flags(assessment: Assessment, result: dict[str, Any], *, notify: bool = True) -> list[RiskFlag]:
    """Store the result's item flags; urgent ones notify the counsellors of the person's county at once."""
    flags = []
    for item_flag in result.get("flags", []):
        flags.append(
            RiskFlag.objects.create(
                person_id=assessment.person_id,
                assessment=assessment,
                code=item_flag["code"],
                severity=item_flag["severity"],
                label=item_flag["label"].get("zh-hans", item_flag["code"])[:200],
                item=item_flag["item"],
                value=item_flag["value"],
                threshold=f"{OP_SYMBOLS.get(item_flag['op'], item_flag['op'])} {item_flag['threshold']}",
            )
        )
    urgent = [f for f in flags if f.severity == FlagSeverity.URGENT]
    if urgent and notify:
        notify_urgent(assessment, urgent)
    return flags


def urgent_recipients(person: Person) -> list[Any]:
    """The counsellors of the person's county; if none is posted there, the county's bureau staff."""
    from jiaozheng.core.notify import staff_for_person

    recipients = staff_for_person(person, [Role.COUNSELLOR])
    if not recipients:
        recipients = staff_for_person(person, [Role.BUREAU_ADMIN, Role.BUREAU_OFFICER])
    return recipients


def notify_urgent(assessment: Assessment, flags: list[RiskFlag]) -> None:
    from django.urls import reverse

    from jiaozheng.core.notify import notify

    person = assessment.person
    for flag in flags:
        timeline_add(person, "assessment.flag", obj=flag, label=flag.label)
    labels = "；".join(f.label for f in flags)
    notify(
        urgent_recipients(person),
        title=_("Urgent: %(name)s — %(flag)s") % {"name": person.name, "flag": labels},
        body=_("%(scale)s completed on %(date)s. Contact the person today and record what was done.")
        % {"scale": assessment.scale.short_title(), "date": f"{assessment.administered_on:%Y-%m-%d}"},
        link=reverse("assessments:flag_list"),
        level="urgent",
        kind="assessments.urgent_flag",
    )


@transaction.atomic
def flag_handle(*, actor: Any, flag: RiskFlag, action: str, note: str = "") -> RiskFlag:
    """acknowledge (contacted), refer (to counselling, a referral is opened) or close a flag."""
    require_staff_change(actor)
    flag = get_scoped_or_404(RiskFlag.objects.select_for_update(), actor, pk=flag.pk)
    note = (note or "").strip()
    if flag.status == FlagStatus.CLOSED:
        raise ValidationError(_("The flag is already closed."))
    if action not in ("acknowledge", "refer", "close"):
        raise ValidationError({"action": _("Unknown action.")})
    if not note:
        raise ValidationError({"note": _("Write what was done.")})
    if action == "refer":
        provider("counselling.referral_open")(
            actor=actor,
            person=flag.person,
            reason=f"{flag.label}：{note}",
            source="flag",
            source_obj=flag,
        )
        flag.status = FlagStatus.REFERRED
    elif action == "acknowledge":
        flag.status = FlagStatus.ACKNOWLEDGED
    else:
        flag.status = FlagStatus.CLOSED
    flag.note = (flag.note + "\n" if flag.note else "") + f"{timezone.localtime():%Y-%m-%d %H:%M} {note}"
    flag.handled_by = _user(actor)
    flag.handled_at = timezone.now()
    flag.save()
    return flag


# --- reports ----------------------------------------------------------------------------------------------


def _next_report_number(county: Any, year: int) -> str:
    prefix = f"{county.code or county.pk}-XL-{year}-"
    last = (
        Report.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


@transaction.atomic
def report_issue(
    *,
    actor: Any,
    assessment: Assessment,
    comments: str,
    counsellor_name: str = "",
    norm_code: str = "",
    issued_on: dt.date | None = None,
) -> Report:
    """Issue the 心理测验与评估分析报告 for a completed, not invalid assessment, stating its norm."""
    from jiaozheng.assessments.norms import default_norm, find_norm

    require_staff_change(actor)
    assessment = get_scoped_or_404(Assessment.objects.select_for_update(), actor, pk=assessment.pk)
    issued_on = issued_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if assessment.status != AssessmentStatus.COMPLETED:
        errors.setdefault("assessment", []).append(_("Only a completed assessment gets a report."))
    elif assessment.validity == Validity.INVALID:
        errors.setdefault("assessment", []).append(
            _("The assessment is invalid; assess again instead of issuing a report.")
        )
    if assessment.reports.filter(withdrawn=False).exists():
        errors.setdefault("assessment", []).append(_("A report was already issued for this assessment."))
    comments = (comments or "").strip()
    if not comments:
        errors.setdefault("comments", []).append(_("Write the counsellor's comments."))
    counsellor_name = (counsellor_name or getattr(actor, "full_name", "") or str(actor)).strip()[:50]
    if issued_on > timezone.localdate():
        errors.setdefault("issued_on", []).append(_("This date is in the future."))
    if assessment.administered_on and issued_on < assessment.administered_on:
        errors.setdefault("issued_on", []).append(_("A report cannot be issued before the test."))
    county = assessment.person.county
    norm = None
    if assessment.status == AssessmentStatus.COMPLETED:
        norm = (
            find_norm(assessment.scale_code, norm_code, county)
            if norm_code
            else default_norm(assessment.scale_code, county)
        )
        if norm_code and norm is None:
            errors.setdefault("norm_code", []).append(_("Unknown norm %(code)s.") % {"code": norm_code})
    if errors:
        raise ValidationError(errors)
    report = Report.objects.create(
        assessment=assessment,
        number=_next_report_number(county, issued_on.year),
        issued_on=issued_on,
        issued_by=_user(actor),
        norm_code=norm["code"] if norm else "",
        norm=norm or {},
        comments=comments,
        counsellor_name=counsellor_name,
    )
    timeline_add(assessment.person_id, "assessment.report_issued", obj=report, number=report.number)
    return report


@transaction.atomic
def report_withdraw(*, actor: Any, report: Report, reason: str) -> Report:
    require_staff_change(actor)
    report = get_scoped_or_404(Report.objects.select_for_update(), actor, pk=report.pk)
    if report.withdrawn:
        raise ValidationError(_("The report is already withdrawn."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason.")})
    report.withdrawn = True
    report.withdrawn_reason = reason.strip()[:200]
    report.save()
    return report


# --- local norms ------------------------------------------------------------------------------------------


@transaction.atomic
def norm_build(
    *,
    actor: Any,
    scale_code: str,
    county: Any,
    date_from: dt.date,
    date_to: dt.date,
    label: str = "",
    code: str = "",
) -> LocalNorm:
    """Build a local norm from the valid completed assessments of a county in a period."""
    from jiaozheng.assessments.norms import build_values

    require_staff_change(actor)
    scale = _scale(scale_code)
    if county is not None:
        county = get_scoped_or_404(type(county), actor, pk=county.pk)
    if date_to < date_from:
        raise ValidationError({"date_to": _("The period ends before it starts.")})
    qs = scoped(Assessment, actor).filter(
        scale_code=scale.code,
        status=AssessmentStatus.COMPLETED,
        validity=Validity.VALID,
        administered_on__gte=date_from,
        administered_on__lte=date_to,
    )
    if county is not None:
        qs = qs.filter(person__county=county)
    # the result column decrypts to the stored dict (its field is typed as text for the cipher)
    results = cast(list[dict[str, Any]], list(qs.values_list("result", flat=True)))
    minimum = rule("assessments.local_norm_min_n", county)
    if len(results) < minimum:
        raise ValidationError(
            _("Only %(n)s valid assessments in that period; a local norm needs at least %(min)s.")
            % {"n": len(results), "min": minimum}
        )
    values = build_values(scale, results)
    where = county.name if county is not None else _("all counties")
    code = (
        code
        or f"local-{scale.code}-{getattr(county, 'code', '') or 'all'}-{date_from:%Y%m%d}-{date_to:%Y%m%d}"
    ).strip()
    if LocalNorm.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A norm with the code %(code)s exists.") % {"code": code}})
    return LocalNorm.objects.create(
        code=code[:60],
        scale_code=scale.code,
        county=county,
        label=(
            label
            or f"{where}{scale.short_title()}本地常模（{date_from:%Y.%m}-{date_to:%Y.%m}，n={len(results)}）"
        )[:120],
        n=len(results),
        date_from=date_from,
        date_to=date_to,
        values=values,
        criteria={"validity": "valid", "status": "completed"},
        built_by=_user(actor),
    )


# --- external results (COPA-PI) -----------------------------------------------------------------------------


def _decimal(value: Any, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except Exception:
        raise ValidationError({field: _("%(v)s is not a number.") % {"v": value}})
    if not number.is_finite() or abs(number) >= 10**6:
        raise ValidationError({field: _("%(v)s is not a usable score.") % {"v": value}})
    return number


@transaction.atomic
def external_result_create(
    *,
    actor: Any,
    person: Person,
    administered_on: dt.date,
    administering_org: str,
    scores: list[dict[str, Any]],
    source_name: str,
    source_bytes: bytes,
    instrument: str = "COPA-PI",
    version: str = "unknown",
    valid_as_printed: bool | None = None,
    validity_indicators: dict[str, Any] | None = None,
    entry_method: str = EntryMethod.MANUAL,
    keep_file: bool = False,
    note: str = "",
) -> ExternalResult:
    """Store an external result as printed (never rescored), with the source document's hash."""
    require_staff_change(actor)
    person = get_scoped_or_404(Person, actor, pk=getattr(person, "pk", person))
    errors: dict[str, list[str]] = {}
    if administered_on > timezone.localdate():
        errors.setdefault("administered_on", []).append(_("This date is in the future."))
    if not (administering_org or "").strip():
        errors.setdefault("administering_org", []).append(_("Name the organisation that gave the test."))
    if not source_bytes:
        errors.setdefault("source", []).append(_("Attach the source document."))
    clean_scores = []
    seen = set()
    for i, entry in enumerate(scores):
        name = str(entry.get("dimension", "")).strip()
        if not name:
            continue
        if name in seen:
            errors.setdefault("scores", []).append(_("Dimension %(d)s appears twice.") % {"d": name})
        seen.add(name)
        try:
            raw = _decimal(entry.get("raw"), "scores")
            standard = _decimal(entry.get("standard"), "scores")
        except ValidationError as exc:
            errors.setdefault("scores", []).extend(exc.messages)
            continue
        if raw is None and standard is None and not str(entry.get("interpretation", "")).strip():
            continue
        clean_scores.append(
            ExternalScore(
                order=i,
                dimension=name[:40],
                raw=raw,
                standard=standard,
                interpretation=str(entry.get("interpretation", "")).strip(),
            )
        )
    if not clean_scores:
        errors.setdefault("scores", []).append(_("Enter at least one dimension score."))
    if errors:
        raise ValidationError(errors)
    result = ExternalResult(
        person=person,
        instrument=instrument[:40],
        version=version,
        administered_on=administered_on,
        administering_org=administering_org.strip()[:120],
        source_name=source_name[:200],
        source_sha256=hashlib.sha256(source_bytes).hexdigest(),
        entered_by=_user(actor),
        entry_method=entry_method,
        valid_as_printed=valid_as_printed,
        validity_indicators=validity_indicators or {},
        note=(note or "").strip(),
    )
    if keep_file:
        from django.core.files.base import ContentFile

        result.source_file.save(
            f"{hashlib.sha256(source_bytes).hexdigest()[:16]}-{source_name[-60:]}",
            ContentFile(source_bytes),
            save=False,
        )
    result.save()
    for s in clean_scores:
        s.result = result
        s.save()
    timeline_add(person, "assessment.external", obj=result, instrument=result.instrument)
    return result
