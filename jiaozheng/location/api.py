"""/api/v1/location: position reports from phones (device token) and alerts, devices, positions, trips
for staff and integrations.

No ``from __future__ import annotations`` here: django-ninja reads the annotations at import time.

Phones:
- ``POST /api/v1/location/fixes``: our batch format (``protocols.BatchIn``), up to 500 fixes, device token
  as ``Authorization: Bearer <token>`` or ``X-Device-Token``.
- ``GET|POST /api/v1/location/osmand``: the OsmAnd protocol (query string or form) and Traccar Client 9+
  JSON; the device token is the app's *device identifier*. Enter this URL as the app's server URL.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Schema
from ninja.responses import Status

from jiaozheng.core.access import api_access
from jiaozheng.core.apiauth import Router
from jiaozheng.core.errors import ApplicationError, validation_errors_from_django
from jiaozheng.core.params import BodySchema, Day, Id
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain
from jiaozheng.core.scoping import get_scoped_or_404
from jiaozheng.location import selectors, services
from jiaozheng.location.auth import DeviceTokenAuth
from jiaozheng.location.choices import (
    AlertOutcome,
    AlertSeverity,
    AlertStatus,
    AlertType,
    DevicePlatform,
    DeviceStatus,
)
from jiaozheng.location.ingest import DeviceInactive, ingest
from jiaozheng.location.models import Alert, Device, TravelPermit
from jiaozheng.location.protocols import (
    TOO_OLD,
    BatchIn,
    BatchProblem,
    parse_batch,
    parse_osmand,
    parse_traccar_json,
)
from jiaozheng.people.models import Person

router = Router(tags=["location"])

OFFICERS = sorted(services.OFFICER_ROLES)


class ErrorOut(Schema):
    message: str
    errors: list[dict[str, Any]] = []


class FixError(Schema):
    field: str | None
    message: str


class RejectedFix(Schema):
    index: int = Field(description="Position of the fix in the request")
    id: str | None = Field(description="Its client id, when it could be read")
    errors: list[FixError]


class IngestOut(Schema):
    stored: int = Field(description="Fixes stored by this request (durable when the answer is sent)")
    duplicates: int = Field(description="Fixes already stored before (a resent batch): nothing to do")
    rejected: list[RejectedFix] = Field(description="Fixes refused, with reasons; do not resend them")


def _inline_schema(model: Any) -> dict[str, Any]:
    """A model's JSON schema with its $defs inlined (the body is read by hand, not by ninja)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.rsplit("/", 1)[1]])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)


def _service(func: Any, **kwargs: Any) -> Any:
    try:
        return func(**kwargs)
    except ValidationError as exc:
        raise ApplicationError("invalid input", validation_errors_from_django(exc), 422)


def _ingest(request: Any, batch: Any) -> dict[str, Any]:
    try:
        result = ingest(request.device, batch)
    except BatchProblem as exc:
        raise ApplicationError(exc.message, exc.errors, 422)
    except DeviceInactive:
        raise ApplicationError("this device is no longer enrolled", [], 401)
    return result.as_dict()


@router.post(
    "/location/fixes",
    auth=DeviceTokenAuth(),
    response={200: IngestOut, 401: ErrorOut, 422: ErrorOut},
    summary="Send a batch of fixes from the phone (device token)",
    description=(
        "Up to 500 fixes from the phone's offline buffer, old and out of order allowed. Each fix has a "
        "client id: a resent batch stores nothing twice. Fixes are validated one by one; refused fixes are "
        "listed with reasons and the others are stored. A batch without fixes is a heartbeat. Mocked fixes "
        "(`mock: true`) are stored, flagged and raise a mock-location alert."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": BatchIn.model_json_schema(ref_template="#/$defs/{model}")}
            },
        }
    },
    operation_id="location_post_fixes",
    url_name="location_post_fixes",
)
@api_access(domain=Domain.LOCATION, action=CHANGE, auth="device")
def post_fixes(request):
    try:
        batch = parse_batch(request.body)
    except BatchProblem as exc:
        raise ApplicationError(exc.message, exc.errors, 422)
    return _ingest(request, batch)


def _ended_device_answer(device_id: int, now: Any) -> HttpResponse:
    """200 to a report from a device no longer in use: nothing stored, the attempt kept for staff."""
    from jiaozheng.location.models import Device

    Device.objects.filter(pk=device_id).exclude(last_rejected_at__gt=now - dt.timedelta(minutes=1)).update(
        last_rejected_at=now, last_rejection="reported after the device was taken out of use; not stored"
    )
    return HttpResponse(
        "device no longer enrolled: nothing stored", status=200, content_type="text/plain; charset=utf-8"
    )


