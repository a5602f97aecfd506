"""Writes of the visits module: visit records with their interventions, follow-up tasks, attachments,
hardship help, standards, quotas, route plans, the provincial-export mark and overdue warnings.

Every service takes the acting user, checks the role (SERVICES change, narrower where stated) and the row
scope (404 outside it), validates everything first, writes inside one transaction and adds timeline
events. A validation failure raises ``ValidationError`` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.audit.services import timeline_add
from jiaozheng.core.registry import provider
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, VIEW, Domain, Role, role_allows
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, is_visible, scope_for, scoped
from jiaozheng.core.validators import text_problem
from jiaozheng.orgs.models import OrgUnit, User
from jiaozheng.people.choices import DisciplineKind, Status
from jiaozheng.people.models import Discipline, Person
from jiaozheng.visits.attachments import CheckedFile, check_upload
from jiaozheng.visits.choices import (
    Entrant,
    FieldVisitTarget,
    HelpKind,
    InterventionKind,
    PeriodUnit,
    QuotaUnit,
    RiskSign,
    TaskStatus,
    VisitMethod,
    VisitOutcome,
    VisitType,
)
from jiaozheng.visits.models import (
    DueWarning,
    FollowUpTask,
    HardshipHelp,
    Intervention,
    RoutePlan,
    Visit,
    VisitAttachment,
    VisitQuota,
    VisitStandard,
    VisitVisitor,
)

# Who may decide an admonition (训诫): the bureau's and the squadrons' officers, never the provider's staff.
OFFICER_ROLES = frozenset({Role.BUREAU_ADMIN, Role.BUREAU_OFFICER, Role.SQUADRON_OFFICER})
# Who may set standards and contract quotas: the buying bureau.
BUREAU_ROLES = frozenset({Role.BUREAU_ADMIN, Role.BUREAU_OFFICER})
TEXT_LIMIT = 5000


def _require(actor: Any, domain: str = Domain.SERVICES, action: str = CHANGE) -> None:
    scope = scope_for(actor)
    if not scope.unrestricted and not role_allows(scope.role, domain, action):
        raise PermissionDenied(_("Your role may not do this."))


def _require_roles(actor: Any, roles: frozenset[str], message: str) -> None:
    scope = scope_for(actor)
    if not scope.unrestricted and scope.role not in roles:
        raise PermissionDenied(message)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def is_officer(actor: Any) -> bool:
    scope = scope_for(actor)
    return scope.unrestricted or scope.role in OFFICER_ROLES


def _person_for_change(actor: Any, person: Person | int) -> Person:
    _require(actor)
    pk = getattr(person, "pk", person)
    return get_scoped_or_404(
        Person.objects.select_related("county", "squadron"), actor, CHANGE, domain=Domain.SERVICES, pk=pk
    )


def _text(value: Any, limit: int = TEXT_LIMIT) -> str:
    return str(value or "").strip()[:limit]


# --- visit records --------------------------------------------------------------------------------------


@dataclass
class InterventionInput:
    kind: str
    note: str
    # hardship help only
    help_kind: str = ""
    amount: Decimal | None = None
    material: str = ""
    given_by: str = ""


@dataclass
class TaskInput:
    title: str
    due_on: dt.date
    assignee: Any = None


@dataclass
class VisitInput:
    visit_type: str
    method: str
    visited_at: dt.datetime
    field_target: str = ""
    outcome: str = VisitOutcome.COMPLETED
    duration_minutes: int | None = None
    visitors: list[Any] = field(default_factory=list)
    other_visitors: str = ""
    place: str = ""
    people_met: str = ""
    thinking: str = ""
    conduct: str = ""
    family: str = ""
    work: str = ""
    risk_signs: list[str] = field(default_factory=list)
    risk_note: str = ""
    summary: str = ""
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    position_at: dt.datetime | None = None
    interventions: list[InterventionInput] = field(default_factory=list)
    tasks: list[TaskInput] = field(default_factory=list)


def unknown_account(account_id: Any) -> str:
    """The one answer for an account that does not exist, is not staff or lies outside the caller's area:
    its id (which the caller sent) and never its name, so another county learns nothing about it."""
    return _("Account %(id)s was not found or is not in your area.") % {"id": account_id}


def eligible_visitor(user: Any, person: Person) -> bool:
    """A visitor is an active staff member whose own scope covers the person."""
    if user is None or not getattr(user, "is_active", False) or user.role not in STAFF_ROLES:
        return False
    scope = scope_for(user)
    if scope.unrestricted:
        return True
    if not role_allows(scope.role, Domain.SERVICES, VIEW):
        return False
    if person.is_juvenile and not scope.juveniles:
        return False
    return person.county_id in scope.county_ids or person.squadron_id in scope.squadron_ids


def _clean_visit(person: Person, data: VisitInput, *, require_visitor: bool = True) -> dict[str, Any]:
    errors: dict[str, list[str]] = defaultdict(list)
    if data.visit_type not in VisitType.values:
        errors["visit_type"].append(_("Unknown kind of visit."))
    if data.method not in VisitMethod.values:
        errors["method"].append(_("Unknown method."))
    target = data.field_target or ""
    if data.method == VisitMethod.FIELD_VISIT:
        if target not in FieldVisitTarget.values:
            errors["field_target"].append(
                _("Say where the field visit took place (home, village, school, employer).")
            )
    elif target:
        errors["field_target"].append(_("Only a field visit has a target."))
    if data.outcome not in VisitOutcome.values:
        errors["outcome"].append(_("Unknown outcome."))
    visited_at = data.visited_at
    if visited_at is None:
        errors["visited_at"].append(_("Give the date and time of the visit."))
    else:
        if timezone.is_naive(visited_at):
            visited_at = timezone.make_aware(visited_at)
        if visited_at > timezone.now() + dt.timedelta(minutes=10):
            errors["visited_at"].append(_("The visit cannot be in the future."))
        else:
            outside = person.outside_correction(timezone.localtime(visited_at).date())
            if outside:
                errors["visited_at"].append(outside)
    if data.duration_minutes is not None and not 1 <= data.duration_minutes <= 24 * 60:
        errors["duration_minutes"].append(_("The duration must be between 1 minute and 24 hours."))
    signs = list(dict.fromkeys(data.risk_signs or []))
    unknown = [s for s in signs if s not in RiskSign.values]
    if unknown:
        errors["risk_signs"].append(_("Unknown risk signs: %(s)s") % {"s": ", ".join(map(str, unknown))})
    visitors = list(dict.fromkeys(data.visitors or []))
    for user in visitors:
        if not eligible_visitor(user, person):
            errors["visitors"].append(unknown_account(getattr(user, "pk", user)))
    if require_visitor and not visitors:
        errors["visitors"].append(_("Name at least one visitor."))
    if not visitors and not _text(data.other_visitors):
        errors["visitors"].append(_("Name the visitors."))
    for name in ("place", "people_met", "other_visitors"):
        if problem := text_problem(getattr(data, name)):
            errors[name].append(problem)
    for name in ("thinking", "conduct", "family", "work", "risk_note", "summary"):
        if problem := text_problem(getattr(data, name), multiline=True):
            errors[name].append(problem)
    lat, lon = data.latitude, data.longitude
    if (lat is None) != (lon is None):
        errors["latitude"].append(_("Give both latitude and longitude, or neither."))
    elif lat is not None and lon is not None:
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            errors["latitude"].append(_("The captured position is out of range."))
    if data.accuracy_m is not None and (
        not math.isfinite(data.accuracy_m) or not 0 <= data.accuracy_m <= 100_000
    ):
        errors["accuracy_m"].append(_("The position accuracy is out of range."))
    if errors:
        raise ValidationError(dict(errors))
    assert visited_at is not None
    return {
        "visit_type": data.visit_type,
        "method": data.method,
        "field_target": target,
        "outcome": data.outcome,
        "visited_at": visited_at,
        "visited_on": timezone.localtime(visited_at).date(),
        "duration_minutes": data.duration_minutes,
        "other_visitors": _text(data.other_visitors, 200),
        "place": _text(data.place, 200),
        "people_met": _text(data.people_met, 300),
        "thinking": _text(data.thinking),
        "conduct": _text(data.conduct),
        "family": _text(data.family),
        "work": _text(data.work),
        "risk_signs": signs,
        "risk_note": _text(data.risk_note),
        "summary": _text(data.summary),
        "latitude": lat,
        "longitude": lon,
        "accuracy_m": data.accuracy_m if lat is not None else None,
        "position_at": (data.position_at or timezone.now()) if lat is not None else None,
        "_visitors": visitors,
    }


def _check_attachments(uploads: list[tuple[str, bytes]], county: Any) -> list[CheckedFile]:
    max_bytes = rule("visits.attachment_max_mb", county) * 2**20
    checked, problems = [], []
    for name, content in uploads:
        try:
            checked.append(check_upload(name, content, max_bytes=max_bytes))
        except ValidationError as exc:
            problems.extend(exc.messages)
    if len(uploads) > 20:
        problems.append(_("At most 20 files per visit."))
    if problems:
        raise ValidationError({"attachments": problems})
    return checked


@transaction.atomic
def visit_create(
    *, actor: Any, person: Person | int, data: VisitInput, uploads: list[tuple[str, bytes]] | None = None
) -> Visit:
    """Record a visit, its interventions (with their side effects), follow-up tasks and attachments."""
    person = _person_for_change(actor, person)
    clean = _clean_visit(person, data)
    for item in data.interventions:
        _check_intervention(actor, item)
    for task in data.tasks:
        _check_task(person, task, earliest=clean["visited_on"])
    files = _check_attachments(uploads or [], person.county)
    visitors = clean.pop("_visitors")
    visit = Visit(person=person, recorded_by=_user(actor), **clean)
    visit.full_clean()
    visit.save()
    for user in visitors:
        VisitVisitor.objects.create(visit=visit, user=user)
    timeline_add(
        person,
        "visit.recorded",
        obj=visit,
        kind=visit.visit_type,
        method=visit.method,
        date=visit.visited_on.isoformat(),
    )
    if visit.outcome == VisitOutcome.NOT_FOUND:
        timeline_add(person, "visit.not_found", obj=visit, date=visit.visited_on.isoformat())
    for item in data.interventions:
        _intervention_write(actor, visit, item, decided_on=visit.visited_on)
    for task in data.tasks:
        _task_write(actor, person, task, visit=visit)
    _attachments_write(actor, visit, files)
    return visit


@transaction.atomic
def visit_update(*, actor: Any, visit: Visit, data: VisitInput) -> Visit:
    """Correct a visit's record (kind, method, date, narrative, visitors); interventions stay as decided."""
    _require(actor)
    visit = get_scoped_or_404(Visit.objects.select_related("person"), actor, CHANGE, pk=visit.pk)
    person = visit.person
    if visit.exported_at is not None:
        raise ValidationError(
            _("This record was already exported to the provincial system and can no longer be edited.")
        )
    clean = _clean_visit(person, data)
    visitors = clean.pop("_visitors")
    clean.pop("position_at")
    for key in ("latitude", "longitude", "accuracy_m"):
        clean.pop(key)  # the captured position is evidence: it is never edited
    for key, value in clean.items():
        setattr(visit, key, value)
    visit.full_clean()
    visit.save()
    current = set(visit.visitor_rows.values_list("user_id", flat=True))
    wanted = {u.pk for u in visitors}
    for row in visit.visitor_rows.filter(user_id__in=current - wanted):
        row.delete()
    for user in visitors:
        if user.pk not in current:
            VisitVisitor.objects.create(visit=visit, user=user)
    timeline_add(person, "visit.corrected", obj=visit, date=visit.visited_on.isoformat())
    return visit


