"""Device-token authentication for the position endpoints (policy ``auth="device"``).

A device token is generated at enrolment, shown once, and kept only as a SHA-256 hash. The phone sends it
as ``Authorization: Bearer <token>`` or ``X-Device-Token`` (our batch API), or as the device identifier of
the OsmAnd protocol (``id`` / ``deviceid`` in the query or form, ``device_id`` in Traccar Client's JSON),
because the unmodified Traccar Client can only send its identifier.

Lookups are cached per process for ``CACHE_SECONDS``; a revoked device cannot write during that time either,
because the insert statements check that the device is still active.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from typing import Any

from ninja.security import HttpBearer

from jiaozheng.location.storage import DeviceInfo

CACHE_SECONDS = 30.0
_cache: dict[str, tuple[DeviceInfo, float]] = {}
_lock = threading.Lock()


def new_token() -> str:
    """34 characters, letters and digits only, so that it can be typed into the app's identifier field."""
    return "jz" + secrets.token_hex(16)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def device_for_token(token: str | None) -> DeviceInfo | None:
    if not token or len(token) > 200:
        return None
    digest = hash_token(token)
    now = time.monotonic()
    cached = _cache.get(digest)
    if cached is not None and cached[1] > now:
        return cached[0]
    from jiaozheng.location.choices import DeviceStatus
    from jiaozheng.location.models import Device

    row = (
        Device.objects.filter(token_hash=digest, status=DeviceStatus.ACTIVE)
        .values_list("pk", "person_id", "county_id")
        .first()
    )
    if row is None:
        with _lock:
            _cache.pop(digest, None)
        return None
    info = DeviceInfo(device_id=row[0], person_id=row[1], county_id=row[2])
    with _lock:
        if len(_cache) > 100_000:
            _cache.clear()
        _cache[digest] = (info, now + CACHE_SECONDS)
    return info


def ended_device_for_token(token: str | None) -> int | None:
    """The id of a device taken out of use (replaced, revoked, ended) whose identifier this is."""
    if not token or len(token) > 200:
        return None
    from jiaozheng.location.choices import DeviceStatus
    from jiaozheng.location.models import Device

    return (
        Device.objects.filter(token_hash=hash_token(token))
        .exclude(status=DeviceStatus.ACTIVE)
        .values_list("pk", flat=True)
        .first()
    )


class EndedDevice:
    """What the OsmAnd endpoint binds for the identifier of a device no longer in use: it is answered 200
    (the unmodified app retries a refused report forever, queueing the phone's later fixes behind it),
    nothing is stored and the attempt is kept on the device for staff."""

    def __init__(self, device_id: int) -> None:
        self.device_id = device_id


def forget_device(device_id: int | None = None) -> None:
    with _lock:
        if device_id is None:
            _cache.clear()
            return
        for key in [k for k, (info, _t) in _cache.items() if info.device_id == device_id]:
            _cache.pop(key, None)


def _bind(request: Any, info: DeviceInfo) -> None:
    # Fixes are telemetry, not audited; alerts raised while storing them run as the system user
    # (see ingest._as_system).
    request.device = info


class DeviceTokenAuth(HttpBearer):
    """``Authorization: Bearer <device token>`` or ``X-Device-Token``; with ``osmand=True`` also the
    device identifier of the OsmAnd / Traccar Client protocol."""

    openapi_description = "Device token issued at enrolment (shown once)"

    def __init__(self, *, osmand: bool = False) -> None:
        super().__init__()
        self.osmand = osmand

    def __call__(self, request: Any) -> Any:
        token = self._token(request)
        info = device_for_token(token)
        if info is None:
            if self.osmand:
                ended = ended_device_for_token(token)
                if ended is not None:
                    request.ended_device = EndedDevice(ended)
                    return request.ended_device
            return None
        _bind(request, info)
        return info

    def authenticate(self, request: Any, token: str) -> Any:  # pragma: no cover - __call__ does the work
        return device_for_token(token)

    def _token(self, request: Any) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip()
        if request.headers.get("X-Device-Token"):
            return request.headers["X-Device-Token"].strip()
        if not self.osmand:
            return None
        for key in ("id", "deviceid"):
            value = request.GET.get(key)
            if value:
                return value
        content_type = request.headers.get("Content-Type", "")
        if request.method == "POST":
            if "json" in content_type or request.body[:1] in (b"{", b"["):
                try:
                    data = json.loads(request.body or b"{}")
                except (ValueError, UnicodeDecodeError):
                    return None
                if isinstance(data, dict):
                    value = data.get("device_id") or data.get("id") or data.get("deviceid")
                    return str(value) if value else None
                return None
            for key in ("id", "deviceid"):
                value = request.POST.get(key)
                if value:
                    return value
        return None
