"""Writes of education and study: courses and materials, theme plans, sessions, rosters and attendance.

Every service takes the acting user, checks the role (``require``) and the row (``get_scoped_or_404``),
validates, and writes inside one transaction; a ``ValidationError`` changes nothing. Attendance changes
add readable events to the person's timeline.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jiaozheng.audit.services import record_bulk, timeline_add
from jiaozheng.core.notify import notify
from jiaozheng.core.photos import attach_photo
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain, Role
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, require, scope_for, scoped
from jiaozheng.education.choices import (
    AttendanceMethod,
    AttendanceStatus,
    CancelReason,
    EducationMode,
    EducationStage,
    LecturerKind,
    PlanStatus,
    SessionStatus,
    TopicCategory,
)
from jiaozheng.education.models import (
    Attendance,
    Course,
    CourseMaterial,
    Session,
    SessionPhoto,
    ThemePlan,
)
from jiaozheng.education.uploads import check_material
from jiaozheng.orgs.models import OrgUnit, User
from jiaozheng.people.choices import OffenceCategory, Status
from jiaozheng.people.models import Person, add_months

# Roles that approve a monthly plan (R: 社工策划组织、司法局审核把关: the bureau checks what the provider plans).
APPROVER_ROLES = frozenset({Role.BUREAU_ADMIN, Role.BUREAU_OFFICER, Role.SQUADRON_OFFICER})
MAX_SESSION_HOURS = Decimal("12")
MAX_DAYS_AHEAD = 400

SESSION_FIELDS = (
    "title",
    "category",
    "course",
    "mode",
    "stage",
    "offence_categories",
    "for_juveniles",
    "date",
    "start_time",
    "end_time",
    "place",
    "online_link",
    "lecturer",
    "lecturer_name",
    "lecturer_kind",
    "hours",
    "max_score",
    "summary",
    "plan",
)
# What may still be corrected on a session that has been held.
HELD_EDITABLE = (
    "title",
    "category",
    "course",
    "place",
    "lecturer",
    "lecturer_name",
    "lecturer_kind",
    "hours",
    "max_score",
    "summary",
)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _change(actor: Any) -> None:
    require(actor, Domain.SERVICES, CHANGE)


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def default_hours(start: dt.time, end: dt.time) -> Decimal:
    """Hours credited for a session of this length: whole half-hours, at least half an hour, at most 12."""
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    halves = min(24, max(1, math.floor(max(minutes, 0) / 30)))
    return Decimal(halves) / 2


def _decimal(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        _add(errors, field, _("Enter a number."))
        return None
    if not number.is_finite():
        _add(errors, field, _("Enter a number."))
        return None
    return number.quantize(Decimal("0.1"), rounding=ROUND_FLOOR)


def visible_squadrons(actor: Any) -> QuerySet[OrgUnit]:
    return scoped(OrgUnit, actor).filter(kind=OrgUnit.Kind.SQUADRON, active=True)


def _county_level(actor: Any, county: OrgUnit) -> bool:
    scope = scope_for(actor)
    return scope.unrestricted or county.pk in scope.county_ids


def owner_units(actor: Any, county: Any, squadron: Any) -> tuple[OrgUnit, OrgUnit | None]:
    """County and optional owning squadron of a county-level record (course, venue, team member).

    A squadron's record is seen by that squadron and the county; a record without squadron is shared by the
    whole county and only county staff create or change it.
    """
    if squadron is not None:
        unit = visible_squadrons(actor).filter(pk=getattr(squadron, "pk", squadron)).first()
        if unit is None:
            raise ValidationError({"squadron": _("Choose a squadron of your area.")})
        return OrgUnit.objects.get(pk=unit.county_id), unit
    if county is None:
        raise ValidationError({"squadron": _("Choose the squadron.")})
    county = get_scoped_or_404(OrgUnit, actor, pk=getattr(county, "pk", county), kind=OrgUnit.Kind.COUNTY)
    if not _county_level(actor, county):
        raise ValidationError(
            {"squadron": _("Choose your squadron: only county staff keep records for the whole county.")}
        )
    return county, None


def check_shared_change(actor: Any, obj: Any) -> None:
    """Records shared by the whole county are changed by county staff only."""
    if obj.squadron_id is None and not _county_level(actor, OrgUnit(pk=obj.county_id)):
        raise PermissionDenied(_("Only county staff change the records shared by the whole county."))


# --- courses and materials -------------------------------------------------------------------------------


COURSE_FIELDS = (
    "title",
    "category",
    "stage",
    "summary",
    "default_hours",
    "offence_categories",
    "lecturer_kind",
    "active",
)


def _clean_course(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean = {k: v for k, v in data.items() if k in COURSE_FIELDS}
    clean["title"] = (clean.get("title") or "").strip()
    if not clean["title"]:
        _add(errors, "title", _("Give the title."))
    elif len(clean["title"]) > 120:
        _add(errors, "title", _("At most 120 characters."))
    if clean.get("category") not in TopicCategory.values:
        _add(errors, "category", _("Choose a topic category."))
    clean.setdefault("stage", EducationStage.ROUTINE)
    if clean["stage"] not in EducationStage.values:
        _add(errors, "stage", _("Choose a stage."))
    hours = _decimal(clean.get("default_hours", "2"), "default_hours", errors)
    if hours is not None and not (Decimal("0.5") <= hours <= MAX_SESSION_HOURS):
        _add(errors, "default_hours", _("Between 0.5 and 12 hours."))
    clean["default_hours"] = hours if hours is not None else Decimal("2")
    categories = list(clean.get("offence_categories") or [])
    if any(c not in OffenceCategory.values for c in categories):
        _add(errors, "offence_categories", _("Unknown offence category."))
    clean["offence_categories"] = sorted(set(categories))
    clean.setdefault("lecturer_kind", LecturerKind.SOCIAL_WORKER)
    if clean["lecturer_kind"] not in LecturerKind.values:
        _add(errors, "lecturer_kind", _("Choose a lecturer type."))
    clean["summary"] = (clean.get("summary") or "").strip()
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def course_create(*, actor: Any, county: Any = None, data: dict[str, Any]) -> Course:
    """Add a course to the county library (no squadron) or to a squadron's own courses."""
    _change(actor)
    county, squadron = owner_units(actor, county, data.get("squadron"))
    clean = _clean_course(data)
    if Course.objects.filter(county=county, title=clean["title"]).exists():
        raise ValidationError({"title": _("The library already has a course with this title.")})
    return Course.objects.create(county=county, squadron=squadron, created_by=_user(actor), **clean)