# --- interventions --------------------------------------------------------------------------------------


def _check_intervention(actor: Any, item: InterventionInput) -> None:
    if item.kind not in InterventionKind.values:
        raise ValidationError({"interventions": _("Unknown intervention.")})
    if not _text(item.note):
        raise ValidationError({"interventions": _("Give the reason and content of the intervention.")})
    if problem := text_problem(item.note, multiline=True):
        raise ValidationError({"interventions": problem})
    if item.kind == InterventionKind.ADMONITION and not is_officer(actor):
        raise PermissionDenied(
            _("Only the bureau's or a squadron's officers may decide an admonition (训诫).")
        )
    if item.kind == InterventionKind.HARDSHIP_HELP:
        _check_help_fields(item.help_kind, item.amount, item.material, item.given_by)


def _intervention_write(
    actor: Any, visit: Visit, item: InterventionInput, decided_on: dt.date
) -> Intervention:
    person = visit.person
    linked: Any = None
    note = _text(item.note)
    if item.kind == InterventionKind.ADMONITION:
        from jiaozheng.people.services import discipline_add

        linked = discipline_add(
            actor=actor,
            person=person,
            kind=DisciplineKind.ADMONITION,
            reason=note,
            decided_on=decided_on,
            source=Discipline.Source.VISIT,
            source_obj=visit,
            authorised_domain=Domain.SERVICES,
        )
    elif item.kind == InterventionKind.PSYCH_REFERRAL:
        linked = _open_referral(actor, person, note, visit)
    elif item.kind == InterventionKind.HARDSHIP_HELP:
        linked = _help_write(
            actor,
            person,
            kind=item.help_kind,
            given_on=decided_on,
            amount=item.amount,
            material=item.material,
            given_by=item.given_by,
            note=note,
            visit=visit,
        )
    intervention = Intervention.objects.create(
        visit=visit,
        kind=item.kind,
        note=note,
        decided_on=decided_on,
        decided_by=_user(actor),
        linked_model=linked._meta.label if linked is not None else "",
        linked_id=str(linked.pk) if linked is not None else "",
    )
    timeline_add(person, "visit.intervention", obj=intervention, kind=item.kind)
    return intervention


