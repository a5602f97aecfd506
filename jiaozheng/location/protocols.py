"""Reading position reports: our batch API, the OsmAnd query/form protocol and Traccar Client's JSON.

Everything is normalised to SI units and UTC on input (anchors.md §1.3): speed in m/s (OsmAnd sends
knots), battery as a fraction 0-1 (OsmAnd sends percent), times as aware UTC datetimes (seconds,
milliseconds or ISO 8601; zone-less text is read in the server's zone only for the OsmAnd protocol, whose
documented ``yyyy-MM-dd HH:mm:ss`` form has none; our own API refuses zone-less times).

Each fix is validated on its own: a bad fix is rejected with field-level reasons and the rest of the batch
is stored.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from jiaozheng.location.choices import FixSource, Protocol

MAX_BATCH = 500
KNOT = 0.514444  # m/s
SOURCES = {
    "gps": FixSource.GPS,
    "gnss": FixSource.GPS,
    "beidou": FixSource.GPS,
    "fused": FixSource.FUSED,
    "network": FixSource.FUSED,
    "cell": FixSource.CELL,
    "wifi": FixSource.WIFI,
    "unknown": FixSource.UNKNOWN,
}


@dataclass
class ParsedFix:
    client_id: str
    time: dt.datetime
    lat: float
    lon: float
    accuracy: float | None = None
    altitude: float | None = None
    speed: float | None = None
    bearing: float | None = None
    battery: float | None = None
    charging: bool | None = None
    moving: bool | None = None
    source: int = FixSource.UNKNOWN
    mock: bool = False
    valid: bool = True
    attributes: dict[str, Any] | None = None


TOO_OLD = (
    "too_old"  # the code of a refusal for age: acknowledged to the unmodified app (it would retry forever)
)


@dataclass
class Rejected:
    index: int
    client_id: str | None
    errors: list[dict[str, str | None]]

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "id": self.client_id, "errors": self.errors}


@dataclass
class Batch:
    protocol: int
    fixes: list[ParsedFix] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    device_state: dict[str, Any] = field(default_factory=dict)
    sent_at: dt.datetime | None = None
    duplicates_in_batch: int = 0


class BatchProblem(Exception):
    """The whole request is unusable (not JSON, too many fixes, clock far off): HTTP 422."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


# --- our batch API -----------------------------------------------------------------------------------

Finite = Field(allow_inf_nan=False)