@transaction.atomic
def course_update(*, actor: Any, course: Course, data: dict[str, Any]) -> Course:
    course = get_scoped_or_404(Course, actor, CHANGE, pk=course.pk)
    check_shared_change(actor, course)
    merged = {f: getattr(course, f) for f in COURSE_FIELDS}
    merged.update({k: v for k, v in data.items() if k in COURSE_FIELDS})
    clean = _clean_course(merged)
    if Course.objects.filter(county_id=course.county_id, title=clean["title"]).exclude(pk=course.pk).exists():
        raise ValidationError({"title": _("The library already has a course with this title.")})
    for key, value in clean.items():
        setattr(course, key, value)
    course.save()
    return course


@transaction.atomic
def material_add(*, actor: Any, course: Course, upload: Any) -> CourseMaterial:
    course = get_scoped_or_404(Course, actor, CHANGE, pk=course.pk)
    check_shared_change(actor, course)
    checked = check_material(upload)
    if course.materials.count() >= 30:
        raise ValidationError(_("A course holds at most 30 materials."))
    material = CourseMaterial(
        course=course,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=_user(actor),
    )
    material.file.save(f"material.{checked.extension}", ContentFile(checked.content), save=False)
    material.save()
    return material


@transaction.atomic
def material_delete(*, actor: Any, material: CourseMaterial) -> None:
    material = get_scoped_or_404(
        CourseMaterial.objects.select_related("course"), actor, CHANGE, pk=material.pk
    )
    check_shared_change(actor, material.course)
    stored = material.file.name
    storage = material.file.storage
    material.delete()
    transaction.on_commit(lambda: storage.delete(stored))


# --- monthly theme plans -----------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return add_months(month_start(day), 1) - dt.timedelta(days=1)


@transaction.atomic
def plan_save(
    *,
    actor: Any,
    squadron: OrgUnit,
    month: dt.date,
    theme: str,
    notes: str = "",
    plan: ThemePlan | None = None,
) -> ThemePlan:
    """Create the squadron's plan for the month, or change its theme and notes."""
    _change(actor)
    theme = (theme or "").strip()
    if not theme:
        raise ValidationError({"theme": _("Give the theme of the month.")})
    if len(theme) > 120:
        raise ValidationError({"theme": _("At most 120 characters.")})
    if plan is not None:
        plan = get_scoped_or_404(ThemePlan, actor, CHANGE, pk=plan.pk)
        plan.theme, plan.notes = theme, (notes or "").strip()
        plan.save()
        return plan
    squadron = get_scoped_or_404(visible_squadrons(actor), actor, pk=getattr(squadron, "pk", squadron))
    month = month_start(month)
    existing = ThemePlan.objects.filter(squadron=squadron, month=month).first()
    if existing is not None:
        existing.theme, existing.notes = theme, (notes or "").strip() or existing.notes
        existing.save()
        return existing
    return ThemePlan.objects.create(
        county_id=squadron.county_id,
        squadron=squadron,
        month=month,
        theme=theme,
        notes=(notes or "").strip(),
        created_by=_user(actor),
    )