def _osmand(request):
    now = timezone.now()
    ended = getattr(request, "ended_device", None)
    if ended is not None:
        return _ended_device_answer(ended.device_id, now)
    try:
        if request.method == "POST" and (
            "json" in request.headers.get("Content-Type", "") or request.body[:1] in (b"{", b"[")
        ):
            batch = parse_traccar_json(request.body, now=now)
        else:
            params = dict(request.GET.items())
            if request.method == "POST":
                params.update(dict(request.POST.items()))
            batch = parse_osmand(params, now=now)
        result = _ingest(request, batch)
    except BatchProblem as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    except ApplicationError as exc:
        if exc.status_code == 401:  # taken out of use between the lookup and the write
            return _ended_device_answer(request.device.device_id, now)
        return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain; charset=utf-8")
    errors = [e for r in result["rejected"] for e in r["errors"]]
    if errors and all(e.get("code") == TOO_OLD for e in errors):
        # older than the storage limit: acknowledged (never a 400, the app would retry it forever and the
        # phone's later fixes would queue behind it), recorded as refused on the device for staff
        return HttpResponse(
            "acknowledged, not stored: " + errors[0]["message"],
            status=200,
            content_type="text/plain; charset=utf-8",
        )
    if result["rejected"] and not result["stored"] and not result["duplicates"]:
        reasons = "; ".join(
            f"{e['field'] or ''} {e['message']}".strip() for e in result["rejected"][0]["errors"]
        )
        return HttpResponse(f"rejected: {reasons}", status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse("", status=200, content_type="text/plain; charset=utf-8")


OSMAND_DOC = (
    "The unmodified Traccar Client (or any OsmAnd-protocol app) reports here: enter this URL as the server "
    "URL and the device token as the device identifier. Query-string or form parameters: id/deviceid, "
    "timestamp (seconds, milliseconds or ISO 8601), lat+lon or location=lat,lon, speed (knots), "
    "bearing/heading, altitude, accuracy, batt (percent), charge, valid, hdop, cell, wifi, mock. Traccar "
    "Client 9+ posts JSON: device_id and location{timestamp, coords{latitude, longitude, accuracy, speed "
    "(m/s), heading, altitude}, battery{level (0-1), is_charging}, is_moving, mock}. 200 = stored, or "
    "acknowledged without storing (a fix older than the storage limit, a device taken out of use: the reason "
    "in the body and on the device for staff); 400 = refused (reason in the body); 401 = unknown identifier."
)


@router.api_operation(
    ["GET", "POST"],
    "/location/osmand",
    auth=DeviceTokenAuth(osmand=True),
    summary="OsmAnd / Traccar Client protocol (device identifier = device token)",
    description=OSMAND_DOC,
    response={200: None, 400: None, 401: ErrorOut},
    operation_id="location_osmand",
    url_name="location_osmand",
)
@api_access(domain=Domain.LOCATION, action=CHANGE, auth="device")
def osmand(request):
    return _osmand(request)


# --- alerts ------------------------------------------------------------------------------------------


class AlertOut(Schema):
    id: int
    person_id: int
    person_name: str
    case_number: str
    county_id: int
    alert_type: AlertType
    alert_type_label: str
    severity: AlertSeverity
    status: AlertStatus
    title: str
    occurred_at: dt.datetime
    raised_at: dt.datetime
    last_event_at: dt.datetime
    event_count: int
    late: bool
    cleared_at: dt.datetime | None
    outcome: str
    resolution_note: str
    discipline_id: int | None


class AlertEventOut(Schema):
    kind: str
    at: dt.datetime
    actor: str | None
    note: str
    evidence: dict[str, Any]


class AlertDetailOut(AlertOut):
    evidence: dict[str, Any]
    events: list[AlertEventOut]


class AlertPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AlertOut]


class AlertQuery(Schema):
    status: str = Field("open", max_length=20, description='"open" (default), "" for all, or a status')
    type: AlertType | None = None
    severity: AlertSeverity | None = None
    person: Id | None = None
    squadron: Id | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class NoteIn(BodySchema):
    note: str = Field("", max_length=2000)


class EscalateIn(BodySchema):
    note: str = Field(min_length=1, max_length=2000)