def _open_referral(actor: Any, person: Person, reason: str, visit: Visit) -> Any:
    """A psychological referral opens a counselling referral (jiaozheng.counselling.services)."""
    try:
        referral_open = provider("counselling.referral_open")
    except LookupError:
        raise ValidationError(
            {"interventions": _("The counselling module is not installed: the referral cannot be opened.")}
        )
    return referral_open(actor=actor, person=person, reason=reason, source="visit", source_obj=visit)


@transaction.atomic
def intervention_add(
    *, actor: Any, visit: Visit, item: InterventionInput, decided_on: dt.date | None = None
) -> Intervention:
    """Add an intervention to an existing visit (an officer's 训诫 after reading a social worker's record)."""
    _require(actor)
    visit = get_scoped_or_404(Visit.objects.select_related("person"), actor, CHANGE, pk=visit.pk)
    _check_intervention(actor, item)
    decided_on = decided_on or timezone.localdate()
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("This date is in the future.")})
    if decided_on < visit.visited_on:
        raise ValidationError({"decided_on": _("The intervention cannot precede the visit.")})
    return _intervention_write(actor, visit, item, decided_on)


# --- follow-up tasks ------------------------------------------------------------------------------------


def _check_task(person: Person, task: TaskInput, *, earliest: dt.date) -> None:
    if not _text(task.title, 200):
        raise ValidationError({"tasks": _("Describe the follow-up task.")})
    if problem := text_problem(task.title):
        raise ValidationError({"tasks": problem})
    if task.due_on is None:
        raise ValidationError({"tasks": _("Give the due date of the follow-up task.")})
    if task.due_on < earliest:
        raise ValidationError({"tasks": _("A follow-up task cannot be due before the visit.")})
    if task.due_on > earliest + dt.timedelta(days=366):
        raise ValidationError({"tasks": _("A follow-up task must be due within a year.")})
    if task.assignee is not None and not eligible_visitor(task.assignee, person):
        raise ValidationError({"tasks": unknown_account(task.assignee.pk)})