@transaction.atomic
def plan_approve(*, actor: Any, plan: ThemePlan) -> ThemePlan:
    plan = get_scoped_or_404(ThemePlan, actor, CHANGE, pk=plan.pk)
    scope = scope_for(actor)
    if not scope.unrestricted and scope.role not in APPROVER_ROLES:
        raise PermissionDenied(_("Only justice staff approve monthly plans."))
    if plan.status == PlanStatus.APPROVED:
        raise ValidationError(_("The plan has already been approved."))
    if not plan.sessions.exclude(status=SessionStatus.CANCELLED).exists():
        raise ValidationError(_("The plan has no sessions yet."))
    plan.status = PlanStatus.APPROVED
    plan.approved_by = _user(actor)
    plan.approved_at = timezone.now()
    plan.save()
    return plan


@transaction.atomic
def plan_apply(
    *, actor: Any, squadron: OrgUnit, month: dt.date, theme: str, items: Iterable[dict[str, Any]]
) -> tuple[ThemePlan, list[Session]]:
    """Save the month's plan and create the chosen (possibly edited) proposals as planned sessions."""
    plan = plan_save(actor=actor, squadron=squadron, month=month, theme=theme)
    sessions = []
    errors: list[str] = []
    for n, item in enumerate(items, 1):
        data = dict(item)
        data["squadrons"] = [plan.squadron]
        data["plan"] = plan
        try:
            with transaction.atomic():
                sessions.append(session_create(actor=actor, data=data))
        except ValidationError as exc:
            errors.extend(f"{_('Session %(n)s') % {'n': n}}: {m}" for m in exc.messages)
    if errors:
        raise ValidationError(errors)
    if not sessions:
        raise ValidationError(_("Choose at least one session to plan."))
    return plan, sessions


# --- sessions ---------------------------------------------------------------------------------------------


