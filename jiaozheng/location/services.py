"""Writes of location supervision: alerts and their workflow, devices, travel permits.

Alerts can be raised by background jobs, the fix ingestion and other modules (face check-ins) without an
actor: ``alert_raise`` keeps one open alert per person and type, adds new evidence to it, and notifies
the person's assigned staff when it opens. The workflow services take the acting staff member, check the
role and the row scope, validate, and change nothing on error.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.audit.services import timeline_add
from jiaozheng.core.notify import notify, staff_for_person
from jiaozheng.core.roles import CHANGE, VIEW, Domain, Role
from jiaozheng.core.scoping import get_scoped_or_404, require, scope_for, scoped
from jiaozheng.location.choices import (
    OPEN_STATUSES,
    SANCTION_OUTCOMES,
    SEVERITY_RANK,
    STAFF_OUTCOMES,
    AlertEventKind,
    AlertOutcome,
    AlertSeverity,
    AlertStatus,
    AlertType,
)
from jiaozheng.location.models import Alert, AlertEvent

log = logging.getLogger(__name__)

# Who is told when an alert opens (besides the person's correction-team members with an account).
ALERT_ROLES = (Role.SQUADRON_OFFICER, Role.SOCIAL_WORKER)
# Who is told when an alert is escalated, or opens as urgent.
ESCALATION_ROLES = (Role.BUREAU_OFFICER, Role.BUREAU_ADMIN)
# Roles that may decide an admonition (训诫) as an alert's outcome: officers, not contracted staff.
ADMONITION_ROLES = frozenset({Role.BUREAU_ADMIN, Role.BUREAU_OFFICER, Role.SQUADRON_OFFICER})


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def jsonable(value: Any) -> Any:
    """Evidence as plain JSON: datetimes as ISO text, tuples as lists, other objects as text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    return str(value)


def alert_link(alert: Alert) -> str:
    try:
        return reverse("location:alert_detail", args=[alert.pk])
    except NoReverseMatch:  # pragma: no cover - the app's URLs are always mounted
        return ""


def alert_recipients(person: Any, *, escalation: bool = False) -> list[Any]:
    """The person's assigned staff: correction-team members with an account, the squadron's officers and
    social workers; for escalations (and urgent alerts) also the county bureau's officers."""
    from jiaozheng.orgs.models import User

    today = timezone.localdate()
    team_user_ids = list(
        person.team.filter(user__isnull=False).exclude(until__lt=today).values_list("user_id", flat=True)
    )
    users = list(User.objects.filter(pk__in=team_user_ids, is_active=True).exclude(role=Role.SUBJECT))
    users += staff_for_person(person, ALERT_ROLES)
    if escalation:
        users += staff_for_person(person, ESCALATION_ROLES)
    return users


def _notify_alert(alert: Alert, *, escalation: bool = False, title: str | None = None) -> None:
    from jiaozheng.core.models import Notification

    level = (
        Notification.Level.URGENT
        if escalation or alert.severity in (AlertSeverity.HIGH, AlertSeverity.URGENT)
        else Notification.Level.WARNING
    )
    person = alert.person
    notify(
        alert_recipients(person, escalation=escalation or alert.severity == AlertSeverity.URGENT),
        title=title or f"{alert.get_alert_type_display()}：{person.name}",
        body=alert.title,
        link=alert_link(alert),
        level=level,
        kind=f"location.{alert.alert_type}",
    )


