"""Reads of location supervision. Every selector starts from the actor's scope; every read of positions is
logged (``access_log("location", ...)``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiaozheng.audit.services import access_log
from jiaozheng.core.params import id_param
from jiaozheng.core.registry import provider
from jiaozheng.core.roles import VIEW
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, scoped
from jiaozheng.location.choices import (
    OPEN_STATUSES,
    AlertEventKind,
    DeviceStatus,
    PresenceState,
    TravelPermitStatus,
)
from jiaozheng.location.models import (
    Alert,
    CoverageDay,
    Device,
    Fix,
    InstallRecord,
    LatestPosition,
    TravelPermit,
)
from jiaozheng.people.choices import Status
from jiaozheng.people.models import Person

# --- alerts ---------------------------------------------------------------------------------------------


@dataclass
class AlertFilters:
    status: str = "open"  # "open", "", or an AlertStatus
    alert_type: str = ""
    severity: str = ""
    squadron: int | None = None
    person: int | None = None
    q: str = ""

    @classmethod
    def from_mapping(cls, data: Any) -> AlertFilters:
        def as_int(key: str) -> int | None:
            return id_param(data, key)

        status = data.get("status")
        return cls(
            status="open" if status is None else str(status)[:20],
            alert_type=str(data.get("type") or data.get("alert_type") or "")[:30],
            severity=str(data.get("severity") or "")[:10],
            squadron=as_int("squadron"),
            person=as_int("person"),
            q=str(data.get("q") or "").strip()[:50],
        )


def alert_list(*, actor: Any, filters: AlertFilters | None = None) -> QuerySet[Alert]:
    filters = filters or AlertFilters()
    qs = scoped(Alert, actor).select_related("person", "person__squadron")
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.alert_type:
        qs = qs.filter(alert_type=filters.alert_type)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.squadron:
        qs = qs.filter(person__squadron_id=filters.squadron)
    if filters.person:
        qs = qs.filter(person_id=filters.person)
    if filters.q:
        qs = qs.filter(Q(person__name__icontains=filters.q) | Q(person__case_number__icontains=filters.q))
    return qs.order_by("-occurred_at", "-id")


def alert_counts(*, actor: Any) -> dict[str, Any]:
    """Open alerts by status, type and severity (one aggregate query each)."""
    open_qs = scoped(Alert, actor).filter(status__in=OPEN_STATUSES)
    return {
        "open": open_qs.count(),
        "by_status": dict(open_qs.values_list("status").annotate(n=Count("id")).values_list("status", "n")),
        "by_type": dict(
            open_qs.values_list("alert_type").annotate(n=Count("id")).values_list("alert_type", "n")
        ),
        "urgent": open_qs.filter(severity__in=["urgent", "high"]).count(),
    }


def alert_get(*, actor: Any, pk: Any, action: str = VIEW) -> Alert:
    return get_scoped_or_404(
        Alert.objects.select_related(
            "person",
            "person__squadron",
            "person__county",
            "acknowledged_by",
            "escalated_by",
            "resolved_by",
            "discipline",
        ),
        actor,
        action,
        pk=pk,
    )


def alert_evidence_fixes(alert: Alert, *, actor: Any) -> list[dict[str, Any]]:
    """The fixes stored as an alert's evidence (positions: the read is logged)."""
    fixes = list(alert.evidence.get("fixes") or [])
    for event in alert.events.filter(kind=AlertEventKind.EVIDENCE):
        fixes.extend((event.evidence or {}).get("fixes") or [])
    if fixes:
        access_log("location", person=alert.person, obj=alert, actor=actor, detail="alert evidence fixes")
    return fixes


# --- presence: reporting, not moving, silent ------------------------------------------------------------


CAUSES = {
    "low_battery": gettext_lazy("battery low"),
    "power_saving": gettext_lazy("power saving on"),
    "permission_denied": gettext_lazy("location permission withdrawn"),
    "reports_rejected": gettext_lazy("reports refused"),
    "never_reported": gettext_lazy("no report since the phone was enrolled"),
}