def _clean_session(
    actor: Any,
    data: dict[str, Any],
    *,
    instance: Session | None = None,
    keep_squadrons: Iterable[OrgUnit] = (),
) -> dict[str, Any]:
    """Normalise and cross-check session data; raise ValidationError listing every problem.

    Squadrons already on the session (``instance`` or ``keep_squadrons``) stay allowed even when the actor
    does not see them (a squadron's social worker editing a session shared with another squadron).
    """
    errors: dict[str, list[str]] = {}
    merged: dict[str, Any] = {}
    if instance is not None:
        merged.update({f: getattr(instance, f) for f in SESSION_FIELDS})
        merged["squadrons"] = list(instance.squadrons.all())
        merged["county"] = instance.county
    merged.update(data)
    clean: dict[str, Any] = {}

    title = (merged.get("title") or "").strip()
    if not title:
        _add(errors, "title", _("Give the theme of the session."))
    elif len(title) > 120:
        _add(errors, "title", _("At most 120 characters."))
    clean["title"] = title
    for key, choices, message in (
        ("category", TopicCategory, _("Choose a topic category.")),
        ("mode", EducationMode, _("Choose a format.")),
        ("stage", EducationStage, _("Choose a stage.")),
        ("lecturer_kind", LecturerKind, _("Choose a lecturer type.")),
    ):
        value = merged.get(key) or (
            "routine" if key == "stage" else "social_worker" if key == "lecturer_kind" else ""
        )
        if value not in choices.values:
            _add(errors, key, message)
        clean[key] = value

    squadrons = list(merged.get("squadrons") or [])
    allowed = {u.pk: u for u in visible_squadrons(actor)}
    kept = list(keep_squadrons) + (list(instance.squadrons.all()) if instance is not None else [])
    allowed.update({u.pk: u for u in kept})
    county = merged.get("county")
    chosen = []
    for unit in squadrons:
        unit_id = getattr(unit, "pk", unit)
        if unit_id not in allowed:
            _add(errors, "squadrons", _("You may not plan sessions for this squadron."))
            continue
        chosen.append(allowed[unit_id])
    if chosen:
        counties = {u.county_id for u in chosen}
        if len(counties) > 1:
            _add(errors, "squadrons", _("All squadrons of a session must be in one county."))
        county = OrgUnit.objects.get(pk=chosen[0].county_id)
    elif county is None:
        _add(errors, "squadrons", _("Choose the squadrons the session serves."))
    else:
        county = get_scoped_or_404(OrgUnit, actor, pk=getattr(county, "pk", county), kind=OrgUnit.Kind.COUNTY)
        if instance is None and not _county_level(actor, county):
            _add(errors, "squadrons", _("Only county staff plan sessions for the whole county."))
    clean["squadrons"] = chosen
    clean["county"] = county

    day, start, end = merged.get("date"), merged.get("start_time"), merged.get("end_time")
    if not isinstance(day, dt.date):
        _add(errors, "date", _("Give the date."))
    elif (day - timezone.localdate()).days > MAX_DAYS_AHEAD:
        _add(errors, "date", _("The date is more than a year ahead."))
    if not isinstance(start, dt.time):
        _add(errors, "start_time", _("Give the start time."))
    if not isinstance(end, dt.time):
        _add(errors, "end_time", _("Give the end time."))
    if isinstance(start, dt.time) and isinstance(end, dt.time) and end <= start:
        _add(errors, "end_time", _("The session must end after it starts."))
    clean.update(date=day, start_time=start, end_time=end)

    place = (merged.get("place") or "").strip()
    link = (merged.get("online_link") or "").strip()
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            _add(errors, "online_link", _("Give a web address starting with http:// or https://."))
    if not place and not link:
        _add(errors, "place", _("Give the place or the online link."))
    if len(place) > 200:
        _add(errors, "place", _("At most 200 characters."))
    clean.update(place=place, online_link=link)

    categories = list(merged.get("offence_categories") or [])
    if any(c not in OffenceCategory.values for c in categories):
        _add(errors, "offence_categories", _("Unknown offence category."))
    clean["offence_categories"] = sorted(set(categories))
    clean["for_juveniles"] = bool(merged.get("for_juveniles"))

    course = merged.get("course")
    if course is not None:
        course = scoped(Course, actor).filter(pk=getattr(course, "pk", course)).first()
        if course is None or (county is not None and course.county_id != county.pk):
            _add(errors, "course", _("Choose a course of this county's library."))
    clean["course"] = course

    lecturer = merged.get("lecturer")
    if lecturer is not None:
        lecturer = User.objects.filter(
            pk=getattr(lecturer, "pk", lecturer), is_active=True, role__in=list(STAFF_ROLES)
        ).first()
        if lecturer is None:
            _add(errors, "lecturer", _("Choose an active staff account."))
    clean["lecturer"] = lecturer
    name = (merged.get("lecturer_name") or "").strip()
    if not name and lecturer is not None:
        name = lecturer.full_name or lecturer.username
    if not name:
        _add(errors, "lecturer_name", _("Give the lecturer."))
    clean["lecturer_name"] = name[:50]

    hours = _decimal(merged.get("hours"), "hours", errors)
    if hours is None and isinstance(start, dt.time) and isinstance(end, dt.time) and end > start:
        hours = default_hours(start, end)
    if hours is not None and not (Decimal("0") < hours <= MAX_SESSION_HOURS):
        _add(errors, "hours", _("Between 0.5 and 12 hours."))
    clean["hours"] = hours
    max_score = _decimal(merged.get("max_score"), "max_score", errors)
    if max_score is not None and not (Decimal("0") < max_score <= Decimal("1000")):
        _add(errors, "max_score", _("Full marks must be between 1 and 1000."))
    clean["max_score"] = max_score
    clean["summary"] = (merged.get("summary") or "").strip()

    plan = merged.get("plan")
    if plan is not None:
        plan = scoped(ThemePlan, actor).filter(pk=getattr(plan, "pk", plan)).first()
        if plan is None or (chosen and plan.squadron_id not in {u.pk for u in chosen}):
            _add(errors, "plan", _("The plan belongs to another squadron."))
        elif isinstance(day, dt.date) and month_start(day) != plan.month:
            _add(errors, "date", _("The date is not in the month of the plan."))
    clean["plan"] = plan
    if clean["stage"] == EducationStage.ADMISSION and clean["category"] not in (
        TopicCategory.ADMISSION,
        TopicCategory.LAW,
    ):
        clean["category"] = TopicCategory.ADMISSION
    if clean["stage"] == EducationStage.RELEASE and clean["category"] not in (
        TopicCategory.RELEASE,
        TopicCategory.LAW,
    ):
        clean["category"] = TopicCategory.RELEASE
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def session_create(*, actor: Any, data: dict[str, Any], keep_squadrons: Iterable[OrgUnit] = ()) -> Session:
    """Plan (or record) a session and put every eligible person on its roster."""
    _change(actor)
    clean = _clean_session(actor, data, keep_squadrons=keep_squadrons)
    squadrons = clean.pop("squadrons")
    session = Session.objects.create(created_by=_user(actor), status=SessionStatus.PLANNED, **clean)
    if squadrons:
        session.squadrons.set(squadrons)
    _roster_add(session)
    return session


def _locked_session(actor: Any, session: Session | int) -> Session:
    visible = get_scoped_or_404(Session, actor, CHANGE, pk=getattr(session, "pk", session))
    return Session.objects.select_for_update().get(pk=visible.pk)


@transaction.atomic
def session_update(*, actor: Any, session: Session, data: dict[str, Any]) -> Session:
    session = _locked_session(actor, session)
    if session.status in (SessionStatus.CANCELLED, SessionStatus.RESCHEDULED):
        raise ValidationError(_("A cancelled or rescheduled session cannot be changed."))
    if session.status == SessionStatus.HELD:
        fixed = [k for k in data if k not in HELD_EDITABLE and k != "squadrons"]
        changed = [k for k in fixed if data[k] != getattr(session, k, None)]
        if "squadrons" in data and {getattr(u, "pk", u) for u in data["squadrons"]} != set(
            session.squadrons.values_list("pk", flat=True)
        ):
            changed.append("squadrons")
        if changed:
            raise ValidationError(
                _("A held session keeps its date, format and squadrons; correct only its record.")
            )
    old_hours = session.hours
    clean = _clean_session(actor, data, instance=session)
    squadrons = clean.pop("squadrons")
    clean.pop("county")
    for key, value in clean.items():
        setattr(session, key, value)
    session.save()
    if {u.pk for u in squadrons} != set(session.squadrons.values_list("pk", flat=True)):
        session.squadrons.set(squadrons)
    if session.hours != old_hours:
        for row in session.attendances.filter(status=AttendanceStatus.PRESENT):
            row.hours = session.hours
            row.save(update_fields=["hours"])
    if session.status == SessionStatus.PLANNED:
        _roster_prune(session)
        _roster_add(session)
    return session