def _task_write(actor: Any, person: Person, task: TaskInput, visit: Visit | None = None) -> FollowUpTask:
    row = FollowUpTask.objects.create(
        person=person,
        visit=visit,
        title=_text(task.title, 200),
        due_on=task.due_on,
        assignee=task.assignee or _user(actor),
        created_by=_user(actor),
    )
    timeline_add(person, "visit.task_added", obj=row, title=row.title, due=row.due_on.isoformat())
    return row


@transaction.atomic
def task_add(
    *, actor: Any, person: Person | int, task: TaskInput, visit: Visit | None = None
) -> FollowUpTask:
    person = _person_for_change(actor, person)
    if visit is not None and visit.person_id != person.pk:
        raise ValidationError(_("The visit belongs to another person."))
    _check_task(person, task, earliest=visit.visited_on if visit else timezone.localdate())
    return _task_write(actor, person, task, visit)


@transaction.atomic
def task_complete(*, actor: Any, task: FollowUpTask, result: str, cancel: bool = False) -> FollowUpTask:
    _require(actor)
    task = get_scoped_or_404(FollowUpTask.objects.select_for_update(), actor, CHANGE, pk=task.pk)
    if task.status != TaskStatus.OPEN:
        raise ValidationError(_("This task is already closed."))
    if not _text(result):
        raise ValidationError({"result": _("Say what was done (or why the task is cancelled).")})
    if problem := text_problem(result, multiline=True):
        raise ValidationError({"result": problem})
    task.status = TaskStatus.CANCELLED if cancel else TaskStatus.DONE
    task.result = _text(result)
    task.done_at = timezone.now()
    task.done_by = _user(actor)
    task.save()
    timeline_add(task.person_id, "visit.task_closed", obj=task, title=task.title, status=task.status)
    return task


# --- attachments ----------------------------------------------------------------------------------------