class FixIn(BaseModel):
    """One fix from our app's offline buffer."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=64, description="Client-side id, unique per device")
    time: dt.datetime = Field(description="Fix time: ISO 8601 with zone, or milliseconds since the epoch")
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    accuracy: float | None = Field(None, ge=0, le=100_000, allow_inf_nan=False, description="metres")
    altitude: float | None = Field(None, ge=-1000, le=10_000, allow_inf_nan=False, description="metres")
    speed: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False, description="m/s")
    bearing: float | None = Field(None, ge=0, le=360, allow_inf_nan=False, description="degrees")
    battery: float | None = Field(None, ge=0, le=1, allow_inf_nan=False, description="fraction 0-1")
    charging: bool | None = None
    moving: bool | None = None
    source: Literal["gps", "gnss", "beidou", "fused", "network", "cell", "wifi", "unknown"] = "unknown"
    mock: bool = Field(False, description="The OS reports the fix as mocked (fake-GPS app)")
    attributes: dict[str, Any] | None = Field(None, description="Free-form extras, stored as they are")


class DeviceStateIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    battery: float | None = Field(None, ge=0, le=1, allow_inf_nan=False)
    charging: bool | None = None
    power_saving: bool | None = None
    location_permission: Literal["always", "while_in_use", "denied"] | None = None
    app_version: str | None = Field(None, max_length=40)


class BatchIn(BaseModel):
    """POST /api/v1/location/fixes: up to 500 fixes (may be old or out of order); none = a heartbeat."""

    model_config = ConfigDict(extra="ignore")

    sent_at: dt.datetime | None = Field(None, description="The phone's clock when sending (skew check)")
    device: DeviceStateIn | None = None
    fixes: list[FixIn] = Field(default_factory=list)


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")
    sent_at: dt.datetime | None = None
    device: DeviceStateIn | None = None
    fixes: list[Any] = Field(default_factory=list)


_BATCH = TypeAdapter(BatchIn)
_ENVELOPE = TypeAdapter(_Envelope)
_FIX = TypeAdapter(FixIn)


def _errors(exc: ValidationError, prefix_len: int = 0) -> list[dict[str, str | None]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())[prefix_len:]]
        out.append({"field": ".".join(loc) or None, "message": err.get("msg", "invalid")})
    return out


def _fix_from_model(m: FixIn) -> ParsedFix:
    return ParsedFix(
        client_id=m.id,
        time=m.time,
        lat=m.lat,
        lon=m.lon,
        accuracy=m.accuracy,
        altitude=m.altitude,
        speed=m.speed,
        bearing=m.bearing,
        battery=m.battery,
        charging=m.charging,
        moving=m.moving,
        source=SOURCES[m.source],
        mock=m.mock,
        attributes=m.attributes,
    )


def parse_batch(body: bytes) -> Batch:
    """Our API's JSON body; per-fix errors are collected, the envelope's errors raise BatchProblem."""
    if not body:
        raise BatchProblem("empty body: send a JSON object with a list of fixes")
    try:
        model = _BATCH.validate_json(body)
    except ValidationError as exc:
        return _parse_batch_slow(body, exc)
    if len(model.fixes) > MAX_BATCH:
        raise BatchProblem(f"at most {MAX_BATCH} fixes per request, got {len(model.fixes)}")
    batch = Batch(protocol=Protocol.JZ, sent_at=model.sent_at)
    if model.device is not None:
        batch.device_state = model.device.model_dump(exclude_none=True)
    batch.fixes = [_fix_from_model(m) for m in model.fixes]
    return batch


def _parse_batch_slow(body: bytes, first_error: ValidationError) -> Batch:
    try:
        envelope = _ENVELOPE.validate_json(body)
    except ValidationError as exc:
        raise BatchProblem("the request body is not a valid batch", _errors(exc))
    if len(envelope.fixes) > MAX_BATCH:
        raise BatchProblem(f"at most {MAX_BATCH} fixes per request, got {len(envelope.fixes)}")
    batch = Batch(protocol=Protocol.JZ, sent_at=envelope.sent_at)
    if envelope.device is not None:
        batch.device_state = envelope.device.model_dump(exclude_none=True)
    for index, raw in enumerate(envelope.fixes):
        try:
            batch.fixes.append(_fix_from_model(_FIX.validate_python(raw)))
        except ValidationError as exc:
            client_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
            batch.rejected.append(Rejected(index, client_id, _errors(exc)))
            batch.fixes.append(None)  # type: ignore[arg-type]  (keeps the indexes; removed below)
    return batch


# --- OsmAnd query / form ------------------------------------------------------------------------------

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _float(value: Any, name: str, errors: list[dict[str, str | None]]) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.append({"field": name, "message": f"not a number: {value!r}"})
        return None
    if math.isnan(number) or math.isinf(number):
        errors.append({"field": name, "message": "not a finite number"})
        return None
    return number


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def parse_timestamp(value: Any, *, naive_local: bool) -> dt.datetime:
    """Seconds or milliseconds since the epoch (values below 2,147,483,647 are seconds, as Traccar's
    decoder does), ISO 8601 (anything with a "T"), or ``yyyy-MM-dd HH:mm:ss`` in the server's zone."""
    from django.utils import timezone

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value).strip()
        if not text:
            raise ValueError("empty timestamp")
        try:
            number = float(text)
        except ValueError:
            number = None  # type: ignore[assignment]
        if number is None:
            try:
                parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                raise ValueError(f"not a timestamp: {text!r}")
            if parsed.tzinfo is None:
                if not naive_local and "T" in text:
                    raise ValueError("an ISO timestamp needs a time zone")
                parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
            return parsed.astimezone(dt.UTC)
    if math.isnan(number) or math.isinf(number) or number < 0:
        raise ValueError("not a valid epoch time")
    seconds = number if number < 2_147_483_647 else number / 1000.0
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


