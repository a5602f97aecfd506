"""The geofence state machine: dwell time AND consecutive fixes before 越界 / 进入禁止区域, one alert per
episode, return-to-zone closes it (anchors.md §1.4).

State per person lives in ``LatestPosition.fence_state`` as ``{"zones": {key: episode}}`` with one
episode per fence that is currently breached (``"area"`` for the permitted area, ``"forbid:<order id>"``
for a forbidden zone). An episode is::

    {"since": ISO time of its first bad fix, "last": ISO time of its last bad fix, "n": confident GPS fixes,
     "alert": alert id once raised, "fixes": [evidence], "late": bool}

Rules, per fence and per fix in fix-time order (only fixes newer than the person's newest earlier fix):

- a *bad* fix (accuracy circle wholly outside the area / wholly inside a forbidden zone in force) starts
  or extends the episode; only precise fixes (GPS, not mocked, not coarser than
  ``location.approximate_accuracy_m``) count towards ``location.geofence_min_fixes``, so cell and Wi-Fi
  fixes never raise an alert alone;
- the alert is raised once ``n ≥ geofence_min_fixes`` and ``last - since ≥ geofence_dwell_minutes``;
- a *good* fix (wholly inside the area / wholly outside the zone, or the zone not in force) ends the
  episode: before the alert it was jitter and is forgotten; after it the alert is cleared;
- an *uncertain* fix (straddling, too coarse, mocked) changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jiaozheng.location.choices import AlertSeverity, AlertType, FixSource

AREA = "area"
MAX_EVIDENCE = 12


@dataclass
class FixView:
    """What the state machine needs to know about one stored fix."""

    client_id: str
    time: dt.datetime
    lat: float
    lon: float
    accuracy: float | None
    source: int
    precise: bool
    late: bool

    def evidence(self) -> dict[str, Any]:
        return {
            "id": self.client_id,
            "t": self.time.isoformat(),
            "lat": round(self.lat, 6),
            "lon": round(self.lon, 6),
            "acc": None
            if self.accuracy is None or np.isnan(self.accuracy)
            else round(float(self.accuracy), 1),
            "src": FixSource(self.source).name.lower() if self.source in FixSource.values else "unknown",
            "late": self.late,
        }


@dataclass
class Action:
    kind: str  # "raise" or "clear"
    zone: str
    alert_type: str = ""
    severity: str = ""
    title: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    occurred_at: dt.datetime | None = None
    alert_id: int | None = None
    note: str = ""


def _bad_good(zone_key: str, status: np.ndarray, applies: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Per fix: is it bad (counts towards a breach) / good (ends a breach) for this fence."""
    if zone_key == AREA:
        return status == -1, status == 1
    assert applies is not None
    bad = applies & (status == 1)
    good = (~applies) | (status == -1)
    return bad, good