def _attachments_write(actor: Any, visit: Visit, files: list[CheckedFile]) -> list[VisitAttachment]:
    saved: list[VisitAttachment] = []
    try:
        for checked in files:
            row = VisitAttachment(
                visit=visit,
                original_name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=_user(actor),
            )
            row.file.save(checked.name, ContentFile(checked.content), save=False)
            row.save()
            saved.append(row)
    except Exception:
        for row in saved:
            row.file.delete(save=False)
        raise
    return saved


@transaction.atomic
def attachments_add(*, actor: Any, visit: Visit, uploads: list[tuple[str, bytes]]) -> list[VisitAttachment]:
    _require(actor)
    visit = get_scoped_or_404(Visit.objects.select_related("person"), actor, CHANGE, pk=visit.pk)
    if not uploads:
        raise ValidationError({"attachments": _("Choose at least one file.")})
    if visit.attachments.count() + len(uploads) > 20:
        raise ValidationError({"attachments": _("At most 20 files per visit.")})
    files = _check_attachments(uploads, visit.person.county)
    rows = _attachments_write(actor, visit, files)
    timeline_add(visit.person, "visit.attachments_added", obj=visit, n=len(rows))
    return rows


# --- hardship help --------------------------------------------------------------------------------------


def _check_help_fields(kind: str, amount: Decimal | None, material: str, given_by: str) -> None:
    errors: dict[str, list[str]] = defaultdict(list)
    if kind not in HelpKind.values:
        errors["help_kind"].append(_("Choose the kind of help."))
    if amount is not None:
        try:
            amount = Decimal(amount)
        except Exception:
            errors["amount"].append(_("The amount is not a number."))
        else:
            if not amount.is_finite() or amount <= 0 or amount > Decimal("1000000"):
                errors["amount"].append(_("The amount must be between 0.01 and 1,000,000 yuan."))
    if amount is None and not _text(material):
        errors["material"].append(_("Give the amount or describe the goods or service."))
    if not _text(given_by, 100):
        errors["given_by"].append(_("Say who gave the help."))
    for name, value in (("given_by", given_by), ("material", material)):
        if problem := text_problem(value):
            errors[name].append(problem)
    if errors:
        raise ValidationError(dict(errors))


def _help_write(
    actor: Any,
    person: Person,
    *,
    kind: str,
    given_on: dt.date,
    amount: Decimal | None,
    material: str,
    given_by: str,
    note: str,
    visit: Visit | None,
) -> HardshipHelp:
    help_row = HardshipHelp(
        person=person,
        visit=visit,
        kind=kind,
        given_on=given_on,
        amount=Decimal(amount).quantize(Decimal("0.01")) if amount is not None else None,
        material=_text(material, 200),
        given_by=_text(given_by, 100),
        note=_text(note),
        recorded_by=_user(actor),
    )
    help_row.full_clean()
    help_row.save()
    timeline_add(person, "visit.hardship_help", obj=help_row, kind=kind)
    if not person.is_hardship:
        _mark_hardship(actor, person, HelpKind(kind).label)  # type: ignore[arg-type]
    return help_row


def _mark_hardship(actor: Any, person: Person, note: str) -> None:
    """Put the person on the hardship list (困难对象名单) through the caseload's own service.

    The provider's social workers find and help these families: the hardship help they record is
    SERVICES work, so the caseload service is called with that domain as the authority.
    """
    from jiaozheng.people.services import hardship_set

    hardship_set(
        actor=actor, person=person, hardship=True, note=str(note)[:200], authorised_domain=Domain.SERVICES
    )
    person.is_hardship = True


@transaction.atomic
def hardship_help_add(
    *,
    actor: Any,
    person: Person | int,
    kind: str,
    given_on: dt.date,
    given_by: str,
    amount: Decimal | None = None,
    material: str = "",
    note: str = "",
) -> HardshipHelp:
    """Record help given to a family in hardship and put the person on the hardship list."""
    person = _person_for_change(actor, person)
    _check_help_fields(kind, amount, material, given_by)
    if given_on is None or given_on > timezone.localdate():
        raise ValidationError({"given_on": _("Give a date that is not in the future.")})
    outside = person.outside_correction(given_on)
    if outside:
        raise ValidationError({"given_on": outside})
    return _help_write(
        actor,
        person,
        kind=kind,
        given_on=given_on,
        amount=amount,
        material=material,
        given_by=given_by,
        note=note,
        visit=None,
    )


# --- standards and quotas -------------------------------------------------------------------------------