def eligible_persons(session: Session) -> QuerySet[Person]:
    """Persons who belong on the roster: in the session's squadrons (or county) and in correction on the
    day; for admission sessions new entrants, for release sessions persons near the end of their term,
    for sessions by category only those offence categories; juveniles only in juveniles' sessions."""
    day = session.date
    qs = Person.objects.filter(county_id=session.county_id, intake_on__isnull=False, intake_on__lte=day)
    qs = qs.filter(
        Q(status=Status.IN_CORRECTION, term_end__gte=day)
        | Q(status=Status.RELEASED, released_on__gte=day)
        | Q(status=Status.TERMINATED, terminated_on__gte=day)
    )
    squadron_ids = list(session.squadrons.values_list("pk", flat=True)) if session.pk else []
    if squadron_ids:
        qs = qs.filter(squadron_id__in=squadron_ids)
    if session.stage in (EducationStage.ADMISSION, EducationStage.RELEASE):
        if session.stage == EducationStage.ADMISSION:
            months = rule("people.new_entrant_months", session.county_id)
            qs = qs.filter(intake_on__gt=add_months(day, -months))
        else:
            window = rule("education.release_window_days", session.county_id)
            qs = qs.filter(term_end__lte=day + dt.timedelta(days=window))
        # who already had this education (at another held session) is not called again
        done = Attendance.objects.filter(
            status=AttendanceStatus.PRESENT, session__status=SessionStatus.HELD, session__stage=session.stage
        )
        if session.pk:
            done = done.exclude(session_id=session.pk)
        qs = qs.exclude(pk__in=done.values("person_id"))
    if session.offence_categories:
        qs = qs.filter(offence_category__in=session.offence_categories)
    return qs.filter(is_juvenile=session.for_juveniles)


def _roster_add(session: Session) -> int:
    existing = set(session.attendances.values_list("person_id", flat=True))
    rows = [
        Attendance(session=session, county_id=session.county_id, person=p)
        for p in eligible_persons(session).only("pk", "name", "county_id").order_by("pk")
        if p.pk not in existing
    ]
    if not rows:
        return 0
    Attendance.objects.bulk_create(rows)
    record_bulk(rows, verb="education.roster")
    return len(rows)


def _roster_prune(session: Session) -> int:
    """Remove unmarked roster rows of persons who are no longer eligible (after a change of the session)."""
    eligible = eligible_persons(session).values("pk")
    stale = list(
        session.attendances.filter(status=AttendanceStatus.EXPECTED, method=AttendanceMethod.ROSTER).exclude(
            person_id__in=eligible
        )
    )
    for row in stale:
        row.delete()
    return len(stale)


@transaction.atomic
def session_roster_refresh(*, actor: Any, session: Session) -> int:
    """Add persons who became eligible since the roster was made (new entrants, transfers)."""
    session = _locked_session(actor, session)
    if not session.is_open:
        raise ValidationError(_("A cancelled or rescheduled session has no roster to refresh."))
    return _roster_add(session)


def rosters_refresh_upcoming(*, days: int = 14) -> int:
    """Daily task: add newly eligible persons to the rosters of planned sessions in the coming days."""
    today = timezone.localdate()
    added = 0
    for session in Session.objects.filter(
        status=SessionStatus.PLANNED, date__gte=today, date__lte=today + dt.timedelta(days=days)
    ):
        with transaction.atomic():
            added += _roster_add(session)
    return added


@transaction.atomic
def session_hold(*, actor: Any, session: Session, summary: str = "") -> Session:
    """Record that a planned session took place."""
    session = _locked_session(actor, session)
    if session.status != SessionStatus.PLANNED:
        raise ValidationError(_("Only a planned session can be recorded as held."))
    if session.starts_at > timezone.now():
        raise ValidationError(_("A session cannot be recorded as held before it starts."))
    _roster_add(session)
    session.status = SessionStatus.HELD
    session.summary = (summary or "").strip() or session.summary
    session.held_recorded_by = _user(actor)
    session.held_recorded_at = timezone.now()
    session.save()
    return session


def _roster_accounts(session: Session) -> list[Any]:
    return list(
        User.objects.filter(
            is_active=True,
            role=Role.SUBJECT,
            person__education_attendance__session=session,
        ).distinct()
    )