OSMAND_KNOWN = {
    "id",
    "deviceid",
    "timestamp",
    "lat",
    "lon",
    "location",
    "valid",
    "speed",
    "bearing",
    "heading",
    "altitude",
    "accuracy",
    "hdop",
    "batt",
    "charge",
    "cell",
    "wifi",
    "mock",
    "is_mock",
    "mocked",
    "driverUniqueId",
}


def parse_osmand(params: dict[str, str], *, now: dt.datetime) -> Batch:
    """One fix from the query string or form body of the OsmAnd protocol (Traccar Client before 9)."""
    batch = Batch(protocol=Protocol.OSMAND)
    errors: list[dict[str, str | None]] = []
    lat = _float(params.get("lat"), "lat", errors)
    lon = _float(params.get("lon"), "lon", errors)
    if "location" in params and (lat is None or lon is None):
        parts = str(params["location"]).split(",")
        if len(parts) != 2:
            errors.append({"field": "location", "message": "location is written lat,lon"})
        else:
            lat = _float(parts[0], "location", errors)
            lon = _float(parts[1], "location", errors)
    try:
        time = parse_timestamp(params["timestamp"], naive_local=True) if params.get("timestamp") else now
    except ValueError as exc:
        errors.append({"field": "timestamp", "message": str(exc)})
        time = now
    battery = _float(params.get("batt"), "batt", errors)
    charging = _bool(params.get("charge"))
    if battery is not None:
        if not 0 <= battery <= 100:
            errors.append({"field": "batt", "message": "battery is a percentage 0-100"})
        battery = battery / 100.0
    if battery is not None:
        batch.device_state["battery"] = battery
    if charging is not None:
        batch.device_state["charging"] = charging
    speed = _float(params.get("speed"), "speed", errors)
    bearing = _float(params.get("bearing", params.get("heading")), "bearing", errors)
    accuracy = _float(params.get("accuracy"), "accuracy", errors)
    altitude = _float(params.get("altitude"), "altitude", errors)
    hdop = _float(params.get("hdop"), "hdop", errors)
    if lat is None and lon is None and not errors:
        return batch  # no position: a heartbeat carrying battery and charging state
    if (lat is None) != (lon is None):
        errors.append(
            {"field": "lat" if lat is None else "lon", "message": "latitude and longitude go together"}
        )
    if lat == 0 and lon == 0:
        return batch  # Traccar's convention: 0,0 = "no new position"; treated as a heartbeat
    attributes = {k: v for k, v in params.items() if k not in OSMAND_KNOWN}
    if hdop is not None:
        attributes["hdop"] = hdop
    for key in ("cell", "wifi", "driverUniqueId"):
        if params.get(key):
            attributes[key] = params[key]
    source = FixSource.UNKNOWN
    if params.get("cell") and accuracy is not None and accuracy > 500:
        source = FixSource.CELL
    mock = any(_bool(params.get(k)) for k in ("mock", "is_mock", "mocked"))
    raw = {
        "lat": lat,
        "lon": lon,
        "accuracy": accuracy,
        "altitude": altitude,
        "speed": None if speed is None else speed * KNOT,
        "bearing": bearing,
        "battery": battery,
    }
    problems = errors + range_problems(raw)
    client_id = f"t{int(round(time.timestamp() * 1000))}"
    if problems:
        batch.rejected.append(Rejected(0, client_id, problems))
        return batch
    valid = _bool(params.get("valid"))
    batch.fixes.append(
        ParsedFix(
            client_id=client_id,
            time=time,
            lat=lat,  # type: ignore[arg-type]
            lon=lon,  # type: ignore[arg-type]
            accuracy=accuracy,
            altitude=altitude,
            speed=raw["speed"],
            bearing=bearing,
            battery=battery,
            charging=charging,
            source=source,
            mock=bool(mock),
            valid=valid is not False,
            attributes=attributes or None,
        )
    )
    return batch