def alert_raise(
    *,
    person: Any,
    alert_type: str,
    severity: str,
    title: str,
    evidence: dict,
    source_obj: Any = None,
    occurred_at: dt.datetime | None = None,
    tier: int | None = None,
) -> Alert:
    """Open an alert, or add evidence to the open one of the same person and type.

    Callable from background jobs and other modules without an actor (the audit trail records the
    context's actor: the system user in jobs). A new alert notifies the assigned staff and goes on the
    person's timeline; evidence added to an open alert is an ``AlertEvent``. The severity of an open alert
    only ever rises.
    """
    from jiaozheng.people.models import Person

    if alert_type not in AlertType.values:
        raise ValidationError({"alert_type": _("Unknown alert type.")})
    if severity not in AlertSeverity.values:
        raise ValidationError({"severity": _("Unknown severity.")})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("An alert needs a title.")})
    if not isinstance(evidence, dict):
        raise ValidationError({"evidence": _("The evidence must be a JSON object.")})
    if occurred_at is not None and timezone.is_naive(occurred_at):
        raise ValidationError({"occurred_at": _("The time needs a time zone.")})
    if not isinstance(person, Person):
        person = Person.objects.get(pk=person)
    evidence = jsonable(evidence)
    now = timezone.now()
    occurred_at = occurred_at or now
    source_model = source_obj._meta.label if source_obj is not None else ""
    source_id = str(source_obj.pk) if source_obj is not None else ""
    with transaction.atomic():
        alert = _open_alert(person.pk, alert_type)
        if alert is not None:
            return _add_evidence(alert, severity, title, evidence, occurred_at, now, tier)
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    person=person,
                    county_id=person.county_id,
                    alert_type=alert_type,
                    severity=severity,
                    title=title[:200],
                    evidence=evidence,
                    occurred_at=occurred_at,
                    raised_at=now,
                    last_event_at=occurred_at,
                    late=bool(evidence.get("late")),
                    source_model=source_model,
                    source_id=source_id,
                    tier=tier,
                )
        except IntegrityError:
            # Another writer opened the same alert a moment ago: add to theirs.
            alert = _open_alert(person.pk, alert_type)
            if alert is None:
                raise
            return _add_evidence(alert, severity, title, evidence, occurred_at, now, tier)
        AlertEvent.objects.create(
            alert=alert, kind=AlertEventKind.RAISED, at=now, note=alert.title, evidence=evidence
        )
        timeline_add(person, "location.alert_raised", obj=alert, at=occurred_at, type=alert_type)
        alert.person = person
        _notify_alert(alert)
    return alert


def _open_alert(person_id: int, alert_type: str) -> Alert | None:
    return (
        Alert.objects.select_for_update()
        .filter(person_id=person_id, alert_type=alert_type, status__in=OPEN_STATUSES)
        .first()
    )


def _add_evidence(
    alert: Alert,
    severity: str,
    title: str,
    evidence: dict,
    occurred_at: dt.datetime,
    now: dt.datetime,
    tier: int | None = None,
) -> Alert:
    AlertEvent.objects.create(
        alert=alert, kind=AlertEventKind.EVIDENCE, at=now, note=title[:500], evidence=evidence
    )
    alert.event_count += 1
    alert.last_event_at = max(alert.last_event_at, occurred_at)
    if SEVERITY_RANK[severity] > SEVERITY_RANK[alert.severity]:  # type: ignore[index]
        alert.severity = severity
    if tier and (alert.tier or 0) < tier:
        alert.tier = tier
    if alert.cleared_at is not None:
        alert.cleared_at = None  # the condition is back
    alert.save()
    return alert


def _require_staff(actor: Any) -> None:
    require(actor, Domain.LOCATION, CHANGE)
    scope = scope_for(actor)
    if scope.role == Role.SUBJECT and not scope.unrestricted:
        raise PermissionDenied(_("Your role may not do this."))


def _locked_alert(actor: Any, alert: Alert) -> Alert:
    _require_staff(actor)
    visible = get_scoped_or_404(Alert, actor, CHANGE, pk=alert.pk)
    return Alert.objects.select_for_update().select_related("person").get(pk=visible.pk)


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert: Alert, note: str = "") -> Alert:
    """The alert has been seen and someone is dealing with it."""
    alert = _locked_alert(actor, alert)
    if alert.status != AlertStatus.NEW:
        raise ValidationError(_("Only a new alert can be acknowledged."))
    now = timezone.now()
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = now
    alert.acknowledged_by = _user(actor)
    alert.save()
    AlertEvent.objects.create(
        alert=alert, kind=AlertEventKind.ACKNOWLEDGED, at=now, actor=_user(actor), note=(note or "").strip()
    )
    return alert


