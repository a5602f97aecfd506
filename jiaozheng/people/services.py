"""Writes for the caseload: registration, lifecycle, class changes, team, plans, prohibitions, discipline.

Every service takes the acting user, checks the action and the row scope, validates, writes inside one
transaction (the audit entry is written by AuditedModel in the same transaction) and adds a readable
timeline event. A validation failure raises ``ValidationError`` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.audit.services import timeline_add
from jiaozheng.core.fields import blind_index
from jiaozheng.core.roles import CHANGE, Domain, role_allows
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, is_visible, scope_for
from jiaozheng.core.validators import name_problem, text_problem
from jiaozheng.orgs.models import OrgUnit
from jiaozheng.people.choices import (
    ETHNICITY_BY_NAME,
    DisciplineKind,
    EventKind,
    Gender,
    Status,
    SupervisionClass,
    TerminationReason,
)
from jiaozheng.people.models import (
    ClassChange,
    CorrectionPlan,
    Discipline,
    LifecycleEvent,
    Person,
    PlanReview,
    ProhibitionOrder,
    TeamMember,
    add_months,
)

# Fields a person record can be created or edited with (the class and status have their own services).
EDITABLE_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "id_number",
    "phone",
    "education",
    "employment",
    "employer",
    "address",
    "squadron",
    "township",
    "village",
    "home_latitude",
    "home_longitude",
    "correction_type",
    "offence_category",
    "offence",
    "sentence",
    "deciding_authority",
    "judgment_effective_on",
    "term_start",
    "term_end",
    "risk_level",
    "notes",
)
CREATE_ONLY_FIELDS = ("supervision_class", "intake_on")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PHONE = re.compile(r"^1[3-9]\d{9}$")


def id_number_problem(value: str, birth_date: dt.date | None = None, gender: str | None = None) -> str | None:
    """Why an 18-digit resident ID number (GB 11643-1999) is invalid, or None."""
    if not re.fullmatch(r"\d{17}[\dX]", value or ""):
        return _("An ID number has 17 digits followed by a digit or X.")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        return _("The check digit of the ID number is wrong.")
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("The ID number holds no valid date of birth.")
    if birth_date is not None and born != birth_date:
        return _("The date of birth does not match the ID number (%(date)s).") % {"date": born.isoformat()}
    if gender is not None:
        id_gender = Gender.MALE if int(value[16]) % 2 == 1 else Gender.FEMALE
        if id_gender != gender:
            return _("The gender does not match the ID number.")
    return None


def _require(actor: Any, domain: str = Domain.CASELOAD, action: str = CHANGE) -> None:
    scope = scope_for(actor)
    if not scope.unrestricted and not role_allows(scope.role, domain, action):
        raise PermissionDenied(_("Your role may not do this."))


def _locked(actor: Any, person: Person, domain: str = Domain.CASELOAD) -> Person:
    """Re-read the person inside the transaction, in the actor's scope (404 otherwise), locked for update."""
    _require(actor, domain)
    visible = get_scoped_or_404(Person, actor, pk=person.pk)
    return Person.objects.select_for_update().get(pk=visible.pk)