class ResolveIn(BodySchema):
    outcome: AlertOutcome
    note: str = Field(min_length=1, max_length=2000)
    facts: str = Field(
        "",
        max_length=2000,
        description="Facts of the violation; required for 'admonition' (at least 10 chars)",
    )
    confirm: bool = Field(False, description="Must be true for 'admonition' (a sanction on the record)")


def _alert_out(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "person_id": alert.person_id,
        "person_name": alert.person.name,
        "case_number": alert.person.case_number,
        "county_id": alert.county_id,
        "alert_type": alert.alert_type,
        "alert_type_label": str(alert.get_alert_type_display()),
        "severity": alert.severity,
        "status": alert.status,
        "title": alert.title,
        "occurred_at": alert.occurred_at,
        "raised_at": alert.raised_at,
        "last_event_at": alert.last_event_at,
        "event_count": alert.event_count,
        "late": alert.late,
        "cleared_at": alert.cleared_at,
        "outcome": alert.outcome,
        "resolution_note": alert.resolution_note,
        "discipline_id": alert.discipline_id,
    }


def _alert_detail(request: Any, alert: Alert) -> dict[str, Any]:
    out = _alert_out(alert)
    out["evidence"] = alert.evidence
    events = list(alert.events.select_related("actor"))
    out["events"] = [
        {
            "kind": e.kind,
            "at": e.at,
            "actor": str(e.actor) if e.actor else None,
            "note": e.note,
            "evidence": e.evidence,
        }
        for e in events
    ]
    if alert.evidence.get("fixes") or any((e.evidence or {}).get("fixes") for e in events):
        from jiaozheng.audit.services import access_log

        access_log(
            "location", person=alert.person, obj=alert, actor=request.user, detail="alert evidence (API)"
        )
    return out