def cause_label(code: str) -> str:
    """The cause of a silence in the reader's language."""
    label = CAUSES.get(code)
    return str(label) if label is not None else code


def silence_cause(
    *,
    battery: float | None,
    charging: bool | None,
    device_state: dict[str, Any] | None,
    last_seen_at: dt.datetime | None,
    last_rejected_at: dt.datetime | None,
    low_battery: float,
) -> str:
    """Why a phone may have gone quiet, from what it said last ("" when nothing explains it)."""
    state = device_state or {}
    level = battery if battery is not None else state.get("battery")
    plugged = charging if charging is not None else state.get("charging")
    if level is not None and level <= low_battery and not plugged:
        return "low_battery"
    if state.get("location_permission") == "denied":
        return "permission_denied"
    if state.get("power_saving"):
        return "power_saving"
    if last_rejected_at is not None and (last_seen_at is None or last_rejected_at > last_seen_at):
        return "reports_rejected"
    return ""


def thresholds(county_id: int) -> dict[str, dt.timedelta]:
    """Silence after which each class counts as not reporting (interval + grace)."""
    intervals = rule("location.report_interval_minutes", county_id)
    grace = rule("location.report_grace_minutes", county_id)
    return {cls: dt.timedelta(minutes=minutes + grace) for cls, minutes in intervals.items()}


def presence(
    *,
    latest: LatestPosition | None,
    device: Device | None,
    supervision_class: str,
    now: dt.datetime | None = None,
) -> tuple[str, str]:
    """(PresenceState, cause code) of one person."""
    if device is None:
        return PresenceState.NO_DEVICE, ""
    now = now or timezone.now()
    county_id = device.county_id
    limit = thresholds(county_id).get(supervision_class, dt.timedelta(hours=1))
    if latest is None or latest.last_seen_at is None:
        since = latest.expected_since if latest is not None and latest.expected_since else device.enrolled_at
        if now - since > limit:
            return PresenceState.NEVER, "never_reported"
        return PresenceState.NEVER, ""
    if now - latest.last_seen_at > limit:
        cause = silence_cause(
            battery=latest.battery,
            charging=latest.charging,
            device_state=latest.device_state,
            last_seen_at=latest.last_seen_at,
            last_rejected_at=device.last_rejected_at,
            low_battery=rule("location.low_battery_fraction", county_id),
        )
        return (PresenceState.SILENT_CAUSE if cause else PresenceState.SILENT), cause
    interval = dt.timedelta(
        minutes=rule("location.report_interval_minutes", county_id).get(supervision_class, 30)
    )
    if latest.moving is False or (latest.still_since is not None and now - latest.still_since >= interval):
        return PresenceState.STILL, ""
    return PresenceState.MOVING, ""


# --- devices ------------------------------------------------------------------------------------------


@dataclass
class DeviceRow:
    person: Person
    device: Device | None
    latest: LatestPosition | None
    state: str
    cause: str

    @property
    def state_label(self) -> str:
        return PresenceState(self.state).label  # type: ignore[return-value]

    @property
    def cause_text(self) -> str:
        return cause_label(self.cause) if self.cause else ""