def range_problems(raw: dict[str, float | None]) -> list[dict[str, str | None]]:
    limits = {
        "lat": (-90, 90),
        "lon": (-180, 180),
        "accuracy": (0, 100_000),
        "altitude": (-1000, 10_000),
        "speed": (0, 1000),
        "bearing": (0, 360),
        "battery": (0, 1),
    }
    out: list[dict[str, str | None]] = []
    for name, (low, high) in limits.items():
        value = raw.get(name)
        if value is not None and not low <= value <= high:
            out.append({"field": name, "message": f"{name} must be between {low} and {high}, got {value}"})
    return out


# --- Traccar Client 9+ JSON -------------------------------------------------------------------------------


def parse_traccar_json(body: bytes, *, now: dt.datetime) -> Batch:
    """``{"device_id": ..., "location": {...}}`` as Traccar Client 9 posts it (also a list of locations)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BatchProblem("the request body is not JSON")
    if not isinstance(data, dict):
        raise BatchProblem("the JSON body must be an object with device_id and location")
    locations = data.get("location")
    if locations is None:
        locations = data.get("locations", [])
    if isinstance(locations, dict):
        locations = [locations]
    if not isinstance(locations, list):
        raise BatchProblem("location must be an object or a list of objects")
    if len(locations) > MAX_BATCH:
        raise BatchProblem(f"at most {MAX_BATCH} locations per request, got {len(locations)}")
    batch = Batch(protocol=Protocol.TRACCAR_JSON)
    for index, loc in enumerate(locations):
        fix, problems = _traccar_location(loc, now)
        if problems:
            cid = loc.get("uuid") if isinstance(loc, dict) and isinstance(loc.get("uuid"), str) else None
            batch.rejected.append(Rejected(index, cid, problems))
        elif fix is not None:
            batch.fixes.append(fix)
            if fix.battery is not None:
                batch.device_state["battery"] = fix.battery
            if fix.charging is not None:
                batch.device_state["charging"] = fix.charging
    return batch


def _traccar_location(loc: Any, now: dt.datetime) -> tuple[ParsedFix | None, list[dict[str, str | None]]]:
    errors: list[dict[str, str | None]] = []
    if not isinstance(loc, dict):
        return None, [{"field": None, "message": "a location must be an object"}]
    coords = loc.get("coords") or {}
    if not isinstance(coords, dict):
        return None, [{"field": "coords", "message": "coords must be an object"}]
    lat = _float(coords.get("latitude"), "coords.latitude", errors)
    lon = _float(coords.get("longitude"), "coords.longitude", errors)
    if lat is None or lon is None:
        errors.append({"field": "coords", "message": "latitude and longitude are required"})
    try:
        time = parse_timestamp(loc["timestamp"], naive_local=False) if loc.get("timestamp") else now
    except ValueError as exc:
        errors.append({"field": "timestamp", "message": str(exc)})
        time = now
    battery_obj = loc.get("battery") if isinstance(loc.get("battery"), dict) else {}
    battery = _float(battery_obj.get("level"), "battery.level", errors)
    if battery is not None and battery < 0:
        battery = None  # the plugin sends -1 when the level is unknown
    speed = _float(coords.get("speed"), "coords.speed", errors)
    if speed is not None and speed < 0:
        speed = None  # -1: unknown
    bearing = _float(coords.get("heading"), "coords.heading", errors)
    if bearing is not None and bearing < 0:
        bearing = None
    accuracy = _float(coords.get("accuracy"), "coords.accuracy", errors)
    altitude = _float(coords.get("altitude"), "coords.altitude", errors)
    raw = {
        "lat": lat,
        "lon": lon,
        "accuracy": accuracy,
        "altitude": altitude,
        "speed": speed,
        "bearing": bearing,
        "battery": battery,
    }
    errors += range_problems(raw)
    if lat == 0 and lon == 0:
        errors.append({"field": "coords", "message": "no position (0,0)"})
    if errors:
        return None, errors
    attributes: dict[str, Any] = {}
    for key in ("event", "odometer", "extras"):
        if loc.get(key) not in (None, "", {}):
            attributes[key] = loc[key]
    activity = loc.get("activity")
    if isinstance(activity, dict) and activity.get("type"):
        attributes["activity"] = activity["type"]
    mock = any(_bool(loc.get(k)) or _bool(coords.get(k)) for k in ("mock", "is_mock", "mocked"))
    uuid = loc.get("uuid")
    client_id = uuid[:64] if isinstance(uuid, str) and uuid else f"t{int(round(time.timestamp() * 1000))}"
    return (
        ParsedFix(
            client_id=client_id,
            time=time,
            lat=lat,  # type: ignore[arg-type]
            lon=lon,  # type: ignore[arg-type]
            accuracy=accuracy,
            altitude=altitude,
            speed=speed,
            bearing=bearing,
            battery=battery,
            charging=_bool(battery_obj.get("is_charging")),
            moving=_bool(loc.get("is_moving")),
            mock=bool(mock),
            attributes=attributes or None,
        ),
        [],
    )


# --- checks common to every protocol ---------------------------------------------------------------


def check_times(batch: Batch, *, now: dt.datetime, max_skew: dt.timedelta, max_age: dt.timedelta) -> None:
    """Refuse fixes from the future (clock skew) or older than the buffer limit; drop duplicate ids."""
    if batch.sent_at is not None:
        sent = batch.sent_at
        if sent.tzinfo is None:
            raise BatchProblem("sent_at needs a time zone", [{"field": "sent_at", "message": "no time zone"}])
        skew = (sent - now).total_seconds()
        if abs(skew) > max_skew.total_seconds():
            raise BatchProblem(
                f"the phone's clock is {abs(skew) / 60:.0f} minutes "
                f"{'ahead' if skew > 0 else 'behind'}: set the date and time automatically",
                [{"field": "sent_at", "message": "clock skew"}],
            )
    kept: list[ParsedFix] = []
    seen: set[str] = set()
    for index, fix in enumerate(batch.fixes):
        if fix is None:
            continue
        problems: list[dict[str, str | None]] = []
        if fix.time.tzinfo is None:
            problems.append({"field": "time", "message": "the time needs a time zone (e.g. +08:00 or Z)"})
        else:
            fix.time = fix.time.astimezone(dt.UTC)
            if fix.time - now > max_skew:
                minutes = (fix.time - now).total_seconds() / 60
                problems.append(
                    {
                        "field": "time",
                        "message": f"the fix time is {minutes:.0f} minutes in the future (phone clock wrong?)",
                    }
                )
            elif now - fix.time > max_age:
                problems.append(
                    {
                        "field": "time",
                        "code": TOO_OLD,
                        "message": f"the fix is older than {max_age.days} days and is not kept",
                    }
                )
        if fix.lat == 0 and fix.lon == 0:
            problems.append({"field": "lat", "message": "no position (0,0)"})
        if problems:
            batch.rejected.append(Rejected(index, fix.client_id, problems))
            continue
        if fix.client_id in seen:
            batch.duplicates_in_batch += 1
            continue
        seen.add(fix.client_id)
        kept.append(fix)
    batch.fixes = kept
    batch.rejected.sort(key=lambda r: r.index)