def _clean_person_data(
    data: dict[str, Any],
    *,
    instance: Person | None = None,
    check_duplicates: bool = True,
    actor: Any = None,
) -> dict[str, Any]:
    """Normalise and cross-check input; raise ValidationError with every problem at once."""
    errors: dict[str, list[str]] = {}
    clean = dict(data)
    for key in (
        "name",
        "id_number",
        "phone",
        "address",
        "employer",
        "offence",
        "sentence",
        "deciding_authority",
        "notes",
    ):
        if isinstance(clean.get(key), str):
            clean[key] = clean[key].strip()
    if clean.get("id_number"):
        clean["id_number"] = clean["id_number"].upper()
    for key in ("name", "address", "employer", "offence", "sentence", "deciding_authority", "hardship_note"):
        problem = text_problem(clean.get(key)) if isinstance(clean.get(key), str) else None
        if problem:
            errors.setdefault(key, []).append(problem)
    if isinstance(clean.get("notes"), str) and (problem := text_problem(clean["notes"], multiline=True)):
        errors.setdefault("notes", []).append(problem)
    if (
        isinstance(clean.get("name"), str)
        and "name" not in errors
        and (problem := name_problem(clean["name"]))
    ):
        errors.setdefault("name", []).append(problem)
    if "ethnicity" in clean and clean["ethnicity"] in ETHNICITY_BY_NAME:
        clean["ethnicity"] = ETHNICITY_BY_NAME[clean["ethnicity"]]

    merged = {f: getattr(instance, f) for f in EDITABLE_FIELDS} if instance else {}
    merged.update(clean)

    id_number = merged.get("id_number")
    if id_number:
        problem = id_number_problem(id_number, merged.get("birth_date"), merged.get("gender"))
        if problem:
            errors.setdefault("id_number", []).append(problem)
        elif check_duplicates:
            duplicates = Person.objects.filter(id_index=blind_index(id_number)).exclude(
                status__in=[Status.RELEASED, Status.TERMINATED]
            )
            if instance is not None:
                duplicates = duplicates.exclude(pk=instance.pk)
            existing = duplicates.first()
            if existing is not None and actor is not None and is_visible(existing, actor):
                errors.setdefault("id_number", []).append(
                    _("A person with this ID number is already under correction (case %(case)s).")
                    % {"case": existing.case_number}
                )
            elif existing is not None:  # in another area: its case number is not the caller's to know
                errors.setdefault("id_number", []).append(
                    _("A person with this ID number is already under correction in another area.")
                )
    phone = merged.get("phone")
    if phone and not _PHONE.match(phone):
        errors.setdefault("phone", []).append(_("A mobile number has 11 digits and starts with 1."))

    squadron = merged.get("squadron")
    if squadron is not None and squadron.kind != OrgUnit.Kind.SQUADRON:
        errors.setdefault("squadron", []).append(_("Choose a squadron or judicial office."))
    township = merged.get("township")
    if township is not None and (
        township.kind != OrgUnit.Kind.TOWNSHIP
        or (squadron is not None and township.squadron_id != squadron.pk)
    ):
        errors.setdefault("township", []).append(_("The township does not belong to this squadron."))
    village = merged.get("village")
    if village is not None and (
        village.kind != OrgUnit.Kind.VILLAGE or (township is not None and village.parent_id != township.pk)
    ):
        errors.setdefault("village", []).append(_("The village does not belong to this township."))

    lat, lon = merged.get("home_latitude"), merged.get("home_longitude")
    if (lat is None) != (lon is None):
        errors.setdefault("home_latitude", []).append(_("Give both latitude and longitude, or neither."))
    if lat is not None and not (-90 <= lat <= 90 and lat == lat):
        errors.setdefault("home_latitude", []).append(_("Latitude must be between -90 and 90."))
    if lon is not None and not (-180 <= lon <= 180 and lon == lon):
        errors.setdefault("home_longitude", []).append(_("Longitude must be between -180 and 180."))

    birth, start, end = merged.get("birth_date"), merged.get("term_start"), merged.get("term_end")
    today = timezone.localdate()
    if birth and birth > today:
        errors.setdefault("birth_date", []).append(_("The date of birth is in the future."))
    if birth and start and birth > start:
        errors.setdefault("birth_date", []).append(_("The date of birth is after the start of the term."))
    if start and end and end < start:
        errors.setdefault("term_end", []).append(_("The term cannot end before it starts."))
    judged = merged.get("judgment_effective_on")
    if judged and judged > today:
        errors.setdefault("judgment_effective_on", []).append(_("This date is in the future."))
    intake = clean.get("intake_on")
    if intake and intake > today:
        errors.setdefault("intake_on", []).append(_("This date is in the future."))
    if errors:
        raise ValidationError(errors)
    return clean


def _derive(person: Person) -> None:
    person.county_id = person.squadron.county_id  # type: ignore[assignment]
    person.id_index = blind_index(person.id_number)
    person.id_tail = (person.id_number or "")[-4:]
    person.phone_index = blind_index(person.phone)
    person.phone_tail = (person.phone or "")[-4:]
    person.is_juvenile = (
        person.age_on(person.term_start) < 18 if person.birth_date and person.term_start else False
    )