def evaluate(
    state: dict[str, Any],
    fixes: list[FixView],
    classified: Any,
    fences: Any,
    *,
    person: Any,
) -> tuple[dict[str, Any], list[Action]]:
    """Advance the fence state over ``fixes`` (sorted by time; indexes match ``classified``)."""
    params = fences.params
    min_fixes = int(params["geofence_min_fixes"])
    dwell = dt.timedelta(minutes=params["geofence_dwell_minutes"])
    zones: dict[str, Any] = {k: dict(v) for k, v in (state.get("zones") or {}).items()}
    actions: list[Action] = []
    fence_rows: list[tuple[str, str, np.ndarray, np.ndarray | None, Any]] = [
        (AREA, "", classified.area, None, None)
    ]
    for zone, applies, status in classified.forbidden:
        fence_rows.append((zone.key, zone.label, status, applies, zone))
    known = {row[0] for row in fence_rows}
    for key in list(zones):
        if key not in known:  # the order was lifted or its zone removed: the episode ends
            episode = zones.pop(key)
            if episode.get("alert"):
                actions.append(
                    Action("clear", key, alert_id=episode["alert"], note="zone no longer in force")
                )
    for key, label, status, applies, zone in fence_rows:
        bad, good = _bad_good(key, status, applies)
        episode = zones.get(key)
        for i, fix in enumerate(fixes):
            if bad[i]:
                if episode is None:
                    episode = {
                        "since": fix.time.isoformat(),
                        "n": 0,
                        "alert": None,
                        "fixes": [],
                        "late": False,
                    }
                episode["last"] = fix.time.isoformat()
                if fix.precise:
                    episode["n"] += 1
                episode["late"] = episode["late"] or fix.late
                if len(episode["fixes"]) < MAX_EVIDENCE:
                    episode["fixes"].append(fix.evidence())
                else:
                    episode["fixes"][-1] = fix.evidence()
                since = dt.datetime.fromisoformat(episode["since"])
                if episode["alert"] is None and episode["n"] >= min_fixes and fix.time - since >= dwell:
                    actions.append(_raise_action(key, label, zone, episode, fences, person, fix.time))
                    episode["alert"] = "pending"
            elif good[i] and episode is not None:
                if episode.get("alert"):
                    actions.append(
                        Action(
                            "clear",
                            key,
                            alert_id=episode["alert"] if episode["alert"] != "pending" else None,
                            occurred_at=fix.time,
                            note="returned" if key == AREA else "left the zone",
                            evidence={"returned_at": fix.time.isoformat(), "fix": fix.evidence()},
                        )
                    )
                episode = None
        if episode is None:
            zones.pop(key, None)
        else:
            zones[key] = episode
    return {"zones": zones} if zones else {}, actions


def _raise_action(
    key: str, label: str, zone: Any, episode: dict, fences: Any, person: Any, at: dt.datetime
) -> Action:
    from django.utils import timezone
    from django.utils.translation import gettext as _

    params = fences.params
    since = dt.datetime.fromisoformat(episode["since"])
    minutes = int((at - since).total_seconds() // 60)
    rule = {
        "dwell_minutes": params["geofence_dwell_minutes"],
        "min_fixes": params["geofence_min_fixes"],
        "accuracy": "whole accuracy circle beyond the boundary",
        "default_accuracy_m": params["default_accuracy_m"],
        "max_accuracy_m": params["max_accuracy_m"],
        "approximate_accuracy_m": params["approximate_accuracy_m"],
    }
    evidence: dict[str, Any] = {
        "zone": key,
        "since": episode["since"],
        "confirmed_at": at.isoformat(),
        "fixes": list(episode["fixes"]),
        "late": bool(episode["late"]),
        "rule": rule,
    }
    local_since = timezone.localtime(since).strftime("%m-%d %H:%M")
    if key == AREA:
        rule["county_buffer_m"] = params["county_buffer_m"]
        permit = fences.permit_at(at.timestamp())
        if permit is not None:
            evidence["permit"] = {"id": permit.permit_id, "destination": permit.destination}
            title = _(
                "Outside the county and the approved trip to %(dest)s since %(since)s (%(min)s min)"
            ) % {
                "dest": permit.destination,
                "since": local_since,
                "min": minutes,
            }
        else:
            title = _("Outside the permitted area since %(since)s (%(min)s min)") % {
                "since": local_since,
                "min": minutes,
            }
        alert_type = AlertType.GEOFENCE_BREACH
    else:
        evidence["order_id"] = zone.order_id
        evidence["zone_geojson"] = zone.geojson
        title = _("Inside the forbidden zone “%(zone)s” since %(since)s (%(min)s min)") % {
            "zone": label,
            "since": local_since,
            "min": minutes,
        }
        alert_type = AlertType.FORBIDDEN_ZONE
    if episode["late"]:
        title = _("[reported late] ") + title
    severity = AlertSeverity.URGENT if person.supervision_class == "strict" else AlertSeverity.HIGH
    return Action(
        "raise",
        key,
        alert_type=alert_type,
        severity=severity,
        title=title,
        evidence=evidence,
        occurred_at=since,
    )