def device_rows(
    *, actor: Any, squadron: int | None = None, state: str = "", q: str = "", limit: int | None = None
) -> list[DeviceRow]:
    """Persons in correction in scope with their active device, last report and presence state."""
    persons = scoped(Person, actor).filter(status=Status.IN_CORRECTION).select_related("squadron")
    if squadron:
        persons = persons.filter(squadron_id=squadron)
    if q:
        persons = persons.filter(Q(name__icontains=q) | Q(case_number__icontains=q))
    persons = list(persons.order_by("squadron__sort_order", "name", "id"))  # type: ignore[assignment]
    ids = [p.pk for p in persons]
    devices = {d.person_id: d for d in Device.objects.filter(person_id__in=ids, status=DeviceStatus.ACTIVE)}
    latest = {row.person_id: row for row in LatestPosition.objects.filter(person_id__in=ids)}
    now = timezone.now()
    rows = []
    for person in persons:
        device = devices.get(person.pk)
        state_code, cause = presence(
            latest=latest.get(person.pk), device=device, supervision_class=person.supervision_class, now=now
        )
        if state and state_code != state:
            continue
        rows.append(DeviceRow(person, device, latest.get(person.pk), state_code, cause))
    return rows[:limit] if limit else rows


def _with_contracts(installs: list[InstallRecord]) -> list[InstallRecord]:
    """Each installation with ``contract``: the contract covering its county on its day (or None)."""
    covering = provider("contracts.covering")
    found: dict[tuple[int, dt.date], Any] = {}
    for install in installs:
        key = (install.county_id, install.installed_on)
        if key not in found:
            found[key] = covering(*key)
        install.contract = found[key]  # type: ignore[attr-defined]
    return installs


def device_history(*, actor: Any, person: Person) -> dict[str, Any]:
    return {
        "devices": list(
            scoped(Device, actor).filter(person=person).select_related("enrolled_by", "ended_by")
        ),
        "installs": _with_contracts(list(scoped(InstallRecord, actor).filter(person=person))),
    }


def device_list(*, actor: Any, person: int | None = None, status: str = "") -> QuerySet[Device]:
    qs = scoped(Device, actor).select_related("person")
    if person:
        qs = qs.filter(person_id=person)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-enrolled_at", "-id")


# --- positions ------------------------------------------------------------------------------------------


def latest_positions(
    *, actor: Any, squadron: int | None = None, county: int | None = None
) -> list[dict[str, Any]]:
    """The latest position of every person in correction in scope (the read is logged)."""
    persons = scoped(Person, actor).filter(status=Status.IN_CORRECTION)
    if squadron:
        persons = persons.filter(squadron_id=squadron)
    if county:
        persons = persons.filter(county_id=county)
    person_map = {p.pk: p for p in persons.select_related("squadron")}
    rows = list(
        LatestPosition.objects.filter(person_id__in=list(person_map), latitude__isnull=False).order_by(
            "person_id"
        )
    )
    devices = {
        d.person_id: d
        for d in Device.objects.filter(person_id__in=list(person_map), status=DeviceStatus.ACTIVE)
    }
    open_alerts: dict[int, list[str]] = {}
    for person_id, alert_type in (
        scoped(Alert, actor)
        .filter(person_id__in=list(person_map), status__in=OPEN_STATUSES)
        .values_list("person_id", "alert_type")
    ):
        open_alerts.setdefault(person_id, []).append(alert_type)
    now = timezone.now()
    out = []
    for row in rows:
        person = person_map[row.person_id]
        state, cause = presence(
            latest=row, device=devices.get(row.person_id), supervision_class=person.supervision_class, now=now
        )
        out.append(
            {
                "person_id": person.pk,
                "name": person.name,
                "case_number": person.case_number,
                "squadron": person.squadron.name,
                "supervision_class": person.supervision_class,
                "lat": row.latitude,
                "lon": row.longitude,
                "accuracy": row.accuracy,
                "fix_time": row.fix_time.isoformat() if row.fix_time else None,
                "last_seen_at": row.last_seen_at.isoformat() if row.last_seen_at else None,
                "battery": row.battery,
                "state": state,
                "state_label": str(PresenceState(state).label),
                "cause": cause_label(cause) if cause else "",
                "alerts": open_alerts.get(person.pk, []),
                "flags": row.flags,
            }
        )
    access_log("location", actor=actor, detail=f"latest positions, {len(out)} persons")
    return out


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def person_track(*, actor: Any, person: Person, day: dt.date, limit: int = 20_000) -> list[dict[str, Any]]:
    """A person's fixes on one local day, in time order (the read is logged)."""
    start, end = local_day_bounds(day)
    rows = (
        Fix.objects.filter(person_id=person.pk, fix_time__gte=start, fix_time__lt=end)
        .order_by("fix_time", "id")
        .values_list("fix_time", "latitude", "longitude", "accuracy", "speed", "battery", "source", "flags")[
            :limit
        ]
    )
    out = [
        {
            "t": t.isoformat(),
            "lat": lat,
            "lon": lon,
            "acc": acc,
            "speed": speed,
            "battery": battery,
            "src": src,
            "flags": flags,
        }
        for t, lat, lon, acc, speed, battery, src, flags in rows
    ]
    access_log(
        "location",
        person=person,
        obj=person,
        actor=actor,
        detail=f"track of {day.isoformat()}, {len(out)} fixes",
    )
    return out