@transaction.atomic
def session_cancel(*, actor: Any, session: Session, reason: str, note: str = "") -> Session:
    """Cancel a planned session (it never counts as held and credits no hours); tell the persons."""
    session = _locked_session(actor, session)
    if session.status != SessionStatus.PLANNED:
        raise ValidationError(_("Only a planned session can be cancelled; a held session stays on record."))
    if reason not in CancelReason.values:
        raise ValidationError({"reason": _("Choose the reason.")})
    note = (note or "").strip()
    if reason == CancelReason.OTHER and not note:
        raise ValidationError({"note": _("Explain the reason.")})
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = reason
    session.cancel_note = note[:200]
    session.save()
    session.attendances.filter(status=AttendanceStatus.PRESENT).update(hours=Decimal("0"))
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            _roster_accounts(session),
            title=_("Session cancelled: %(title)s on %(date)s")
            % {"title": session.title, "date": session.date.isoformat()},
            body=str(CancelReason(reason).label) + (f"：{note}" if note else ""),
            link="/education/me/",
            kind="education.cancelled",
        )
    return session


@transaction.atomic
def session_reschedule(
    *,
    actor: Any,
    session: Session,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    reason: str = "",
    note: str = "",
) -> Session:
    """Move a planned session: the old one is kept as "rescheduled" and links to the new one."""
    session = _locked_session(actor, session)
    if session.status != SessionStatus.PLANNED:
        raise ValidationError(_("Only a planned session can be rescheduled."))
    if reason and reason not in CancelReason.values:
        raise ValidationError({"reason": _("Choose the reason.")})
    if date == session.date and start_time == session.start_time:
        raise ValidationError({"date": _("Choose another date or time.")})
    if date < timezone.localdate():
        raise ValidationError({"date": _("A session cannot be moved into the past.")})
    data = {f: getattr(session, f) for f in SESSION_FIELDS}
    data.update(date=date, start_time=start_time, end_time=end_time, squadrons=list(session.squadrons.all()))
    if session.plan_id and month_start(date) != session.plan.month:  # type: ignore[union-attr]
        data["plan"] = None
    data["county"] = session.county
    new = session_create(actor=actor, data=data, keep_squadrons=data["squadrons"])
    session.status = SessionStatus.RESCHEDULED
    session.cancel_reason = reason
    session.cancel_note = (note or "").strip()[:200]
    session.rescheduled_to = new
    session.save()
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            _roster_accounts(new),
            title=_("Session moved: %(title)s, now on %(date)s %(time)s")
            % {"title": new.title, "date": new.date.isoformat(), "time": new.start_time.strftime("%H:%M")},
            link="/education/me/",
            kind="education.rescheduled",
        )
    return new


# --- attendance -------------------------------------------------------------------------------------------


def _locked_attendance(actor: Any, attendance: Attendance | int) -> Attendance:
    visible = get_scoped_or_404(Attendance, actor, CHANGE, pk=getattr(attendance, "pk", attendance))
    return Attendance.objects.select_for_update().select_related("session", "person").get(pk=visible.pk)


def _apply_status(row: Attendance, status: str, actor: Any, *, method: str | None = None) -> bool:
    """Set a row's status and derived fields; True if anything changed."""
    session = row.session
    before = (row.status, row.hours)
    if status != row.status and method is not None:
        row.method = method
    row.status = status
    row.hours = session.hours if status == AttendanceStatus.PRESENT else Decimal("0")
    if status != AttendanceStatus.PRESENT:
        row.score = None
    row.marked_by = _user(actor)
    row.marked_at = timezone.now()
    return before != (row.status, row.hours)


def _timeline(row: Attendance) -> None:
    session = row.session
    if row.status == AttendanceStatus.PRESENT:
        timeline_add(
            row.person_id,
            "education.attended",
            obj=row,
            title=session.title,
            date=session.date.isoformat(),
            hours=str(row.hours),
        )
    elif row.status == AttendanceStatus.ABSENT:
        timeline_add(
            row.person_id, "education.absent", obj=row, title=session.title, date=session.date.isoformat()
        )


@transaction.atomic
def attendance_mark(
    *, actor: Any, attendance: Attendance, status: str, note: str | None = None
) -> Attendance:
    """One-click marking on the roster: present, absent, excused (or back to not marked)."""
    row = _locked_attendance(actor, attendance)
    session = row.session
    if not session.is_open:
        raise ValidationError(_("The session was cancelled or rescheduled; attendance cannot be recorded."))
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": _("Unknown attendance status.")})
    if status in (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT) and session.starts_at > timezone.now():
        raise ValidationError(_("The session has not started yet."))
    if note is not None:
        row.note = note.strip()[:200]
    method = AttendanceMethod.ROSTER
    if row.method == AttendanceMethod.SELF and status == AttendanceStatus.PRESENT:
        method = AttendanceMethod.SELF
    changed = _apply_status(row, status, actor, method=method)
    row.save()
    if changed:
        _timeline(row)
    return row