STANDARD_FIELDS = (
    "name",
    "visit_type",
    "supervision_class",
    "entrant",
    "required_count",
    "period_unit",
    "period_length",
    "counts_types",
    "methods",
    "valid_from",
    "valid_until",
    "active",
    "source",
    "note",
)


def _bureau_unit(actor: Any, unit: OrgUnit) -> OrgUnit:
    _require(actor)
    _require_roles(actor, BUREAU_ROLES, _("Only the bureau sets visit standards and contract quotas."))
    if unit.kind != OrgUnit.Kind.COUNTY:
        raise ValidationError(_("Standards are set for a county here; provinces set theirs in the admin."))
    if not scoped(OrgUnit, actor).filter(pk=unit.pk).exists():
        from django.http import Http404

        raise Http404("not found")
    return unit


def _clean_standard(data: dict[str, Any]) -> dict[str, Any]:
    clean = {k: data[k] for k in STANDARD_FIELDS if k in data}
    errors: dict[str, list[str]] = defaultdict(list)
    types = list(dict.fromkeys(clean.get("counts_types") or [clean.get("visit_type")]))
    if any(t not in VisitType.values for t in types):
        errors["counts_types"].append(_("Unknown kind of visit."))
    methods = list(dict.fromkeys(clean.get("methods") or []))
    if any(m not in VisitMethod.values for m in methods):
        errors["methods"].append(_("Unknown method."))
    if clean.get("visit_type") not in types:
        errors["counts_types"].append(_("The kind of visit that is due must itself count."))
    clean["counts_types"], clean["methods"] = types, methods
    if clean.get("entrant") not in Entrant.values:
        errors["entrant"].append(_("Unknown choice."))
    if clean.get("period_unit") not in PeriodUnit.values:
        errors["period_unit"].append(_("Unknown period unit."))
    length = clean.get("period_length") or 0
    if clean.get("period_unit") == PeriodUnit.MONTH and not 1 <= length <= 12:
        errors["period_length"].append(_("A period of months must be 1 to 12 months."))
    if clean.get("period_unit") == PeriodUnit.DAY and not 1 <= length <= 366:
        errors["period_length"].append(_("A period of days must be 1 to 366 days."))
    for name in ("name", "source"):
        if problem := text_problem(clean.get(name)):
            errors[name].append(problem)
    if not (clean.get("name") or "").strip():
        errors["name"].append(_("Give the standard a name."))
    if not 1 <= (clean.get("required_count") or 0) <= 31:
        errors["required_count"].append(_("Between 1 and 31 visits per period."))
    if errors:
        raise ValidationError(dict(errors))
    return clean


@transaction.atomic
def standard_save(
    *, actor: Any, data: dict[str, Any], unit: OrgUnit | None = None, standard: VisitStandard | None = None
) -> VisitStandard:
    """Create a county standard (``unit``) or change one (``standard``)."""
    if standard is not None:
        standard = get_scoped_or_404(
            VisitStandard.objects.select_related("unit"), actor, CHANGE, pk=standard.pk
        )
        _bureau_unit(actor, standard.unit)
    else:
        if unit is None:
            raise ValidationError(_("Choose the county."))
        _bureau_unit(actor, unit)
        if not VisitStandard.objects.filter(unit=unit).exists():
            _adopt_in_force(unit)
        standard = VisitStandard(unit=unit)
    for key, value in _clean_standard(data).items():
        setattr(standard, key, value)
    standard.full_clean()
    standard.save()
    return standard


def _adopt_in_force(county: OrgUnit) -> int:
    """Copy the standards in force (province or built-in) into the county, so it can change them."""
    from jiaozheng.visits.standards import StandardBook

    origin, standards = StandardBook().origin_and_standards(county.pk)
    if origin == "county":
        return 0
    for std in standards:
        VisitStandard.objects.create(
            unit=county,
            name=str(std.name)[:100],
            visit_type=std.visit_type,
            supervision_class=std.supervision_class,
            entrant=std.entrant,
            required_count=std.required,
            period_unit=std.period_unit,
            period_length=std.period_length,
            counts_types=sorted(std.counts_types),
            methods=sorted(std.methods),
            valid_from=std.valid_from,
            valid_until=std.valid_until,
            source=std.source[:200],
        )
    return len(standards)


@transaction.atomic
def standards_adopt(*, actor: Any, county: OrgUnit) -> int:
    """Give the county its own copy of the standards in force, to be adjusted."""
    _bureau_unit(actor, county)
    if VisitStandard.objects.filter(unit=county).exists():
        raise ValidationError(_("This county already has its own standards."))
    return _adopt_in_force(county)