@router.get(
    "/location/alerts",
    response={200: AlertPage, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Alerts in the caller's scope (open ones by default)",
    operation_id="location_list_alerts",
    url_name="location_list_alerts",
)
@api_access(domain=Domain.LOCATION, roles=STAFF_ROLES)
def list_alerts(request, query: Query[AlertQuery]):
    filters = selectors.AlertFilters(
        status=query.status,
        alert_type=query.type or "",
        severity=query.severity or "",
        person=query.person,
        squadron=query.squadron,
    )
    qs = selectors.alert_list(actor=request.user, filters=filters)
    items = [_alert_out(a) for a in qs[query.offset : query.offset + query.limit]]
    return {"count": qs.count(), "limit": query.limit, "offset": query.offset, "items": items}


@router.get(
    "/location/alerts/{alert_id}",
    response={200: AlertDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One alert with its evidence and events",
    operation_id="location_get_alert",
    url_name="location_get_alert",
)
@api_access(domain=Domain.LOCATION, roles=STAFF_ROLES, obj=("alert_id", "location.Alert"))
def get_alert(request, alert_id: int):
    return _alert_detail(request, selectors.alert_get(actor=request.user, pk=alert_id))


@router.post(
    "/location/alerts/{alert_id}/acknowledge",
    response={200: AlertDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Acknowledge a new alert",
    operation_id="location_acknowledge_alert",
    url_name="location_acknowledge_alert",
)
@api_access(domain=Domain.LOCATION, action=CHANGE, roles=STAFF_ROLES, obj=("alert_id", "location.Alert"))
def acknowledge_alert(request, alert_id: int, payload: NoteIn):
    alert = get_scoped_or_404(Alert, request.user, CHANGE, pk=alert_id)
    _service(services.alert_acknowledge, actor=request.user, alert=alert, note=payload.note)
    return _alert_detail(request, selectors.alert_get(actor=request.user, pk=alert_id))


@router.post(
    "/location/alerts/{alert_id}/escalate",
    response={200: AlertDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Escalate an alert to the county bureau (a note is required)",
    operation_id="location_escalate_alert",
    url_name="location_escalate_alert",
)
@api_access(domain=Domain.LOCATION, action=CHANGE, roles=STAFF_ROLES, obj=("alert_id", "location.Alert"))
def escalate_alert(request, alert_id: int, payload: EscalateIn):
    alert = get_scoped_or_404(Alert, request.user, CHANGE, pk=alert_id)
    _service(services.alert_escalate, actor=request.user, alert=alert, note=payload.note)
    return _alert_detail(request, selectors.alert_get(actor=request.user, pk=alert_id))


@router.post(
    "/location/alerts/{alert_id}/resolve",
    response={200: AlertDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Resolve an alert with its outcome; 'admonition' (with facts and confirm) writes the discipline record",
    operation_id="location_resolve_alert",
    url_name="location_resolve_alert",
)
@api_access(domain=Domain.LOCATION, action=CHANGE, roles=STAFF_ROLES, obj=("alert_id", "location.Alert"))
def resolve_alert(request, alert_id: int, payload: ResolveIn):
    alert = get_scoped_or_404(Alert, request.user, CHANGE, pk=alert_id)
    _service(
        services.alert_resolve,
        actor=request.user,
        alert=alert,
        outcome=payload.outcome,
        note=payload.note,
        facts=payload.facts,
        confirmed=payload.confirm,
    )
    return _alert_detail(request, selectors.alert_get(actor=request.user, pk=alert_id))


# --- devices ------------------------------------------------------------------------------------------


class DeviceOut(Schema):
    id: int
    person_id: int
    platform: DevicePlatform
    label: str
    status: DeviceStatus
    token_hint: str
    enrolled_at: dt.datetime
    ended_at: dt.datetime | None
    end_reason: str
    last_rejected_at: dt.datetime | None
    last_rejection: str


class EnrolIn(BodySchema):
    platform: DevicePlatform = DevicePlatform.TRACCAR_CLIENT
    label: str = Field("", max_length=80, description="Phone model")
    note: str = Field("", max_length=200)


class EnrolOut(Schema):
    device: DeviceOut
    token: str = Field(description="Shown once: the app's device identifier / bearer token")
    server_url: str = Field(description="Server URL to enter in Traccar Client or an OsmAnd-protocol app")
    batch_url: str = Field(description="Our batch API")


class EndIn(BodySchema):
    reason: str = Field(min_length=1, max_length=200)


class DeviceQuery(Schema):
    person: Id | None = None
    status: DeviceStatus | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


class DevicePage(Schema):
    count: int
    items: list[DeviceOut]


def _device_out(device: Device) -> dict[str, Any]:
    return {
        "id": device.pk,
        "person_id": device.person_id,
        "platform": device.platform,
        "label": device.label,
        "status": device.status,
        "token_hint": device.token_hint,
        "enrolled_at": device.enrolled_at,
        "ended_at": device.ended_at,
        "end_reason": device.end_reason,
        "last_rejected_at": device.last_rejected_at,
        "last_rejection": device.last_rejection,
    }


def server_urls(request: Any) -> dict[str, str]:
    from django.urls import reverse

    return {
        "server_url": request.build_absolute_uri(reverse("api-v1:location_osmand")),
        "batch_url": request.build_absolute_uri(reverse("api-v1:location_post_fixes")),
    }


@router.get(
    "/location/devices",
    response={200: DevicePage, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Enrolled devices in the caller's scope",
    operation_id="location_list_devices",
    url_name="location_list_devices",
)
@api_access(domain=Domain.LOCATION, roles=STAFF_ROLES)
def list_devices(request, query: Query[DeviceQuery]):
    qs = selectors.device_list(actor=request.user, person=query.person, status=query.status or "")
    return {
        "count": qs.count(),
        "items": [_device_out(d) for d in qs[query.offset : query.offset + query.limit]],
    }


@router.post(
    "/location/persons/{person_id}/devices",
    response={201: EnrolOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Enrol a phone for a person (the token is shown once; records the app installation)",
    operation_id="location_enrol_device",
    url_name="location_enrol_device",
)
@api_access(domain=Domain.LOCATION, action=CHANGE, roles=STAFF_ROLES, obj=("person_id", "people.Person"))
def enrol_device(request, person_id: int, payload: EnrolIn):
    person = get_scoped_or_404(Person, request.user, CHANGE, domain=Domain.LOCATION, pk=person_id)
    device, token = _service(
        services.device_enrol,
        actor=request.user,
        person=person,
        platform=payload.platform,
        label=payload.label,
        note=payload.note,
    )
    return Status(201, {"device": _device_out(device), "token": token, **server_urls(request)})


@router.post(
    "/location/devices/{device_id}/end",
    response={200: DeviceOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Take a device out of use (its token stops working)",
    operation_id="location_end_device",
    url_name="location_end_device",
)
@api_access(domain=Domain.LOCATION, action=CHANGE, roles=STAFF_ROLES, obj=("device_id", "location.Device"))
def end_device(request, device_id: int, payload: EndIn):
    device = get_scoped_or_404(Device, request.user, CHANGE, pk=device_id)
    return _device_out(
        _service(services.device_end, actor=request.user, device=device, reason=payload.reason)
    )


# --- positions ------------------------------------------------------------------------------------------


class PositionOut(Schema):
    person_id: int
    name: str
    case_number: str
    squadron: str
    supervision_class: str
    lat: float
    lon: float
    accuracy: float | None
    fix_time: str | None
    last_seen_at: str | None
    battery: float | None
    state: str
    state_label: str
    cause: str
    alerts: list[str]


class PositionQuery(Schema):
    squadron: Id | None = None


class TrackFix(Schema):
    t: str
    lat: float
    lon: float
    acc: float | None
    speed: float | None
    battery: float | None
    src: int
    flags: int


class TrackOut(Schema):
    person_id: int
    date: dt.date
    fixes: list[TrackFix]


class TrackQuery(Schema):
    date: Day | None = Field(None, description="Local day; today by default")


@router.get(
    "/location/positions",
    response={200: list[PositionOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Latest position of every person in correction in scope (the read is logged)",
    operation_id="location_positions",
    url_name="location_positions",
)
@api_access(domain=Domain.LOCATION, roles=STAFF_ROLES)
def positions(request, query: Query[PositionQuery]):
    return selectors.latest_positions(actor=request.user, squadron=query.squadron)


@router.get(
    "/location/persons/{person_id}/track",
    response={200: TrackOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="A person's fixes on one day (the read is logged)",
    operation_id="location_track",
    url_name="location_track",
)
@api_access(domain=Domain.LOCATION, roles=STAFF_ROLES, obj=("person_id", "people.Person"))
def track(request, person_id: int, query: Query[TrackQuery]):
    person = get_scoped_or_404(Person, request.user, domain=Domain.LOCATION, pk=person_id)
    day = query.date or timezone.localdate()
    return {
        "person_id": person.pk,
        "date": day,
        "fixes": selectors.person_track(actor=request.user, person=person, day=day),
    }


# --- travel permits ---------------------------------------------------------------------------------------


class PermitIn(BodySchema):
    destination: str = Field(min_length=1, max_length=100)
    destination_code: str = Field("", max_length=9, description="6-digit division code of the destination")
    zone: dict[str, Any] | None = Field(None, description="GeoJSON Polygon/MultiPolygon or Circle")
    start_on: dt.date
    end_on: dt.date
    reason: str = Field(min_length=1, max_length=200)


class PermitOut(Schema):
    id: int
    person_id: int
    destination: str
    destination_code: str
    start_on: dt.date
    end_on: dt.date
    reason: str
    status: str


def _permit_out(permit: TravelPermit) -> dict[str, Any]:
    return {
        "id": permit.pk,
        "person_id": permit.person_id,
        "destination": permit.destination,
        "destination_code": permit.destination_code,
        "start_on": permit.start_on,
        "end_on": permit.end_on,
        "reason": permit.reason,
        "status": permit.status,
    }


@router.post(
    "/location/persons/{person_id}/travel-permits",
    response={201: PermitOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record an approved trip (外出审批): the destination becomes part of the permitted area",
    operation_id="location_create_permit",
    url_name="location_create_permit",
)
@api_access(domain=Domain.LOCATION, action=CHANGE, roles=OFFICERS, obj=("person_id", "people.Person"))
def create_permit(request, person_id: int, payload: PermitIn):
    person = get_scoped_or_404(Person, request.user, CHANGE, domain=Domain.LOCATION, pk=person_id)
    permit = _service(services.travel_permit_create, actor=request.user, person=person, **payload.dict())
    return Status(201, _permit_out(permit))


@router.post(
    "/location/travel-permits/{permit_id}/cancel",
    response={200: PermitOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Cancel a travel permit",
    operation_id="location_cancel_permit",
    url_name="location_cancel_permit",
)
@api_access(domain=Domain.LOCATION, action=CHANGE, roles=OFFICERS, obj=("permit_id", "location.TravelPermit"))
def cancel_permit(request, permit_id: int, payload: EndIn):
    permit = get_scoped_or_404(TravelPermit, request.user, CHANGE, pk=permit_id)
    return _permit_out(
        _service(services.travel_permit_cancel, actor=request.user, permit=permit, reason=payload.reason)
    )