@transaction.atomic
def attendance_mark_all_present(*, actor: Any, session: Session) -> int:
    """Mark every not-yet-marked person on the roster the actor sees as present."""
    session = _locked_session(actor, session)
    if not session.is_open:
        raise ValidationError(_("The session was cancelled or rescheduled; attendance cannot be recorded."))
    if session.starts_at > timezone.now():
        raise ValidationError(_("The session has not started yet."))
    rows = scoped(Attendance, actor).filter(session=session, status=AttendanceStatus.EXPECTED)
    count = 0
    for row in rows.select_related("session"):
        _apply_status(row, AttendanceStatus.PRESENT, actor, method=AttendanceMethod.ROSTER)
        row.save()
        _timeline(row)
        count += 1
    return count


@transaction.atomic
def attendance_score(*, actor: Any, attendance: Attendance, score: Any) -> Attendance:
    row = _locked_attendance(actor, attendance)
    session = row.session
    if session.max_score is None:
        raise ValidationError(_("This session has no quiz; set the full marks first."))
    if row.status != AttendanceStatus.PRESENT:
        raise ValidationError(_("Only persons present can have a score."))
    errors: dict[str, list[str]] = {}
    value = _decimal(score, "score", errors)
    if errors:
        raise ValidationError(errors)
    if value is not None and not (Decimal("0") <= value <= session.max_score):
        raise ValidationError(
            {"score": _("The score must be between 0 and %(max)s.") % {"max": session.max_score}}
        )
    row.score = value
    row.save()
    return row


def checkin_window(session: Session) -> tuple[dt.datetime, dt.datetime]:
    opens = session.starts_at - dt.timedelta(minutes=rule("education.checkin_open_minutes", session.county))
    closes = session.ends_at + dt.timedelta(minutes=rule("education.checkin_close_minutes", session.county))
    return opens, closes