@transaction.atomic
def quota_save(
    *, actor: Any, contract: Any, visit_type: str, unit: str, target: int, note: str = ""
) -> VisitQuota:
    """Set a contract's visit quota (creates it, or changes the target of the same kind and unit)."""
    _require(actor, Domain.PERFORMANCE)
    _require_roles(actor, BUREAU_ROLES, _("Only the bureau sets visit standards and contract quotas."))
    contract = provider("contracts.get")(
        actor=actor, domain=Domain.PERFORMANCE, pk=getattr(contract, "pk", contract)
    )
    if visit_type not in VisitType.values:
        raise ValidationError({"visit_type": _("Unknown kind of visit.")})
    if unit not in QuotaUnit.values:
        raise ValidationError({"unit": _("Unknown unit.")})
    if not isinstance(target, int) or not 1 <= target <= 1_000_000:
        raise ValidationError({"target": _("The target must be a whole number from 1 to 1,000,000.")})
    quota = VisitQuota.objects.filter(contract=contract, visit_type=visit_type, unit=unit).first()
    if quota is None:
        quota = VisitQuota(contract=contract, visit_type=visit_type, unit=unit)
    quota.target = target
    quota.note = _text(note, 200)
    quota.full_clean()
    quota.save()
    return quota


@transaction.atomic
def quota_delete(*, actor: Any, quota: VisitQuota) -> None:
    _require(actor, Domain.PERFORMANCE)
    _require_roles(actor, BUREAU_ROLES, _("Only the bureau sets visit standards and contract quotas."))
    quota = get_scoped_or_404(VisitQuota, actor, CHANGE, pk=quota.pk)
    quota.delete()


# --- provincial export mark -----------------------------------------------------------------------------


@transaction.atomic
def visits_mark_exported(*, actor: Any, visit_ids: list[int]) -> int:
    """Mark visits as entered into the provincial system (after an export was uploaded or re-typed)."""
    _require(actor)
    rows = list(scoped(Visit, actor, CHANGE).filter(pk__in=visit_ids, exported_at__isnull=True))
    now = timezone.now()
    for visit in rows:
        visit.exported_at = now
        visit.save(update_fields=["exported_at"])
    return len(rows)


# --- route plans ----------------------------------------------------------------------------------------


@transaction.atomic
def route_plan_create(
    *,
    actor: Any,
    squadron: OrgUnit | int,
    plan_date: dt.date,
    teams: list[list[Any]],
    person_ids: list[int] | None = None,
    windows: dict[int, tuple[str, str]] | None = None,
    overrides: dict[str, Any] | None = None,
) -> RoutePlan:
    """Plan a field day: the squadron's due focus visits split between visiting teams (OR-Tools)."""
    from jiaozheng.visits.routing import plan_day

    _require(actor)
    squadron = get_scoped_or_404(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.SQUADRON), actor, pk=getattr(squadron, "pk", squadron)
    )
    if plan_date is None or plan_date < timezone.localdate() - dt.timedelta(days=1):
        raise ValidationError({"plan_date": _("Plan today or a later day.")})
    if plan_date > timezone.localdate() + dt.timedelta(days=60):
        raise ValidationError({"plan_date": _("Plan at most 60 days ahead.")})
    clean_teams = []
    for team in teams:
        members = [u for u in team if u is not None]
        if not members:
            continue
        for user in members:
            if not user.is_active or user.role not in STAFF_ROLES or not is_visible(squadron, user):  # type: ignore[arg-type]
                raise ValidationError({"teams": unknown_account(user.pk)})
        clean_teams.append(members)
    if not clean_teams:
        raise ValidationError({"teams": _("Choose at least one visitor.")})
    if len(clean_teams) > 10:
        raise ValidationError({"teams": _("At most 10 visiting teams.")})
    result, params = plan_day(
        actor=actor,
        squadron=squadron,
        day=plan_date,
        teams=clean_teams,
        person_ids=person_ids,
        windows=windows or {},
        overrides=overrides or {},
    )
    return RoutePlan.objects.create(
        squadron=squadron,
        plan_date=plan_date,
        params=params,
        result=result,
        created_by=_user(actor),
    )


# --- overdue warnings -----------------------------------------------------------------------------------