def track_days(*, person: Person, days: int = 14) -> list[dt.date]:
    """Recent local days on which the person reported (for the day picker)."""
    since = timezone.now() - dt.timedelta(days=days)
    times = Fix.objects.filter(person_id=person.pk, fix_time__gte=since).values_list("fix_time", flat=True)
    return sorted({timezone.localtime(t).date() for t in times.iterator(chunk_size=5000)}, reverse=True)


# --- zones (drawn on the map) ---------------------------------------------------------------------------


def county_boundary(county: Any) -> dict[str, Any] | None:
    from jiaozheng.core.geo import county_feature

    feature = county_feature(county.boundary_code or county.code or "")
    if feature is None:
        return None
    return {
        "type": "Feature",
        "geometry": feature["geometry"],
        "properties": {"kind": "county", "name": county.name},
    }


def person_zones(*, actor: Any, person: Person) -> dict[str, Any]:
    """The person's fences as GeoJSON: permitted county area, approved trips, forbidden zones."""
    from shapely.geometry import mapping

    from jiaozheng.location.fences import compile_fences, permit_geometry, zone_geometry_deg
    from jiaozheng.people.choices import ProhibitionKind

    features: list[dict[str, Any]] = []
    fences = compile_fences(person)
    if fences.county_geometry_deg is not None:
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(fences.county_geometry_deg),
                "properties": {
                    "kind": "area",
                    "name": _("Permitted area: %(county)s (+%(m)s m tolerance)")
                    % {"county": person.county.name, "m": fences.params["county_buffer_m"]},
                },
            }
        )
    today = timezone.localdate()
    for permit in scoped(TravelPermit, actor).filter(
        person=person, status=TravelPermitStatus.APPROVED, end_on__gte=today
    ):
        geometry = permit_geometry(permit)
        if geometry is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": mapping(geometry),
                    "properties": {
                        "kind": "trip",
                        "name": f"{permit.destination} {permit.start_on:%m-%d}~{permit.end_on:%m-%d}",
                    },
                }
            )
    for order in person.prohibitions.filter(kind=ProhibitionKind.AREA, zone__isnull=False, end_on__gte=today):
        try:
            geometry = zone_geometry_deg(order.zone)  # type: ignore[arg-type]
        except Exception:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(geometry),
                "properties": {
                    "kind": "forbidden",
                    "name": order.content[:40],
                    "schedule": order.schedule or None,
                    "from": order.start_on.isoformat(),
                    "until": order.end_on.isoformat(),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- electronic supervision rate --------------------------------------------------------------------


def coverage_series(*, actor: Any, days: int = 30) -> dict[int, list[CoverageDay]]:
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    series: dict[int, list[CoverageDay]] = {}
    for row in scoped(CoverageDay, actor).filter(day__gte=since).select_related("county").order_by("day"):
        series.setdefault(row.county_id, []).append(row)
    return series


def travel_permits(
    *, actor: Any, person: Person | None = None, current: bool = False
) -> QuerySet[TravelPermit]:
    qs = scoped(TravelPermit, actor).select_related("person", "approved_by")
    if person is not None:
        qs = qs.filter(person=person)
    if current:
        qs = qs.filter(status=TravelPermitStatus.APPROVED, end_on__gte=timezone.localdate())
    return qs.order_by("-start_on", "-id")


# --- the supervised person's own page ----------------------------------------------------------------


def my_reporting(*, actor: Any) -> dict[str, Any]:
    """What the signed-in supervised person's phone has reported, as the officer sees it: the phone in use,
    the last report received, the state and likely cause. Only their own rows (row scoping)."""
    person = scoped(Person, actor).filter(status=Status.IN_CORRECTION).first()
    if person is None:
        return {"person": None}
    device = scoped(Device, actor).filter(person=person, status=DeviceStatus.ACTIVE).first()
    latest = scoped(LatestPosition, actor).filter(person=person).first()
    state, cause = presence(latest=latest, device=device, supervision_class=person.supervision_class)
    limits = thresholds(person.county_id)
    limit = limits.get(person.supervision_class)
    return {
        "person": person,
        "device": device,
        "last_seen_at": latest.last_seen_at if latest else None,
        "battery": latest.battery if latest else None,
        "state": state,
        "state_label": PresenceState(state).label,
        "cause_text": cause_label(cause) if cause else "",
        "limit_minutes": int(limit.total_seconds() // 60) if limit else None,
        "open_alerts": list(
            scoped(Alert, actor).filter(person=person, status__in=OPEN_STATUSES).order_by("-occurred_at")[:5]
        ),
    }


# --- the morning digest -----------------------------------------------------------------------------------


def digest(*, actor: Any, now: dt.datetime | None = None, hours: int = 24) -> dict[str, Any]:
    """A staff member's morning summary of the last ``hours``: alerts raised by type and silence tier,
    episodes closed by themselves, and the open alerts still waiting for someone (urgent first)."""
    from jiaozheng.location.choices import AlertOutcome, AlertSeverity, AlertType, SilenceTier

    now = now or timezone.now()
    since = now - dt.timedelta(hours=hours)
    visible = scoped(Alert, actor)
    raised = visible.filter(raised_at__gte=since, raised_at__lt=now)
    by_type = dict(raised.values_list("alert_type").annotate(n=Count("id")).values_list("alert_type", "n"))
    by_tier = dict(
        raised.filter(tier__isnull=False).values_list("tier").annotate(n=Count("id")).values_list("tier", "n")
    )
    open_qs = visible.filter(status__in=OPEN_STATUSES)
    rank: dict[str, int] = {
        AlertSeverity.URGENT: 0,
        AlertSeverity.HIGH: 1,
        AlertSeverity.MEDIUM: 2,
        AlertSeverity.LOW: 3,
    }
    waiting = sorted(
        open_qs.select_related("person", "person__squadron")[:500],
        key=lambda a: (rank.get(a.severity, 9), -a.occurred_at.timestamp()),
    )
    return {
        "since": since,
        "now": now,
        "raised": raised.count(),
        "by_type": [(str(label), by_type[v]) for v, label in AlertType.choices if by_type.get(v)],
        "by_tier": [(str(label), by_tier.get(v, 0)) for v, label in SilenceTier.choices],
        "closed_by_themselves": visible.filter(
            resolved_at__gte=since, resolved_at__lt=now, outcome=AlertOutcome.CLEARED
        ).count(),
        "resolved_by_staff": visible.filter(resolved_at__gte=since, resolved_at__lt=now)
        .exclude(outcome=AlertOutcome.CLEARED)
        .count(),
        "open": open_qs.count(),
        "urgent_open": open_qs.filter(severity=AlertSeverity.URGENT).count(),
        "new_open": open_qs.filter(status="new").count(),
        "waiting": waiting[:30],
    }