def _check_position(
    latitude: Any, longitude: Any, accuracy: Any
) -> tuple[float | None, float | None, float | None]:
    if latitude in (None, "") and longitude in (None, ""):
        return None, None, None
    try:
        lat, lon = float(latitude), float(longitude)
        acc = None if accuracy in (None, "") else float(accuracy)
    except (TypeError, ValueError):
        raise ValidationError(_("The position is not valid."))
    if not all(math.isfinite(v) for v in (lat, lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError(_("The position is not valid."))
    if acc is not None and (not math.isfinite(acc) or acc < 0 or acc > 100_000):
        raise ValidationError(_("The position is not valid."))
    return lat, lon, acc


def _outside_county(county: OrgUnit, lat: float, lon: float) -> bool | None:
    from jiaozheng.core.geo import county_geometry

    try:
        geometry = county_geometry(county.boundary_code or county.code)
    except Exception:  # no boundary for this county in the dataset
        return None
    if geometry is None:
        return None
    from shapely.geometry import Point

    return not geometry.contains(Point(lon, lat))


@transaction.atomic
def checkin_self(
    *,
    actor: Any,
    session: Session | int,
    latitude: Any = None,
    longitude: Any = None,
    accuracy_m: Any = None,
    now: dt.datetime | None = None,
) -> Attendance:
    """A supervised person checks in on the phone for a remote session, within its window."""
    scope = scope_for(actor)
    if scope.role != Role.SUBJECT or not getattr(actor, "person_id", None):
        raise PermissionDenied(_("Only the supervised person checks in for themselves."))
    visible = get_scoped_or_404(Session, actor, pk=getattr(session, "pk", session))
    session = Session.objects.select_for_update().select_related("county").get(pk=visible.pk)
    if session.mode != EducationMode.REMOTE:  # type: ignore[union-attr]
        raise ValidationError(
            _("Only remote sessions take check-ins on the phone; attendance is taken on site.")
        )
    if not session.is_open:  # type: ignore[union-attr]
        raise ValidationError(_("This session was cancelled or moved."))
    now = now or timezone.now()
    opens, closes = checkin_window(session)  # type: ignore[arg-type]
    if now < opens:
        raise ValidationError(
            _("Check-in opens at %(time)s.") % {"time": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M")}
        )
    if now > closes:
        raise ValidationError(
            _("Check-in closed at %(time)s.")
            % {"time": timezone.localtime(closes).strftime("%Y-%m-%d %H:%M")}
        )
    lat, lon, acc = _check_position(latitude, longitude, accuracy_m)
    row = (
        Attendance.objects.select_for_update()
        .select_related("session")
        .get(session=session, person_id=actor.person_id)
    )
    if row.status == AttendanceStatus.PRESENT:
        raise ValidationError(
            _("You have already checked in (%(time)s).")
            % {"time": timezone.localtime(row.checked_in_at or row.marked_at or now).strftime("%H:%M")}
        )
    _apply_status(row, AttendanceStatus.PRESENT, actor, method=AttendanceMethod.SELF)
    row.method = AttendanceMethod.SELF
    row.checked_in_at = now
    row.latitude, row.longitude, row.accuracy_m = lat, lon, acc
    row.outside_county = _outside_county(session.county, lat, lon) if lat is not None else None  # type: ignore[union-attr, arg-type]
    row.save()
    timeline_add(
        row.person_id,
        "education.checked_in",
        obj=row,
        title=session.title,  # type: ignore[union-attr]
        date=session.date.isoformat(),  # type: ignore[union-attr]
        hours=str(row.hours),
    )
    return row


@transaction.atomic
def absence_admonition(*, actor: Any, person: Person, month: dt.date, reason: str = "") -> Any:
    """Record an admonition (训诫) for unexcused absences from education in a month (the county decides)."""
    from jiaozheng.people.models import Discipline
    from jiaozheng.people.services import discipline_add

    person = get_scoped_or_404(Person, actor, pk=getattr(person, "pk", person))
    start, end = month_start(month), month_end(month)
    absences = list(
        Attendance.objects.filter(
            person=person,
            status=AttendanceStatus.ABSENT,
            session__status=SessionStatus.HELD,
            session__date__range=(start, end),
        )
        .select_related("session")
        .order_by("session__date")
    )
    if not absences:
        raise ValidationError(
            _("No unexcused absence is recorded for this person in %(m)s.") % {"m": f"{start:%Y-%m}"}
        )
    if Discipline.objects.filter(
        person=person,
        source=Discipline.Source.EDUCATION,
        source_model="education.Attendance",
        source_id__in=[str(a.pk) for a in absences],
    ).exists():
        raise ValidationError(_("An admonition for these absences has already been recorded."))
    dates = "、".join(f"{a.session.date:%m-%d}" for a in absences)
    text = (reason or "").strip() or _(
        "Absent from education without a valid reason %(n)s times in %(m)s (%(dates)s)."
    ) % {
        "n": len(absences),
        "m": f"{start:%Y-%m}",
        "dates": dates,
    }
    return discipline_add(
        actor=actor,
        person=person,
        kind="admonition",
        reason=text,
        source=Discipline.Source.EDUCATION,
        source_obj=absences[-1],
    )


# --- 方案 · 留档 · 反思: the plan before, the photos during, the reflection after ----------------------------

PLAN_FIELDS = ("plan_aims", "plan_content", "plan_method", "plan_speaker", "plan_materials")
PLAN_LIMITS = {"plan_speaker": 100}
TEXT_LIMIT = 4000
MAX_PHOTOS = 30


@transaction.atomic
def session_plan_save(*, actor: Any, session: Session, data: dict[str, Any]) -> Session:
    """Write the session's plan (方案: aims, content, method, speaker, materials). Only before it is held."""
    session = _locked_session(actor, session)
    if session.status != SessionStatus.PLANNED:
        raise ValidationError(
            _("The plan is written before the session is held; it can no longer be changed.")
        )
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for name in PLAN_FIELDS:
        value = data.get(name, "")
        if not isinstance(value, str):
            _add(errors, name, _("Enter text."))
            continue
        value = value.strip()
        if len(value) > PLAN_LIMITS.get(name, TEXT_LIMIT):
            _add(errors, name, _("The text is too long."))
        clean[name] = value
    if not errors and not (clean.get("plan_aims") and clean.get("plan_content")):
        _add(errors, "plan_aims", _("A plan states at least its aims and its content."))
    if errors:
        raise ValidationError(errors)
    for name, value in clean.items():
        setattr(session, name, value)
    session.plan_written_by = _user(actor)
    session.plan_written_at = timezone.now()
    session.save()
    return session


@transaction.atomic
def session_reflect(*, actor: Any, session: Session, text: Any) -> Session:
    """The social worker's reflection (反思/小结) on a session that has been held."""
    session = _locked_session(actor, session)
    if session.status != SessionStatus.HELD:
        raise ValidationError(_("A reflection is written after the session has been held."))
    if not isinstance(text, str) or not text.strip():
        raise ValidationError({"reflection": [_("Write the reflection.")]})
    if len(text.strip()) > TEXT_LIMIT:
        raise ValidationError({"reflection": [_("The text is too long.")]})
    session.reflection = text.strip()
    session.reflection_by = _user(actor)
    session.reflection_at = timezone.now()
    session.save()
    return session


@transaction.atomic
def session_photo_add(*, actor: Any, session: Session, upload: Any, caption: str = "") -> SessionPhoto:
    session = _locked_session(actor, session)
    if session.status in (SessionStatus.CANCELLED, SessionStatus.RESCHEDULED):
        raise ValidationError(_("The session did not take place."))
    return attach_photo(
        SessionPhoto(session=session),
        siblings=session.photos.all(),
        upload=upload,
        caption=caption,
        uploaded_by=_user(actor),
        max_photos=MAX_PHOTOS,
        too_many=_("A session holds at most %(n)s photos.") % {"n": MAX_PHOTOS},
        duplicate=_("This photo has already been uploaded for this session."),
    )