@transaction.atomic
def overdue_warn(*, today: dt.date | None = None, county_ids: list[int] | None = None) -> int:
    """Warn responsible staff once per missed window (daily task). Returns the number of new warnings."""
    from django.urls import reverse

    from jiaozheng.core.models import Notification
    from jiaozheng.core.notify import notify, staff_for_person
    from jiaozheng.people.models import TeamMember
    from jiaozheng.visits.selectors import due_for_persons

    today = today or timezone.localdate()
    persons = Person.objects.filter(status=Status.IN_CORRECTION)
    if county_ids is not None:
        persons = persons.filter(county_id__in=county_ids)
    items = [i for i in due_for_persons(persons, today=today) if i.status == "overdue" and i.missed]
    if not items:
        return 0
    existing = set(
        DueWarning.objects.filter(person_id__in={i.person_id for i in items}).values_list(
            "person_id", "standard_key", "window_start"
        )
    )
    fresh = [i for i in items if (i.person_id, i.standard.key, i.missed.start) not in existing]  # type: ignore[union-attr]
    if not fresh:
        return 0
    team = defaultdict(set)
    for person_id, user_id in TeamMember.objects.filter(
        person_id__in={i.person_id for i in fresh},
        user__isnull=False,
        until__isnull=True,
        user__is_active=True,
    ).values_list("person_id", "user_id"):
        team[person_id].add(user_id)
    person_map = {p.pk: p for p in Person.objects.filter(pk__in={i.person_id for i in fresh})}
    per_user: dict[int, list[str]] = defaultdict(list)
    users: dict[int, Any] = {}
    created = 0
    for item in fresh:
        person = person_map[item.person_id]
        recipients = set(team.get(item.person_id, set()))
        if not recipients:
            for user in staff_for_person(person, [Role.SOCIAL_WORKER, Role.SQUADRON_OFFICER]):
                recipients.add(user.pk)
                users[user.pk] = user
        try:
            with transaction.atomic():
                DueWarning.objects.create(
                    person=person,
                    standard_key=item.standard.key,
                    visit_type=item.standard.visit_type,
                    window_start=item.missed.start,  # type: ignore[union-attr]
                    window_end=item.missed.end,  # type: ignore[union-attr]
                    recipients=sorted(recipients),
                )
        except IntegrityError:
            continue  # another run warned in the meantime
        created += 1
        timeline_add(
            person,
            "visit.overdue",
            kind=item.standard.visit_type,
            end=item.missed.end.isoformat(),  # type: ignore[union-attr]
        )
        for user_id in recipients:
            per_user[user_id].append(f"{person.name}（{VisitType(item.standard.visit_type).label}）")
    missing = set(per_user) - set(users)
    users.update({u.pk: u for u in User.objects.filter(pk__in=missing)})
    link = reverse("visits:due_list") + "?status=overdue"
    for user_id, lines in per_user.items():
        notify(
            [users[user_id]],
            title=_("%(n)s visits overdue") % {"n": len(lines)},
            body="；".join(lines[:30]) + ("……" if len(lines) > 30 else ""),
            link=link,
            level=Notification.Level.WARNING,
            kind="visits.overdue",
        )
    return created


# --- bulk writes (imports, demo) ------------------------------------------------------------------------


def visits_bulk_write(
    *, actor: Any, visits: list[Visit], visitors: list[list[Any]], verb: str = "visit.recorded"
) -> int:
    """Insert validated visits with their visitors in the caller's transaction, audited and on the timeline.

    ``visits[i]`` is unsaved and already validated; ``visitors[i]`` are its staff visitors.
    """
    from jiaozheng.audit import context
    from jiaozheng.audit.models import TimelineEvent
    from jiaozheng.audit.services import record_bulk

    if not visits:
        return 0
    Visit.objects.bulk_create(visits, batch_size=500)
    if any(v.pk is None for v in visits):  # backends without RETURNING on bulk insert
        raise RuntimeError("bulk insert did not return primary keys")
    rows = [VisitVisitor(visit=v, user=u) for v, users in zip(visits, visitors, strict=True) for u in users]
    VisitVisitor.objects.bulk_create(rows, batch_size=1000)
    record_bulk(visits)
    record_bulk(rows)
    ctx = context.current()
    user = ctx.user if ctx.user is not None and getattr(ctx.user, "pk", None) else None
    TimelineEvent.objects.bulk_create(
        [
            TimelineEvent(
                person_id=v.person_id,
                at=v.visited_at,
                verb=verb,
                params={"kind": v.visit_type, "method": v.method, "date": v.visited_on.isoformat()},
                actor=user,
                actor_label=ctx.label[:160],
                model=Visit._meta.label,
                object_id=str(v.pk),
            )
            for v in visits
        ],
        batch_size=1000,
    )
    return len(visits)
