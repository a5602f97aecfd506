"""Writes of community service: venues, the volunteer team, activities, participants and photos.

Every service takes the acting user, checks the role and the row, validates, and writes inside one
transaction; a ``ValidationError`` changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.audit.services import timeline_add
from jiaozheng.community.choices import (
    ActivityKind,
    ActivityStatus,
    CancelReason,
    ParticipantKind,
    ParticipationStatus,
    VenueKind,
    VolunteerKind,
)
from jiaozheng.community.models import Activity, ActivityPhoto, Participation, Venue, Volunteer
from jiaozheng.core.photos import attach_photo, delete_photo
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain, Role
from jiaozheng.core.scoping import get_scoped_or_404, require, scope_for, scoped
from jiaozheng.education.services import (
    APPROVER_ROLES,
    MAX_DAYS_AHEAD,
    MAX_SESSION_HOURS,
    _decimal,
    check_shared_change,
    default_hours,
    owner_units,
    visible_squadrons,
)
from jiaozheng.orgs.models import OrgUnit, User
from jiaozheng.people.choices import Status
from jiaozheng.people.models import Person

MAX_PHOTOS = 30


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _change(actor: Any) -> None:
    require(actor, Domain.SERVICES, CHANGE)


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _county(actor: Any, county: Any) -> OrgUnit:
    return get_scoped_or_404(OrgUnit, actor, pk=getattr(county, "pk", county), kind=OrgUnit.Kind.COUNTY)


# --- venues ----------------------------------------------------------------------------------------------

VENUE_FIELDS = ("name", "kind", "township", "address", "contact_name", "contact_phone", "notes", "active")


def _clean_venue(actor: Any, county: OrgUnit, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {k: data.get(k) for k in VENUE_FIELDS if k in data}
    for key in ("name", "address", "contact_name", "contact_phone", "notes"):
        clean[key] = (clean.get(key) or "").strip()
    if not clean["name"]:
        _add(errors, "name", _("Give the name."))
    if len(clean["name"]) > 100:
        _add(errors, "name", _("At most 100 characters."))
    if clean.get("kind") not in VenueKind.values:
        _add(errors, "kind", _("Choose the kind of venue."))
    phone = clean["contact_phone"]
    if phone and not all(c.isdigit() or c in "-+ ()" for c in phone):
        _add(errors, "contact_phone", _("A phone number holds digits, spaces and dashes only."))
    township = clean.get("township")
    if township is not None:
        township = (
            scoped(OrgUnit, actor)
            .filter(pk=getattr(township, "pk", township), kind=OrgUnit.Kind.TOWNSHIP)
            .first()
        )
        if township is None or township.county_id != county.pk:
            _add(errors, "township", _("Choose a township of this county."))
    clean["township"] = township
    clean["active"] = bool(clean.get("active", True))
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def venue_create(*, actor: Any, county: Any = None, data: dict[str, Any]) -> Venue:
    _change(actor)
    county, squadron = owner_units(actor, county, data.get("squadron"))
    clean = _clean_venue(actor, county, data)
    if Venue.objects.filter(county=county, name=clean["name"]).exists():
        raise ValidationError({"name": _("The county already has a venue with this name.")})
    return Venue.objects.create(county=county, squadron=squadron, **clean)


@transaction.atomic
def venue_update(*, actor: Any, venue: Venue, data: dict[str, Any]) -> Venue:
    venue = get_scoped_or_404(Venue, actor, CHANGE, pk=venue.pk)
    check_shared_change(actor, venue)
    merged = {f: getattr(venue, f) for f in VENUE_FIELDS}
    merged.update({k: v for k, v in data.items() if k in VENUE_FIELDS})
    clean = _clean_venue(actor, venue.county, merged)
    if Venue.objects.filter(county_id=venue.county_id, name=clean["name"]).exclude(pk=venue.pk).exists():
        raise ValidationError({"name": _("The county already has a venue with this name.")})
    for key, value in clean.items():
        setattr(venue, key, value)
    venue.save()
    return venue


# --- the volunteer team ------------------------------------------------------------------------------------

VOLUNTEER_FIELDS = ("name", "kind", "organisation", "phone", "user", "skills", "joined_on", "active")


def _clean_volunteer(actor: Any, county: OrgUnit, data: dict[str, Any]) -> dict[str, Any]:
    import re

    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {k: data.get(k) for k in VOLUNTEER_FIELDS if k in data}
    for key in ("name", "organisation", "phone", "skills"):
        clean[key] = (clean.get(key) or "").strip()
    if not clean["name"]:
        _add(errors, "name", _("Give the name."))
    if len(clean["name"]) > 50:
        _add(errors, "name", _("At most 50 characters."))
    if clean.get("kind") not in VolunteerKind.values:
        _add(errors, "kind", _("Choose the member type."))
    if clean["phone"] and not re.fullmatch(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}", clean["phone"]):
        _add(errors, "phone", _("Give a mobile number (11 digits) or a landline with its area code."))
    user = clean.get("user")
    if user is not None:
        user = User.objects.filter(
            pk=getattr(user, "pk", user), is_active=True, role__in=list(STAFF_ROLES)
        ).first()
        if user is None:
            _add(errors, "user", _("Choose an active staff account."))
        elif Volunteer.objects.filter(county=county, user=user).exclude(pk=data.get("_pk")).exists():
            _add(errors, "user", _("This account is already on the team."))
    clean["user"] = user
    joined = clean.get("joined_on") or timezone.localdate()
    if joined > timezone.localdate():
        _add(errors, "joined_on", _("This date is in the future."))
    clean["joined_on"] = joined
    clean["active"] = bool(clean.get("active", True))
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def volunteer_create(*, actor: Any, county: Any = None, data: dict[str, Any]) -> Volunteer:
    _change(actor)
    county, squadron = owner_units(actor, county, data.get("squadron"))
    clean = _clean_volunteer(actor, county, data)
    return Volunteer.objects.create(county=county, squadron=squadron, **clean)


@transaction.atomic
def volunteer_update(*, actor: Any, volunteer: Volunteer, data: dict[str, Any]) -> Volunteer:
    volunteer = get_scoped_or_404(Volunteer, actor, CHANGE, pk=volunteer.pk)
    check_shared_change(actor, volunteer)
    merged = {f: getattr(volunteer, f) for f in VOLUNTEER_FIELDS}
    merged.update({k: v for k, v in data.items() if k in VOLUNTEER_FIELDS})
    merged["_pk"] = volunteer.pk
    clean = _clean_volunteer(actor, volunteer.county, merged)
    for key, value in clean.items():
        setattr(volunteer, key, value)
    volunteer.save()
    return volunteer


# --- activities ------------------------------------------------------------------------------------------

ACTIVITY_FIELDS = (
    "theme",
    "kind",
    "venue",
    "place",
    "date",
    "start_time",
    "end_time",
    "hours",
    "organiser",
    "organiser_name",
    "summary",
)
HELD_EDITABLE = ("theme", "kind", "venue", "place", "hours", "organiser", "organiser_name", "summary")


def _clean_activity(actor: Any, data: dict[str, Any], *, instance: Activity | None = None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    merged: dict[str, Any] = {}
    if instance is not None:
        merged.update({f: getattr(instance, f) for f in ACTIVITY_FIELDS})
        merged["squadrons"] = list(instance.squadrons.all())
        merged["county"] = instance.county
    merged.update(data)
    clean: dict[str, Any] = {}
    theme = (merged.get("theme") or "").strip()
    if not theme:
        _add(errors, "theme", _("Give the theme."))
    elif len(theme) > 120:
        _add(errors, "theme", _("At most 120 characters."))
    clean["theme"] = theme
    if merged.get("kind") not in ActivityKind.values:
        _add(errors, "kind", _("Choose the kind of activity."))
    clean["kind"] = merged.get("kind")

    allowed = {u.pk: u for u in visible_squadrons(actor)}
    if instance is not None:
        allowed.update({u.pk: u for u in instance.squadrons.all()})
    chosen = []
    for unit in merged.get("squadrons") or []:
        unit_id = getattr(unit, "pk", unit)
        if unit_id not in allowed:
            _add(errors, "squadrons", _("You may not organise activities for this squadron."))
            continue
        chosen.append(allowed[unit_id])
    county = merged.get("county")
    if chosen:
        if len({u.county_id for u in chosen}) > 1:
            _add(errors, "squadrons", _("All squadrons of an activity must be in one county."))
        county = OrgUnit.objects.get(pk=chosen[0].county_id)
    elif county is None:
        _add(errors, "squadrons", _("Choose the squadrons that organise the activity."))
    else:
        county = _county(actor, county)
        scope = scope_for(actor)
        if instance is None and not (scope.unrestricted or county.pk in scope.county_ids):
            _add(errors, "squadrons", _("Only county staff organise activities for the whole county."))
    clean["squadrons"], clean["county"] = chosen, county

    venue = merged.get("venue")
    if venue is not None:
        venue = scoped(Venue, actor).filter(pk=getattr(venue, "pk", venue)).first()
        if venue is None or (county is not None and venue.county_id != county.pk):
            _add(errors, "venue", _("Choose a partner venue of this county."))
    clean["venue"] = venue
    place = (merged.get("place") or "").strip()
    if venue is None and not place:
        _add(errors, "place", _("Choose a partner venue or give the place."))
    clean["place"] = place[:200]

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
        _add(errors, "end_time", _("The activity must end after it starts."))
    clean.update(date=day, start_time=start, end_time=end)
    hours = _decimal(merged.get("hours"), "hours", errors)
    if hours is None and isinstance(start, dt.time) and isinstance(end, dt.time) and end > start:
        hours = default_hours(start, end)
    if hours is not None and not (Decimal("0") < hours <= MAX_SESSION_HOURS):
        _add(errors, "hours", _("Between 0.5 and 12 hours."))
    clean["hours"] = hours

    organiser = merged.get("organiser")
    if organiser is not None:
        organiser = User.objects.filter(
            pk=getattr(organiser, "pk", organiser), is_active=True, role__in=list(STAFF_ROLES)
        ).first()
        if organiser is None:
            _add(errors, "organiser", _("Choose an active staff account."))
    clean["organiser"] = organiser
    name = (merged.get("organiser_name") or "").strip()
    if not name and organiser is not None:
        name = organiser.full_name or organiser.username
    if not name:
        _add(errors, "organiser_name", _("Give the organiser."))
    clean["organiser_name"] = name[:50]
    clean["summary"] = (merged.get("summary") or "").strip()
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def activity_create(*, actor: Any, data: dict[str, Any]) -> Activity:
    _change(actor)
    clean = _clean_activity(actor, data)
    squadrons = clean.pop("squadrons")
    activity = Activity.objects.create(created_by=_user(actor), status=ActivityStatus.PLANNED, **clean)
    if squadrons:
        activity.squadrons.set(squadrons)
    return activity


def _locked(actor: Any, activity: Activity | int) -> Activity:
    visible = get_scoped_or_404(Activity, actor, CHANGE, pk=getattr(activity, "pk", activity))
    return Activity.objects.select_for_update().get(pk=visible.pk)


@transaction.atomic
def activity_update(*, actor: Any, activity: Activity, data: dict[str, Any]) -> Activity:
    activity = _locked(actor, activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("A cancelled activity cannot be changed."))
    if activity.status == ActivityStatus.HELD:
        changed = [
            k
            for k in data
            if k not in HELD_EDITABLE and k != "squadrons" and data[k] != getattr(activity, k, None)
        ]
        if "squadrons" in data and {getattr(u, "pk", u) for u in data["squadrons"]} != set(
            activity.squadrons.values_list("pk", flat=True)
        ):
            changed.append("squadrons")
        if changed:
            raise ValidationError(_("A held activity keeps its date and squadrons; correct only its record."))
    old_hours = activity.hours
    clean = _clean_activity(actor, data, instance=activity)
    squadrons = clean.pop("squadrons")
    clean.pop("county")
    for key, value in clean.items():
        setattr(activity, key, value)
    activity.save()
    if {u.pk for u in squadrons} != set(activity.squadrons.values_list("pk", flat=True)):
        activity.squadrons.set(squadrons)
    if activity.hours != old_hours:
        for row in activity.participations.filter(status=ParticipationStatus.PRESENT, hours=old_hours):
            row.hours = activity.hours
            row.save(update_fields=["hours"])
    return activity


@transaction.atomic
def activity_approve(*, actor: Any, activity: Activity) -> Activity:
    """The bureau checks the activity the social workers planned (社工策划组织、司法局审核把关)."""
    activity = _locked(actor, activity)
    scope = scope_for(actor)
    if not scope.unrestricted and scope.role not in APPROVER_ROLES:
        raise PermissionDenied(_("Only justice staff approve activities."))
    if activity.approved_at is not None:
        raise ValidationError(_("The activity has already been approved."))
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("A cancelled activity cannot be approved."))
    activity.approved_by = _user(actor)
    activity.approved_at = timezone.now()
    activity.save()
    return activity


@transaction.atomic
def activity_hold(*, actor: Any, activity: Activity, summary: str = "") -> Activity:
    activity = _locked(actor, activity)
    if activity.status != ActivityStatus.PLANNED:
        raise ValidationError(_("Only a planned activity can be recorded as held."))
    if activity.starts_at > timezone.now():
        raise ValidationError(_("An activity cannot be recorded as held before it starts."))
    activity.status = ActivityStatus.HELD
    activity.summary = (summary or "").strip() or activity.summary
    activity.held_recorded_by = _user(actor)
    activity.held_recorded_at = timezone.now()
    activity.save()
    # invited persons who were not marked took part: the organiser confirms by marking absences
    return activity


@transaction.atomic
def activity_cancel(*, actor: Any, activity: Activity, reason: str, note: str = "") -> Activity:
    activity = _locked(actor, activity)
    if activity.status != ActivityStatus.PLANNED:
        raise ValidationError(_("Only a planned activity can be cancelled; a held activity stays on record."))
    if reason not in CancelReason.values:
        raise ValidationError({"reason": _("Choose the reason.")})
    note = (note or "").strip()
    if reason == CancelReason.OTHER and not note:
        raise ValidationError({"note": _("Explain the reason.")})
    activity.status = ActivityStatus.CANCELLED
    activity.cancel_reason = reason
    activity.cancel_note = note[:200]
    activity.save()
    return activity


# --- participants ----------------------------------------------------------------------------------------


def eligible_persons(activity: Activity) -> QuerySet[Person]:
    """Persons of the organising squadrons (or the county) in correction on the day of the activity."""
    day = activity.date
    qs = Person.objects.filter(
        county_id=activity.county_id, intake_on__isnull=False, intake_on__lte=day
    ).filter(
        Q(status=Status.IN_CORRECTION, term_end__gte=day)
        | Q(status=Status.RELEASED, released_on__gte=day)
        | Q(status=Status.TERMINATED, terminated_on__gte=day)
    )
    squadron_ids = list(activity.squadrons.values_list("pk", flat=True))
    if squadron_ids:
        qs = qs.filter(squadron_id__in=squadron_ids)
    return qs


def candidates_for(*, actor: Any, activity: Activity) -> QuerySet[Person]:
    """Eligible persons the actor sees and who are not yet participants."""
    taken = activity.participations.filter(person__isnull=False).values("person_id")
    return (
        scoped(Person, actor)
        .filter(pk__in=eligible_persons(activity).values("pk"))
        .exclude(pk__in=taken)
        .select_related("squadron")
        .order_by("squadron__sort_order", "name")
    )


def _default_status(activity: Activity) -> str:
    return (
        ParticipationStatus.PRESENT if activity.status == ActivityStatus.HELD else ParticipationStatus.INVITED
    )


def _hours_for(activity: Activity, status: str, hours: Any) -> Decimal:
    if status != ParticipationStatus.PRESENT:
        return Decimal("0")
    errors: dict[str, list[str]] = {}
    value = _decimal(hours, "hours", errors)
    if errors:
        raise ValidationError(errors)
    value = activity.hours if value is None else value
    if not (Decimal("0") < value <= MAX_SESSION_HOURS):
        raise ValidationError({"hours": _("Between 0.5 and 12 hours.")})
    return value


@transaction.atomic
def participants_add_persons(
    *, actor: Any, activity: Activity, persons: Iterable[Any], hours: Any = None
) -> list[Participation]:
    """Add supervised persons: invited to a planned activity, present at a held one."""
    activity = _locked(actor, activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("The activity was cancelled."))
    wanted = {getattr(p, "pk", p) for p in persons}
    if not wanted:
        raise ValidationError(_("Choose at least one person."))
    found = {p.pk: p for p in candidates_for(actor=actor, activity=activity).filter(pk__in=wanted)}
    missing = wanted - set(found)
    if missing:
        raise ValidationError(
            _(
                "%(n)s of the chosen persons cannot take part: not in the organising squadrons, not in correction "
                "on that day, or already listed."
            )
            % {"n": len(missing)}
        )
    status = _default_status(activity)
    value = _hours_for(activity, status, hours)
    rows = []
    for person in found.values():
        row = Participation.objects.create(
            activity=activity,
            county_id=activity.county_id,
            kind=ParticipantKind.SUBJECT,
            person=person,
            name=person.name,
            status=status,
            hours=value,
            recorded_by=_user(actor),
        )
        if status == ParticipationStatus.PRESENT:
            _timeline(row)
        rows.append(row)
    return rows


@transaction.atomic
def participant_add_member(
    *, actor: Any, activity: Activity, user: Any = None, volunteer: Any = None, hours: Any = None
) -> Participation:
    """Add a staff member (officer, social worker) or a registered volunteer to the team of the day."""
    activity = _locked(actor, activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("The activity was cancelled."))
    if (user is None) == (volunteer is None):
        raise ValidationError(_("Choose a staff member or a volunteer."))
    status = _default_status(activity)
    value = _hours_for(activity, status, hours)
    if volunteer is not None:
        volunteer = (
            scoped(Volunteer, actor).filter(pk=getattr(volunteer, "pk", volunteer), active=True).first()
        )
        if volunteer is None or volunteer.county_id != activity.county_id:
            raise ValidationError({"volunteer": _("Choose an active member of this county's team.")})
        if activity.participations.filter(volunteer=volunteer).exists():
            raise ValidationError({"volunteer": _("This volunteer is already a participant.")})
        kind = {
            "officer": ParticipantKind.OFFICER,
            "social_worker": ParticipantKind.SOCIAL_WORKER,
        }.get(volunteer.kind, ParticipantKind.VOLUNTEER)
        if volunteer.user_id and activity.participations.filter(user_id=volunteer.user_id).exists():
            raise ValidationError({"volunteer": _("This volunteer is already a participant.")})
        return Participation.objects.create(
            activity=activity,
            county_id=activity.county_id,
            kind=kind,
            volunteer=volunteer,
            user_id=volunteer.user_id,
            name=volunteer.name,
            status=status,
            hours=value,
            recorded_by=_user(actor),
        )
    user = User.objects.filter(
        pk=getattr(user, "pk", user), is_active=True, role__in=list(STAFF_ROLES)
    ).first()
    if user is None:
        raise ValidationError({"user": _("Choose an active staff account.")})
    if activity.participations.filter(user=user).exists():
        raise ValidationError({"user": _("This staff member is already a participant.")})
    kind = (
        ParticipantKind.SOCIAL_WORKER
        if user.role in (Role.SOCIAL_WORKER, Role.COUNSELLOR)
        else ParticipantKind.OFFICER
    )
    # staff on the volunteer team have their service counted on their team record too
    member = Volunteer.objects.filter(county_id=activity.county_id, user=user).first()
    if member is not None and activity.participations.filter(volunteer=member).exists():
        raise ValidationError({"user": _("This staff member is already a participant.")})
    return Participation.objects.create(
        activity=activity,
        county_id=activity.county_id,
        kind=kind,
        user=user,
        volunteer=member,
        name=user.full_name or user.username,
        status=status,
        hours=value,
        recorded_by=_user(actor),
    )


def _locked_participation(actor: Any, participation: Participation | int) -> Participation:
    visible = get_scoped_or_404(Participation, actor, CHANGE, pk=getattr(participation, "pk", participation))
    return Participation.objects.select_for_update().select_related("activity").get(pk=visible.pk)


def _timeline(row: Participation) -> None:
    if row.person_id is None:
        return
    activity = row.activity
    if row.status == ParticipationStatus.PRESENT:
        timeline_add(
            row.person_id,
            "community.took_part",
            obj=row,
            theme=activity.theme,
            date=activity.date.isoformat(),
            hours=str(row.hours),
        )
    elif row.status == ParticipationStatus.ABSENT:
        timeline_add(
            row.person_id, "community.absent", obj=row, theme=activity.theme, date=activity.date.isoformat()
        )


@transaction.atomic
def participation_mark(
    *, actor: Any, participation: Participation, status: str, hours: Any = None
) -> Participation:
    """One-click marking: took part (with hours), absent, excused, or back to invited."""
    row = _locked_participation(actor, participation)
    activity = row.activity
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("The activity was cancelled."))
    if status not in ParticipationStatus.values:
        raise ValidationError({"status": _("Unknown participation status.")})
    if (
        status in (ParticipationStatus.PRESENT, ParticipationStatus.ABSENT)
        and activity.starts_at > timezone.now()
    ):
        raise ValidationError(_("The activity has not started yet."))
    before = (row.status, row.hours)
    row.status = status
    row.hours = _hours_for(activity, status, hours if hours not in (None, "") else (row.hours or None))
    row.recorded_by = _user(actor)
    row.recorded_at = timezone.now()
    row.save()
    if before != (row.status, row.hours):
        _timeline(row)
    return row


@transaction.atomic
def participation_remove(*, actor: Any, participation: Participation) -> None:
    row = _locked_participation(actor, participation)
    if (
        row.status == ParticipationStatus.PRESENT
        and row.activity.status == ActivityStatus.HELD
        and row.person_id
    ):
        raise ValidationError(
            _(
                "A supervised person who took part in a held activity stays on record; mark them absent instead."
            )
        )
    row.delete()


# --- photos ----------------------------------------------------------------------------------------------


@transaction.atomic
def photo_add(*, actor: Any, activity: Activity, upload: Any, caption: str = "") -> ActivityPhoto:
    activity = _locked(actor, activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("The activity was cancelled."))
    return attach_photo(
        ActivityPhoto(activity=activity),
        siblings=activity.photos.all(),
        upload=upload,
        caption=caption,
        uploaded_by=_user(actor),
        max_photos=MAX_PHOTOS,
        too_many=_("An activity holds at most %(n)s photos.") % {"n": MAX_PHOTOS},
        duplicate=_("This photo has already been uploaded for this activity."),
    )


@transaction.atomic
def photo_delete(*, actor: Any, photo: ActivityPhoto) -> None:
    photo = get_scoped_or_404(ActivityPhoto, actor, CHANGE, pk=photo.pk)
    delete_photo(photo)