def _next_case_number(county: OrgUnit, year: int) -> str:
    prefix = f"{county.code or county.pk}-{year}-"
    last = (
        Person.objects.filter(case_number__startswith=prefix)
        .order_by("-case_number")
        .values_list("case_number", flat=True)
        .first()
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def person_build(*, actor: Any, data: dict[str, Any], units_checked: bool = False) -> Person:
    """Validate registration data and return an unsaved Person with its derived fields.

    ``units_checked=True`` is for imports, which resolve the units from the actor's scope once per file
    and check duplicate ID numbers for the whole file at once (``duplicate_id_numbers``).
    """
    _require(actor)
    unknown = set(data) - set(EDITABLE_FIELDS) - set(CREATE_ONLY_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    clean = _clean_person_data(data, check_duplicates=not units_checked, actor=actor)
    person = Person(**clean)
    if person.squadron_id is None:
        raise ValidationError({"squadron": _("Choose a squadron or judicial office.")})
    _derive(person)
    person.status = Status.IN_CORRECTION if person.intake_on else Status.PENDING
    person.supervision_class = clean.get("supervision_class") or SupervisionClass.STRICT
    person.case_number = "pending"
    if units_checked:
        # field checks only: the units, the term order and duplicates are checked for the whole file
        person.clean_fields(exclude=["case_number", "county", "squadron", "township", "village"])
    else:
        person.full_clean(exclude=["case_number"])
        if not is_visible(person.squadron, actor):
            raise PermissionDenied(_("You may only register persons in your own squadrons or counties."))
    return person


def duplicate_id_numbers(id_indexes: list[str]) -> dict[str, str]:
    """Blind indexes among ``id_indexes`` that belong to a person still under correction -> case number."""
    found: dict[str, str] = {}
    for start in range(0, len(id_indexes), 500):
        chunk = id_indexes[start : start + 500]
        rows = (
            Person.objects.filter(id_index__in=chunk)
            .exclude(status__in=[Status.RELEASED, Status.TERMINATED])
            .values_list("id_index", "case_number")
        )
        found.update(dict(rows))
    return found


@transaction.atomic
def person_create(*, actor: Any, data: dict[str, Any]) -> Person:
    """Register a person (接收登记). With ``intake_on`` the person has reported and is in correction."""
    person = person_build(actor=actor, data=data)
    county = person.squadron.county
    assert county is not None  # a squadron always sits under a county
    person.case_number = _next_case_number(county, (person.term_start or timezone.localdate()).year)
    person.save()
    if not is_visible(person, actor):
        raise PermissionDenied(_("You may only register persons in your own squadrons or counties."))
    _after_registration(actor, person)
    return person


def _after_registration(actor: Any, person: Person) -> None:
    LifecycleEvent.objects.create(
        person=person, kind=EventKind.REGISTERED, occurred_on=timezone.localdate(), recorded_by=_user(actor)
    )
    timeline_add(person, "person.registered", obj=person)
    ClassChange.objects.create(
        person=person,
        from_class="",
        to_class=person.supervision_class,
        effective_on=person.intake_on or timezone.localdate(),
        reason=_("Initial class at registration"),
        decided_by=_user(actor),
    )
    if person.intake_on:
        _record_report(actor, person, person.intake_on, "")


def persons_bulk_register(*, actor: Any, persons: list[Person]) -> int:
    """Register many validated persons (an import) in the caller's transaction, with bulk writes.

    Audit entries, lifecycle events, initial class records and timeline events are written for every
    person, as person_create does one by one.
    """
    from jiaozheng.audit.models import TimelineEvent
    from jiaozheng.audit.services import record_bulk

    _require(actor)
    today = timezone.localdate()
    next_seq: dict[str, int] = {}
    for person in persons:
        county = person.squadron.county
        year = (person.term_start or today).year
        prefix = f"{county.code or county.pk}-{year}-"  # type: ignore[union-attr]
        if prefix not in next_seq:
            last = (
                Person.objects.filter(case_number__startswith=prefix)
                .order_by("-case_number")
                .values_list("case_number", flat=True)
                .first()
            )
            next_seq[prefix] = int(last.rsplit("-", 1)[1]) + 1 if last else 1
        person.case_number = f"{prefix}{next_seq[prefix]:04d}"
        next_seq[prefix] += 1
    created = Person.objects.bulk_create(persons, batch_size=500)
    if Person.objects.filter(pk__in=[p.pk for p in created]).count() != len(created):
        raise ValidationError(_("The import could not be stored completely."))
    user = _user(actor)
    events, changes, timeline = [], [], []
    for person in created:
        events.append(
            LifecycleEvent(
                person=person,
                kind=EventKind.REGISTERED,
                occurred_on=today,
                recorded_by=user,
                note=_("Imported"),
            )
        )
        changes.append(
            ClassChange(
                person=person,
                from_class="",
                to_class=person.supervision_class,
                effective_on=person.intake_on or today,
                reason=_("Initial class at registration"),
                decided_by=user,
            )
        )
        timeline.append(
            TimelineEvent(
                person=person,
                verb="person.registered",
                actor=user,
                actor_label=getattr(actor, "username", "import"),
                model="people.Person",
                object_id=str(person.pk),
            )
        )
        if person.intake_on:
            late = person.reported_late_days
            events.append(
                LifecycleEvent(
                    person=person,
                    kind=EventKind.REPORTED,
                    occurred_on=person.intake_on,
                    data={"late_days": late},
                    recorded_by=user,
                )
            )
    LifecycleEvent.objects.bulk_create(events, batch_size=500)
    ClassChange.objects.bulk_create(changes, batch_size=500)
    TimelineEvent.objects.bulk_create(timeline, batch_size=500)
    record_bulk(created, verb="people.import")
    record_bulk(events, verb="people.import")
    record_bulk(changes, verb="people.import")
    return len(created)


@transaction.atomic
def person_update(*, actor: Any, person: Person, data: dict[str, Any]) -> Person:
    person = _locked(actor, person)
    if person.status in (Status.RELEASED, Status.TERMINATED):
        raise ValidationError(_("The file of a released or terminated person is read-only."))
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    clean = _clean_person_data(data, instance=person, actor=actor)
    for key, value in clean.items():
        setattr(person, key, value)
    _derive(person)
    person.full_clean()
    person.save()
    if not is_visible(person, actor):
        raise PermissionDenied(_("You may not move a person outside your own squadrons or counties."))
    return person


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _record_report(actor: Any, person: Person, reported_on: dt.date, note: str) -> LifecycleEvent:
    late = person.reported_late_days
    event = LifecycleEvent.objects.create(
        person=person,
        kind=EventKind.REPORTED,
        occurred_on=reported_on,
        note=note,
        data={
            "late_days": late,
            "deadline": person.report_deadline().isoformat() if person.report_deadline() else None,  # type: ignore[union-attr]
        },
        recorded_by=_user(actor),
    )
    verb = "person.reported_late" if late > 0 else "person.reported"
    timeline_add(person, verb, obj=event, date=reported_on.isoformat(), late_days=late)
    return event


@transaction.atomic
def person_report(*, actor: Any, person: Person, reported_on: dt.date, note: str = "") -> Person:
    """报到: the person reports in; checks the deadline (rule people.report_deadline_days)."""
    person = _locked(actor, person)
    if person.status != Status.PENDING:
        raise ValidationError(_("Only a person awaiting report can report in."))
    if reported_on > timezone.localdate():
        raise ValidationError({"reported_on": _("This date is in the future.")})
    if person.judgment_effective_on and reported_on < person.judgment_effective_on:
        raise ValidationError({"reported_on": _("The report cannot precede the judgment taking effect.")})
    person.intake_on = reported_on
    person.status = Status.IN_CORRECTION
    person.save()
    _record_report(actor, person, reported_on, note)
    return person


@transaction.atomic
def person_announce(*, actor: Any, person: Person, announced_on: dt.date, note: str = "") -> Person:
    """入矫宣告."""
    person = _locked(actor, person)
    if person.status != Status.IN_CORRECTION:
        raise ValidationError(_("The admission can only be announced for a person in correction."))
    if person.intake_on and announced_on < person.intake_on:
        raise ValidationError({"announced_on": _("The announcement cannot precede the report.")})
    if announced_on > timezone.localdate():
        raise ValidationError({"announced_on": _("This date is in the future.")})
    person.announced_on = announced_on
    person.save()
    event = LifecycleEvent.objects.create(
        person=person, kind=EventKind.ANNOUNCED, occurred_on=announced_on, note=note, recorded_by=_user(actor)
    )
    timeline_add(person, "person.announced", obj=event, date=announced_on.isoformat())
    return person


@transaction.atomic
def class_change(
    *, actor: Any, person: Person, to_class: str, reason: str, effective_on: dt.date | None = None
) -> ClassChange:
    """Change the supervision class; the reason is required and kept in the history."""
    person = _locked(actor, person)
    if to_class not in SupervisionClass.values:
        raise ValidationError({"to_class": _("Unknown supervision class.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    if person.status != Status.IN_CORRECTION:
        raise ValidationError(_("Only a person in correction can change class."))
    if to_class == person.supervision_class:
        raise ValidationError({"to_class": _("The person is already in this class.")})
    effective_on = effective_on or timezone.localdate()
    change = ClassChange.objects.create(
        person=person,
        from_class=person.supervision_class,
        to_class=to_class,
        effective_on=effective_on,
        reason=reason.strip(),
        decided_by=_user(actor),
    )
    person.supervision_class = to_class
    person.save()
    LifecycleEvent.objects.create(
        person=person,
        kind=EventKind.CLASS_CHANGED,
        occurred_on=effective_on,
        note=reason.strip(),
        data={"from": change.from_class, "to": to_class},
        recorded_by=_user(actor),
    )
    timeline_add(person, "person.class_changed", obj=change, from_class=change.from_class, to_class=to_class)
    return change


@transaction.atomic
def person_release(*, actor: Any, person: Person, released_on: dt.date, note: str = "") -> Person:
    """解除矫正 at the end of the term (or by amnesty)."""
    person = _locked(actor, person)
    if person.status != Status.IN_CORRECTION:
        raise ValidationError(_("Only a person in correction can be released."))
    if released_on < person.term_start:
        raise ValidationError({"released_on": _("The release cannot precede the start of the term.")})
    if released_on > timezone.localdate():
        raise ValidationError({"released_on": _("This date is in the future.")})
    person.status = Status.RELEASED
    person.released_on = released_on
    person.save()
    event = LifecycleEvent.objects.create(
        person=person, kind=EventKind.RELEASED, occurred_on=released_on, note=note, recorded_by=_user(actor)
    )
    timeline_add(person, "person.released", obj=event, date=released_on.isoformat())
    return person


@transaction.atomic
def person_terminate(
    *, actor: Any, person: Person, terminated_on: dt.date, reason: str, note: str = ""
) -> Person:
    """终止: revocation, committal or death."""
    person = _locked(actor, person)
    if person.status not in (Status.IN_CORRECTION, Status.PENDING):
        raise ValidationError(_("This person's correction has already ended."))
    if reason not in TerminationReason.values:
        raise ValidationError({"reason": _("Choose the reason for termination.")})
    if terminated_on > timezone.localdate():
        raise ValidationError({"terminated_on": _("This date is in the future.")})
    person.status = Status.TERMINATED
    person.terminated_on = terminated_on
    person.termination_reason = reason
    person.save()
    event = LifecycleEvent.objects.create(
        person=person,
        kind=EventKind.TERMINATED,
        occurred_on=terminated_on,
        note=note,
        data={"reason": reason},
        recorded_by=_user(actor),
    )
    timeline_add(person, "person.terminated", obj=event, reason=reason)
    return person


@transaction.atomic
def team_member_add(
    *,
    actor: Any,
    person: Person,
    name: str,
    role: str,
    gender: str = "",
    phone: str = "",
    organisation: str = "",
    user: Any = None,
) -> TeamMember:
    person = _locked(actor, person)
    member = TeamMember(
        person=person,
        name=(name or "").strip(),
        role=role,
        gender=gender,
        phone=phone.strip(),
        organisation=organisation.strip(),
        user=user,
    )
    member.full_clean()
    member.save()
    timeline_add(person, "person.team_member_added", obj=member, name=member.name, role=role)
    return member


@transaction.atomic
def team_member_end(*, actor: Any, member: TeamMember, until: dt.date | None = None) -> TeamMember:
    _locked(actor, member.person)
    member.until = until or timezone.localdate()
    member.save()
    return member


def team_warnings(person: Person) -> list[str]:
    """Legal requirements of the correction team that are not met (L art. 25)."""
    members = [m for m in person.team.all() if m.until is None or m.until >= timezone.localdate()]
    warnings = []
    if not members:
        warnings.append(_("No correction team has been set up."))
    elif person.gender == Gender.FEMALE and not any(m.gender == Gender.FEMALE for m in members):
        warnings.append(_("A female person's correction team must include a woman (L art. 25)."))
    return warnings


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    person: Person,
    made_on: dt.date,
    goals: str,
    measures: str,
    next_review_on: dt.date | None = None,
) -> CorrectionPlan:
    person = _locked(actor, person)
    if not goals.strip() or not measures.strip():
        raise ValidationError(_("Write the plan's goals and measures."))
    next_review_on = next_review_on or made_on + dt.timedelta(
        days=rule("people.plan_review_days", person.county_id)
    )
    if next_review_on <= made_on:
        raise ValidationError({"next_review_on": _("The review must come after the plan is made.")})
    CorrectionPlan.objects.filter(person=person, active=True).update(active=False)
    plan = CorrectionPlan.objects.create(
        person=person,
        made_on=made_on,
        goals=goals.strip(),
        measures=measures.strip(),
        next_review_on=next_review_on,
        made_by=_user(actor),
    )
    timeline_add(person, "person.plan_made", obj=plan, review=next_review_on.isoformat())
    return plan


@transaction.atomic
def plan_review(
    *, actor: Any, plan: CorrectionPlan, reviewed_on: dt.date, findings: str, next_review_on: dt.date
) -> PlanReview:
    _locked(actor, plan.person)
    if not findings.strip():
        raise ValidationError({"findings": _("Write what the review found.")})
    if next_review_on <= reviewed_on:
        raise ValidationError({"next_review_on": _("The next review must come after this one.")})
    review = PlanReview.objects.create(
        plan=plan,
        reviewed_on=reviewed_on,
        findings=findings.strip(),
        next_review_on=next_review_on,
        reviewed_by=_user(actor),
    )
    plan.next_review_on = next_review_on
    plan.save()
    timeline_add(plan.person, "person.plan_reviewed", obj=review, review=next_review_on.isoformat())
    return review


def _validate_zone(zone: Any) -> None:
    if zone is None:
        return
    if not isinstance(zone, dict) or zone.get("type") not in ("Polygon", "MultiPolygon", "Circle"):
        raise ValidationError({"zone": _("The zone must be a GeoJSON Polygon or a Circle.")})
    if zone["type"] == "Circle":
        center, radius = zone.get("center"), zone.get("radius_m")
        if (
            not isinstance(center, list)
            or len(center) != 2
            or not all(isinstance(c, (int, float)) for c in center)
            or not isinstance(radius, (int, float))
            or not 10 <= radius <= 50_000
        ):
            raise ValidationError(
                {
                    "zone": _(
                        "A circle needs a centre [longitude, latitude] and a radius of 10 to 50,000 metres."
                    )
                }
            )
        lon, lat = center
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError({"zone": _("The circle's centre is outside valid coordinates.")})
        return
    try:
        from shapely.geometry import shape

        geometry = shape(zone)
    except Exception:
        raise ValidationError({"zone": _("The polygon cannot be read.")})
    if geometry.is_empty or not geometry.is_valid:
        raise ValidationError({"zone": _("The polygon is empty or crosses itself.")})
    minx, miny, maxx, maxy = geometry.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationError({"zone": _("The polygon is outside valid coordinates.")})


@transaction.atomic
def prohibition_add(
    *,
    actor: Any,
    person: Person,
    kind: str,
    content: str,
    start_on: dt.date,
    end_on: dt.date,
    zone: dict | None = None,
    schedule: dict | None = None,
) -> ProhibitionOrder:
    person = _locked(actor, person)
    if end_on < start_on:
        raise ValidationError({"end_on": _("The order cannot end before it starts.")})
    _validate_zone(zone)
    order = ProhibitionOrder(
        person=person,
        kind=kind,
        content=(content or "").strip(),
        start_on=start_on,
        end_on=end_on,
        zone=zone,
        schedule=schedule,
    )
    order.full_clean()
    order.save()
    timeline_add(person, "person.prohibition_added", obj=order, kind=kind)
    return order


@transaction.atomic
def hardship_set(
    *, actor: Any, person: Person, hardship: bool, note: str = "", authorised_domain: str = Domain.CASELOAD
) -> Person:
    """Mark or unmark a family in hardship. A visit's hardship help calls it with Domain.SERVICES."""
    person = _locked(actor, person, authorised_domain)
    person.is_hardship = hardship
    person.hardship_note = note.strip()[:200]
    person.save()
    timeline_add(person, "person.hardship_set" if hardship else "person.hardship_cleared", obj=person)
    return person


# --- discipline -----------------------------------------------------------------------------------------


@transaction.atomic
def discipline_add(
    *,
    actor: Any,
    person: Person,
    kind: str,
    reason: str,
    decided_on: dt.date | None = None,
    source: str = Discipline.Source.MANUAL,
    source_obj: Any = None,
    authorised_domain: str = Domain.CASELOAD,
) -> Discipline:
    """Record a commendation, admonition, warning or proposed police penalty.

    Other modules (a visit's 训诫, an alert's outcome) call this with the domain that authorises the
    action for their users (``authorised_domain``) and the record that caused it (``source_obj``).
    """
    person = _locked(actor, person, authorised_domain)
    if kind not in DisciplineKind.values:
        raise ValidationError({"kind": _("Unknown kind of discipline record.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason.")})
    decided_on = decided_on or timezone.localdate()
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("This date is in the future.")})
    if kind == DisciplineKind.COMMENDATION and person.intake_on:
        months = rule("people.commendation_min_months", person.county_id)
        if add_months(person.intake_on, months) > decided_on:
            raise ValidationError(
                {"kind": _("A commendation needs at least %(n)s months in correction.") % {"n": months}}
            )
    record = Discipline.objects.create(
        person=person,
        kind=kind,
        reason=reason.strip(),
        decided_on=decided_on,
        decided_by=_user(actor),
        source=source,
        source_model=source_obj._meta.label if source_obj is not None else "",
        source_id=str(source_obj.pk) if source_obj is not None else "",
    )
    timeline_add(person, "person.discipline", obj=record, kind=kind)
    return record


@dataclass(frozen=True)
class Escalation:
    commendations: int
    admonitions: int
    warnings: int
    police_penalties: int
    suggestion: str  # "", "warning", "revocation"

    @property
    def suggestion_text(self) -> str:
        if self.suggestion == "warning":
            return _("%(n)s admonitions: consider a warning if the behaviour is still not corrected.") % {
                "n": self.admonitions
            }
        if self.suggestion == "revocation":
            return _("%(n)s warnings: consider proposing revocation if still not corrected.") % {
                "n": self.warnings
            }
        return ""


def escalation_status(person: Person) -> Escalation:
    """Counters toward escalation (domain.md (c)); a person decides, the platform only suggests.

    Admonitions count from the latest warning on (a warning answers the admonitions before it).
    """
    records = list(person.discipline.order_by("decided_on", "id").values_list("kind", "decided_on"))
    counts = dict.fromkeys(DisciplineKind.values, 0)
    admonitions_since_warning = 0
    for kind, _day in records:
        counts[kind] += 1
        if kind == DisciplineKind.WARNING:
            admonitions_since_warning = 0
        elif kind == DisciplineKind.ADMONITION:
            admonitions_since_warning += 1
    suggestion = ""
    if counts[DisciplineKind.WARNING] >= rule("people.warnings_to_revocation", person.county_id):
        suggestion = "revocation"
    elif admonitions_since_warning >= rule("people.admonitions_to_warning", person.county_id):
        suggestion = "warning"
    return Escalation(
        counts[DisciplineKind.COMMENDATION],
        counts[DisciplineKind.ADMONITION],
        counts[DisciplineKind.WARNING],
        counts[DisciplineKind.POLICE_PENALTY],
        suggestion,
    )


def late_report_suggestion(person: Person) -> str:
    """What the late-report rule suggests: "" (on time), "admonition" or "warning"."""
    late = person.reported_late_days
    if late <= 0:
        return ""
    return "admonition" if late <= rule("people.admonition_max_days_late", person.county_id) else "warning"