@transaction.atomic
def alert_escalate(*, actor: Any, alert: Alert, note: str) -> Alert:
    """Hand the alert up to the county bureau (e.g. 失联 that needs a search with the police)."""
    alert = _locked_alert(actor, alert)
    if alert.status not in (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED):
        raise ValidationError(_("Only a new or acknowledged alert can be escalated."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the alert is escalated.")})
    now = timezone.now()
    alert.status = AlertStatus.ESCALATED
    alert.escalated_at = now
    alert.escalated_by = _user(actor)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by = _user(actor)
    alert.save()
    AlertEvent.objects.create(
        alert=alert, kind=AlertEventKind.ESCALATED, at=now, actor=_user(actor), note=note
    )
    timeline_add(alert.person, "location.alert_escalated", obj=alert, type=alert.alert_type)
    _notify_alert(
        alert,
        escalation=True,
        title=_("Escalated: %(type)s, %(name)s")
        % {"type": alert.get_alert_type_display(), "name": alert.person.name},
    )
    return alert


MIN_FACTS_CHARS = 10  # a sanction states what the person did, not "ok"


def sanction_check(*, actor: Any, outcome: str, facts: str, confirmed: bool) -> str:
    """A sanctioning outcome (训诫 and up) needs an officer, the facts found and an explicit confirmation;
    returns the facts, stripped. Raises and changes nothing otherwise."""
    scope = scope_for(actor)
    if not scope.unrestricted and scope.role not in ADMONITION_ROLES:
        raise PermissionDenied(_("Only officers of the bureau or squadron may decide an admonition."))
    facts = (facts or "").strip()
    errors: dict[str, list[str]] = {}
    if len(facts) < MIN_FACTS_CHARS:
        errors["facts"] = [
            _(
                "State the facts of the violation (at least %(n)s characters): what the person did, when, where."
            )
            % {"n": MIN_FACTS_CHARS}
        ]
    if not confirmed:
        errors["confirm"] = [_("Confirm that the facts justify an admonition (训诫) on the person's record.")]
    if errors:
        raise ValidationError(errors)
    return facts


@transaction.atomic
def alert_resolve(
    *, actor: Any, alert: Alert, outcome: str, note: str, facts: str = "", confirmed: bool = False
) -> Alert:
    """Close the alert with its outcome, an explicit choice (there is no default).

    A sanctioning outcome (admonition, 训诫) writes the discipline record; it needs an officer, the facts
    of the violation and ``confirmed=True``: an officer who types a note about a flat battery and presses
    resolve can never record a sanction by accident."""
    from jiaozheng.people.choices import DisciplineKind
    from jiaozheng.people.models import Discipline
    from jiaozheng.people.services import discipline_add

    alert = _locked_alert(actor, alert)
    if not alert.is_open:
        raise ValidationError(_("This alert is already resolved."))
    if not outcome or outcome not in [o.value for o in STAFF_OUTCOMES]:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write what was found and done.")})
    now = timezone.now()
    evidence: dict[str, Any] = {"outcome": outcome}
    if outcome in SANCTION_OUTCOMES:
        facts = sanction_check(actor=actor, outcome=outcome, facts=facts, confirmed=confirmed)
        evidence.update({"facts": facts, "confirmed": True})
        alert.discipline = discipline_add(
            actor=actor,
            person=alert.person,
            kind=DisciplineKind.ADMONITION,
            reason=_("%(type)s on %(date)s: %(note)s")
            % {
                "type": alert.get_alert_type_display(),
                "date": timezone.localtime(alert.occurred_at).strftime("%Y-%m-%d %H:%M"),
                "note": facts,
            },
            decided_on=timezone.localdate(),
            source=Discipline.Source.ALERT,
            source_obj=alert,
            authorised_domain=Domain.LOCATION,
        )
    alert.status = AlertStatus.RESOLVED
    alert.outcome = outcome
    alert.resolution_note = note
    alert.resolved_at = now
    alert.resolved_by = _user(actor)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by = _user(actor)
    alert.save()
    AlertEvent.objects.create(
        alert=alert,
        kind=AlertEventKind.RESOLVED,
        at=now,
        actor=_user(actor),
        note=note,
        evidence=evidence,
    )
    timeline_add(alert.person, "location.alert_resolved", obj=alert, type=alert.alert_type, outcome=outcome)
    return alert


@transaction.atomic
def alert_clear(
    *,
    alert: Alert,
    at: dt.datetime | None = None,
    note: str = "",
    evidence: dict | None = None,
    close_handled: bool = False,
) -> Alert:
    """The condition behind an open alert has ended (back in the area, reporting again).

    An alert nobody has taken up yet closes itself (outcome "cleared"); one that staff are handling stays
    open for them, marked as ended (``close_handled``: an acknowledged one closes too, as a silence episode
    does when reports resume). Called by the system (ingestion, sweeps), not by staff.
    """
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if not alert.is_open:
        return alert
    now = timezone.now()
    at = at or now
    AlertEvent.objects.create(
        alert=alert, kind=AlertEventKind.CLEARED, at=now, note=note, evidence=jsonable(evidence or {"at": at})
    )
    alert.cleared_at = at
    closing = (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED) if close_handled else (AlertStatus.NEW,)
    if alert.status in closing:
        alert.status = AlertStatus.RESOLVED
        alert.outcome = AlertOutcome.CLEARED
        alert.resolution_note = note
        alert.resolved_at = now
    alert.save()
    return alert


# --- devices and installs -------------------------------------------------------------------------

# Roles that approve trips and prohibition schedules (decisions of the 司法所 / county agency).
OFFICER_ROLES = ADMONITION_ROLES


def _require_officer(actor: Any) -> None:
    _require_staff(actor)
    scope = scope_for(actor)
    if not scope.unrestricted and scope.role not in OFFICER_ROLES:
        raise PermissionDenied(_("Only officers of the bureau or squadron may do this."))


def _locked_person(actor: Any, person: Any) -> Any:
    from jiaozheng.people.models import Person

    visible = get_scoped_or_404(
        Person, actor, CHANGE, domain=Domain.LOCATION, pk=getattr(person, "pk", person)
    )
    return Person.objects.select_for_update().select_related("county", "squadron").get(pk=visible.pk)


@transaction.atomic
def device_enrol(
    *, actor: Any, person: Any, platform: str, label: str = "", note: str = ""
) -> tuple[Any, str]:
    """Enrol a phone for a person: a new device token (returned once, never stored in clear) and the
    contract's install record (定位服务（APP安装）人次). An active phone of the person is replaced."""
    from jiaozheng.location import auth
    from jiaozheng.location.choices import DevicePlatform, DeviceStatus, InstallKind, InstallSource
    from jiaozheng.location.models import Device, InstallRecord, LatestPosition
    from jiaozheng.people.choices import Status

    _require_staff(actor)
    person = _locked_person(actor, person)
    if person.status not in (Status.IN_CORRECTION, Status.PENDING):
        raise ValidationError(_("Only a person in correction (or about to report) can be given a device."))
    if outside := person.outside_correction(timezone.localdate()):
        raise ValidationError(outside)  # the one rule for service records: the install is one
    if platform not in DevicePlatform.values:
        raise ValidationError({"platform": _("Choose the app used on the phone.")})
    now = timezone.now()
    previous = list(Device.objects.select_for_update().filter(person=person, status=DeviceStatus.ACTIVE))
    for old in previous:
        old.status = DeviceStatus.REPLACED
        old.ended_at = now
        old.ended_by = _user(actor)
        old.end_reason = _("Replaced by a new phone")
        old.save()
        auth.forget_device(old.pk)
    token = auth.new_token()
    device = Device(
        person=person,
        county_id=person.county_id,
        platform=platform,
        label=(label or "").strip()[:80],
        token_hash=auth.hash_token(token),
        token_hint=token[-4:],
        enrolled_at=now,
        enrolled_by=_user(actor),
    )
    device.full_clean(exclude=["token_hash"])
    device.save()
    today = timezone.localdate()
    first = not InstallRecord.objects.filter(person=person).exists()
    InstallRecord.objects.create(
        person=person,
        county_id=person.county_id,
        installed_on=today,
        device=device,
        kind=InstallKind.FIRST if first else InstallKind.REINSTALL,
        source=InstallSource.ENROLMENT,
        note=(note or "").strip()[:200],
        recorded_by=_user(actor),
    )
    # The silence clock of the new phone starts now (the sweep's "never reported since enrolment").
    LatestPosition.objects.update_or_create(
        person=person,
        defaults={
            "county_id": person.county_id,
            "device_id": device.pk,
            "last_seen_at": None,
            "expected_since": now,
        },
    )
    timeline_add(person, "location.device_enrolled", obj=device, platform=platform)
    return device, token


@transaction.atomic
def device_end(*, actor: Any, device: Any, reason: str) -> Any:
    """Take a phone out of use (lost, sold, wrong person): its token stops working at once."""
    from jiaozheng.location import auth
    from jiaozheng.location.choices import DeviceStatus
    from jiaozheng.location.models import Device

    _require_staff(actor)
    visible = get_scoped_or_404(Device, actor, CHANGE, pk=device.pk)
    device = Device.objects.select_for_update().get(pk=visible.pk)
    if device.status != DeviceStatus.ACTIVE:
        raise ValidationError(_("This device is no longer in use."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    device.status = DeviceStatus.REVOKED
    device.ended_at = timezone.now()
    device.ended_by = _user(actor)
    device.end_reason = reason[:200]
    device.save()
    auth.forget_device(device.pk)
    timeline_add(device.person, "location.device_ended", obj=device)
    return device


def devices_end_after_correction(*, today: dt.date | None = None) -> int:
    """Background: end the active devices of persons whose correction is over (released, terminated)."""
    from jiaozheng.audit.services import record_bulk
    from jiaozheng.location import auth
    from jiaozheng.location.choices import DeviceStatus
    from jiaozheng.location.models import Device
    from jiaozheng.people.choices import Status

    today = today or timezone.localdate()
    with transaction.atomic():
        doomed = list(
            Device.objects.select_for_update()
            .filter(status=DeviceStatus.ACTIVE, person__status__in=[Status.RELEASED, Status.TERMINATED])
            .select_related("person")
        )
        if not doomed:
            return 0
        now = timezone.now()
        for device in doomed:
            device.status = DeviceStatus.ENDED
            day = device.person.released_on or device.person.terminated_on or today
            device.ended_at = min(now, _end_of_day(day))
            device.end_reason = _("Correction ended")
        Device.objects.bulk_update(doomed, ["status", "ended_at", "end_reason"])
        record_bulk(doomed, action="update", verb="location.devices_ended")
    auth.forget_device()
    return len(doomed)


def _end_of_day(day: dt.date) -> dt.datetime:
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz) - dt.timedelta(seconds=1)


# --- travel permits and prohibition schedules (the person's fences) -----------------------------------


def fences_changed(person_id: int) -> None:
    """Tell every worker to reload a person's fences (their version moves on)."""
    from jiaozheng.location import fences, storage

    storage.bump_fence_version(person_id)
    fences.forget(person_id)


def validate_zone(zone: Any, field: str = "zone") -> None:
    """A GeoJSON Polygon / MultiPolygon, or {"type": "Circle", "center": [lon, lat], "radius_m": r}."""
    from jiaozheng.location.fences import zone_geometry_deg

    if not isinstance(zone, dict) or zone.get("type") not in ("Polygon", "MultiPolygon", "Circle"):
        raise ValidationError({field: _("The zone must be a GeoJSON Polygon or MultiPolygon, or a Circle.")})
    if zone["type"] == "Circle":
        center, radius = zone.get("center"), zone.get("radius_m")
        if (
            not isinstance(center, list)
            or len(center) != 2
            or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in center)
            or not isinstance(radius, (int, float))
            or not 10 <= radius <= 200_000
        ):
            raise ValidationError(
                {
                    field: _(
                        "A circle needs a centre [longitude, latitude] and a radius of 10 to 200,000 metres."
                    )
                }
            )
        lon, lat = center
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError({field: _("The circle's centre is outside valid coordinates.")})
        return
    try:
        geometry = zone_geometry_deg(zone)
    except Exception:
        raise ValidationError({field: _("The polygon cannot be read.")})
    if geometry.is_empty or not geometry.is_valid:
        raise ValidationError({field: _("The polygon is empty or crosses itself.")})
    minx, miny, maxx, maxy = geometry.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationError({field: _("The polygon is outside valid coordinates.")})


MAX_TRIP_DAYS = 184  # frequent travel may be approved for six months at a time (domain.md (b) 10)


@transaction.atomic
def travel_permit_create(
    *,
    actor: Any,
    person: Any,
    destination: str,
    start_on: dt.date,
    end_on: dt.date,
    reason: str,
    destination_code: str = "",
    zone: dict | None = None,
) -> Any:
    """Record an approved trip (外出审批): during its dates the destination and the way there are permitted."""
    from jiaozheng.core.geo import county_feature
    from jiaozheng.location.models import TravelPermit

    _require_officer(actor)
    person = _locked_person(actor, person)
    errors: dict[str, list[str]] = {}
    destination = (destination or "").strip()
    reason = (reason or "").strip()
    destination_code = (destination_code or "").strip()
    if not destination:
        errors.setdefault("destination", []).append(_("Name the destination."))
    if not reason:
        errors.setdefault("reason", []).append(_("Give the reason for the trip."))
    if end_on < start_on:
        errors.setdefault("end_on", []).append(_("The trip cannot end before it starts."))
    elif (end_on - start_on).days + 1 > MAX_TRIP_DAYS:
        errors.setdefault("end_on", []).append(
            _("One approval covers at most %(n)s days.") % {"n": MAX_TRIP_DAYS}
        )
    if end_on < timezone.localdate():
        errors.setdefault("end_on", []).append(_("This trip is already over."))
    if zone is None and not destination_code:
        errors.setdefault("destination_code", []).append(
            _("Give the destination's division code or draw its zone.")
        )
    if destination_code and county_feature(destination_code) is None:
        errors.setdefault("destination_code", []).append(
            _("No county or district has the code %(code)s.") % {"code": destination_code}
        )
    if zone is not None:
        try:
            validate_zone(zone)
        except ValidationError as exc:
            errors.setdefault("zone", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    permit = TravelPermit.objects.create(
        person=person,
        county_id=person.county_id,
        destination=destination[:100],
        destination_code=destination_code,
        zone=zone,
        start_on=start_on,
        end_on=end_on,
        reason=reason[:200],
        approved_by=_user(actor),
    )
    timeline_add(
        person,
        "location.travel_permitted",
        obj=permit,
        destination=permit.destination,
        start=start_on.isoformat(),
        end=end_on.isoformat(),
    )
    fences_changed(person.pk)
    return permit


@transaction.atomic
def travel_permit_cancel(*, actor: Any, permit: Any, reason: str) -> Any:
    from jiaozheng.location.choices import TravelPermitStatus
    from jiaozheng.location.models import TravelPermit

    _require_officer(actor)
    visible = get_scoped_or_404(TravelPermit, actor, CHANGE, pk=permit.pk)
    permit = TravelPermit.objects.select_for_update().get(pk=visible.pk)
    if permit.status != TravelPermitStatus.APPROVED:
        raise ValidationError(_("This permit is already cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    permit.status = TravelPermitStatus.CANCELLED
    permit.cancelled_at = timezone.now()
    permit.cancel_reason = reason[:200]
    permit.save()
    timeline_add(permit.person, "location.travel_cancelled", obj=permit, destination=permit.destination)
    fences_changed(permit.person_id)
    return permit


@transaction.atomic
def prohibition_schedule_set(*, actor: Any, order: Any, schedule: Any) -> Any:
    """Limit a 禁止令's zone to weekly windows (e.g. 22:00-06:00 every day); None: at all times."""
    from jiaozheng.location.fences import parse_schedule
    from jiaozheng.people.choices import ProhibitionKind
    from jiaozheng.people.models import ProhibitionOrder

    _require_officer(actor)
    visible = get_scoped_or_404(ProhibitionOrder, actor, VIEW, domain=Domain.LOCATION, pk=order.pk)
    order = ProhibitionOrder.objects.select_for_update().get(pk=visible.pk)
    if order.kind != ProhibitionKind.AREA or not order.zone:
        raise ValidationError(_("Only an area prohibition with a zone can have a schedule."))
    try:
        parse_schedule(schedule)
    except ValueError as exc:
        raise ValidationError({"schedule": str(exc)})
    order.schedule = schedule or None
    order.save()
    fences_changed(order.person_id)
    return order


# --- expected-silence windows (declared work shifts) -------------------------------------------------


@transaction.atomic
def expected_silence_add(
    *,
    actor: Any,
    person: Any,
    reason: str,
    schedule: Any,
    start_on: dt.date,
    end_on: dt.date | None = None,
    note: str = "",
) -> Any:
    """Declare weekly hours in which the person's phone is expected to be silent (a work shift where
    phones are not allowed): the silence sweep does not count them."""
    from jiaozheng.location.choices import QuietReason
    from jiaozheng.location.fences import parse_schedule
    from jiaozheng.location.models import ExpectedSilence

    _require_staff(actor)
    person = _locked_person(actor, person)
    errors: dict[str, list[str]] = {}
    if reason not in QuietReason.values:
        errors["reason"] = [_("Choose the reason.")]
    try:
        if not parse_schedule(schedule):
            errors["schedule"] = [_("Give the days and hours.")]
    except ValueError as exc:
        errors["schedule"] = [str(exc)]
    if end_on is not None and end_on < start_on:
        errors["end_on"] = [_("The period cannot end before it starts.")]
    note = (note or "").strip()
    if reason == QuietReason.OTHER and not note:
        errors["note"] = [_("Say why the phone is expected to be silent.")]
    if errors:
        raise ValidationError(errors)
    row = ExpectedSilence.objects.create(
        person=person,
        county_id=person.county_id,
        reason=reason,
        schedule=schedule if isinstance(schedule, dict) else {"weekly": schedule},
        start_on=start_on,
        end_on=end_on,
        note=note[:200],
        declared_by=_user(actor),
    )
    timeline_add(person, "location.expected_silence", obj=row, reason=reason)
    return row


@transaction.atomic
def expected_silence_end(*, actor: Any, row: Any) -> Any:
    from jiaozheng.location.models import ExpectedSilence

    _require_staff(actor)
    visible = get_scoped_or_404(ExpectedSilence, actor, CHANGE, pk=getattr(row, "pk", row))
    row = ExpectedSilence.objects.select_for_update().get(pk=visible.pk)
    if row.ended_at is not None:
        raise ValidationError(_("This window has already been ended."))
    row.ended_at = timezone.now()
    row.save()
    return row


# --- bulk triage ---------------------------------------------------------------------------------------

BULK_MAX = 200  # alerts in one bulk action


def alerts_bulk(*, actor: Any, ids: list[int], action: str, note: str, outcome: str = "") -> dict[str, Any]:
    """Acknowledge or resolve many alerts with one note. Each alert is still handled by the single-alert
    service (its own event, audit entry and timeline entry). A bulk action can never sanction: the
    admonition (训诫) is refused here whatever the role. All or nothing: an id out of scope answers 404 and
    nothing changes; alerts not in a state for the action (already acknowledged...) are skipped and named."""
    from django.http import Http404

    _require_staff(actor)
    ids = list(dict.fromkeys(int(i) for i in ids))
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if action not in ("acknowledge", "resolve"):
        errors["action"] = [_("Choose acknowledge or resolve.")]
    if not ids:
        errors["ids"] = [_("Select at least one alert.")]
    elif len(ids) > BULK_MAX:
        errors["ids"] = [_("At most %(n)s alerts at a time.") % {"n": BULK_MAX}]
    if not note:
        errors["note"] = [_("Write the note that goes on every selected alert.")]
    if action == "resolve":
        if outcome in SANCTION_OUTCOMES:
            errors["outcome"] = [
                _("A sanction (训诫) is decided on each alert with its facts, never in a bulk action.")
            ]
        elif outcome not in [o.value for o in STAFF_OUTCOMES]:
            errors["outcome"] = [_("Choose the outcome.")]
    if errors:
        raise ValidationError(errors)
    done: list[int] = []
    skipped: list[int] = []
    with transaction.atomic():
        visible = {a.pk: a for a in scoped(Alert, actor, CHANGE).filter(pk__in=ids)}
        if len(visible) != len(ids):
            raise Http404
        for pk in ids:
            alert = visible[pk]
            if action == "acknowledge" and alert.status != AlertStatus.NEW:
                skipped.append(pk)
                continue
            if action == "resolve" and not alert.is_open:
                skipped.append(pk)
                continue
            if action == "acknowledge":
                alert_acknowledge(actor=actor, alert=alert, note=note)
            else:
                alert_resolve(actor=actor, alert=alert, outcome=outcome, note=note)
            done.append(pk)
    return {"done": done, "skipped": skipped}
