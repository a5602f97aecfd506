"""The lost-contact sweep (失联) and the daily electronic-supervision figures.

A person in correction with an active phone is expected to report every ``location.report_interval_minutes``
(per supervision class) plus ``location.report_grace_minutes``. The sweep tells apart (anchors.md §1.5):

1. reporting and moving, 2. reporting but not moving (recent reports, same place: **not an alert**),
3. not reporting → 失联 (LOST_CONTACT), 4. not reporting with a known cause (the last report showed a flat
battery, power saving, a withdrawn permission, or its reports were refused) → LOW_BATTERY or
DEVICE_OFFLINE with the cause, turning into 失联 after ``location.known_cause_lost_contact_hours``.
A phone that never reported since enrolment is DEVICE_OFFLINE ("never reported").

The candidates come from one set-based query on the latest-position table (index on ``last_seen_at``),
so the sweep's cost follows the number of silent persons, not the size of the caseload. Alerts of a
sweep are written in bulk (one audit append, grouped notifications). Reports that resume clear the alerts.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation

from jiaozheng.core.rules import rule
from jiaozheng.location.choices import (
    OPEN_STATUSES,
    SEVERITY_RANK,
    AlertEventKind,
    AlertSeverity,
    AlertType,
    SilenceTier,
)

log = logging.getLogger(__name__)

SILENCE_TYPES = (AlertType.LOST_CONTACT, AlertType.DEVICE_OFFLINE, AlertType.LOW_BATTERY)
BULK_THRESHOLD = 10  # more new alerts than this in one sweep: bulk writes and grouped notifications


@dataclass
class Candidate:
    person_id: int
    county_id: int
    squadron_id: int
    name: str
    supervision_class: str
    last_seen_at: dt.datetime | None
    expected_since: dt.datetime | None
    battery: float | None
    charging: bool | None
    device_state: dict[str, Any]
    device_id: int
    last_rejected_at: dt.datetime | None
    last_rejection: str
    fix_time: dt.datetime | None
    latitude: float | None
    longitude: float | None
    moving: bool | None = None
    open_id: int | None = None  # the open alert of this silence episode, if any
    open_tier: int = 0
    open_type: str = ""
    shifts: list[Any] = field(default_factory=list)


def _ts(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _county_thresholds(county_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per county, the rules in force: the three tiers per class and the expected-silence windows."""
    out = {}
    for county_id in county_ids:
        intervals = rule("location.report_interval_minutes", county_id)
        grace = rule("location.report_grace_minutes", county_id)
        lost = rule("location.lost_contact_minutes", county_id)
        absconding = rule("location.absconding_suspected_hours", county_id)
        out[county_id] = {
            "silent": {cls: dt.timedelta(minutes=m + grace) for cls, m in intervals.items()},
            "lost": {cls: dt.timedelta(minutes=m) for cls, m in lost.items()},
            "absconding": {cls: dt.timedelta(hours=h) for cls, h in absconding.items()},
            "lost_known": dt.timedelta(hours=rule("location.known_cause_lost_contact_hours", county_id)),
            "low_battery": rule("location.low_battery_fraction", county_id),
            "night": rule("location.night_quiet_hours", county_id),
            "charging_hours": rule("location.charging_quiet_hours", county_id),
        }
    return out


def _open_tier(alert_type: str, tier: int | None) -> int:
    if tier:
        return int(tier)
    return SilenceTier.LOST_CONTACT if alert_type == AlertType.LOST_CONTACT else SilenceTier.NOT_REPORTING


def _candidates(cutoff: dt.datetime) -> list[Candidate]:
    """Persons in correction with an active phone, silent since before ``cutoff``, whose silence episode has
    not reached the last tier yet; with the episode's open alert, if any."""
    ops = connection.ops
    cut = ops.adapt_datetimefield_value(cutoff)
    open_statuses = ", ".join(f"'{s.value}'" for s in OPEN_STATUSES)
    silence_types = ", ".join(f"'{t.value}'" for t in SILENCE_TYPES)
    sql = f"""
        SELECT l.person_id, p.county_id, p.squadron_id, p.name, p.supervision_class, l.last_seen_at,
               l.expected_since, l.battery, l.charging, l.device_state, d.id, d.last_rejected_at,
               d.last_rejection, l.fix_time, l.latitude, l.longitude, l.moving,
               o.id, o.alert_type, o.tier
        FROM location_latest l
        JOIN people_person p ON p.id = l.person_id
        JOIN location_device d ON d.person_id = l.person_id AND d.status = 'active'
        LEFT JOIN location_alert o ON o.person_id = l.person_id AND o.alert_type IN ({silence_types})
             AND o.status IN ({open_statuses})
        WHERE (l.last_seen_at < %s OR (l.last_seen_at IS NULL AND l.expected_since < %s))
          AND p.status = 'in_correction'
          AND d.token_hash IS NOT NULL
          AND NOT EXISTS (
              SELECT 1 FROM location_alert a
              WHERE a.person_id = l.person_id AND a.alert_type = 'lost_contact' AND a.status IN ({open_statuses})
                AND a.tier >= {int(SilenceTier.ABSCONDING)}
          )
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # a cheap index-driven query that the planner's cost estimate would otherwise send to the JIT
            # compiler (about 0.2 s of compilation for nothing)
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [cut, cut])
        rows = cursor.fetchall()
    out: dict[int, Candidate] = {}
    for r in rows:
        state = r[9]
        if isinstance(state, str):
            state = json.loads(state or "{}")
        c = out.get(r[0])
        if c is None:
            c = out[r[0]] = Candidate(
                person_id=r[0],
                county_id=r[1],
                squadron_id=r[2],
                name=r[3],
                supervision_class=r[4],
                last_seen_at=_ts(r[5]),
                expected_since=_ts(r[6]),
                battery=r[7],
                charging=None if r[8] is None else bool(r[8]),
                device_state=state or {},
                device_id=r[10],
                last_rejected_at=_ts(r[11]),
                last_rejection=r[12] or "",
                fix_time=_ts(r[13]),
                latitude=r[14],
                longitude=r[15],
                moving=None if r[16] is None else bool(r[16]),
            )
        if r[17] is not None:
            tier = _open_tier(r[18], r[19])
            if tier > c.open_tier:  # an old episode with two open alerts: follow the higher one
                c.open_id, c.open_tier, c.open_type = r[17], tier, r[18]
    _attach_shifts(out)
    return list(out.values())


def _attach_shifts(candidates: dict[int, Candidate]) -> None:
    """The declared work shifts (expected silences) of the candidates, in one query."""
    from jiaozheng.location.models import ExpectedSilence

    if not candidates:
        return
    for shift in ExpectedSilence.objects.filter(person_id__in=list(candidates), ended_at__isnull=True).only(
        "person_id", "schedule", "start_on", "end_on"
    ):
        candidates[shift.person_id].shifts.append(shift)


@dataclass
class Decision:
    candidate: Candidate
    alert_type: str
    severity: str
    title: str
    evidence: dict[str, Any]
    occurred_at: dt.datetime
    tier: int = SilenceTier.NOT_REPORTING


TIER_SEVERITY = {
    SilenceTier.NOT_REPORTING: AlertSeverity.LOW,
    SilenceTier.LOST_CONTACT: AlertSeverity.HIGH,
    SilenceTier.ABSCONDING: AlertSeverity.URGENT,
}


def _decide(c: Candidate, th: dict[str, Any], now: dt.datetime) -> Decision | None:
    """The tier the silence has reached (counted outside the expected-silence windows), if it is beyond
    the episode's open alert; None when there is nothing new to say."""
    from jiaozheng.location.quiet import counted_silence
    from jiaozheng.location.selectors import cause_label, silence_cause

    first = th["silent"].get(c.supervision_class)
    if first is None:
        return None
    since = c.last_seen_at or c.expected_since
    if since is None or now - since < first:
        return None
    counted = counted_silence(
        since,
        now,
        night=th["night"],
        shifts=c.shifts,
        charging_still=bool(c.charging) and c.moving is not True,
        charging_hours=th["charging_hours"],
    )
    if counted < first:
        return None
    if c.last_seen_at is None:
        cause = "never_reported"
    else:
        cause = silence_cause(
            battery=c.battery,
            charging=c.charging,
            device_state=c.device_state,
            last_seen_at=c.last_seen_at,
            last_rejected_at=c.last_rejected_at,
            low_battery=th["low_battery"],
        )
    lost = th["lost"][c.supervision_class]
    if cause:
        lost = max(lost, th["lost_known"])  # a known cause (flat battery...) waits longer
    tier = SilenceTier.NOT_REPORTING
    if counted >= lost:
        tier = SilenceTier.LOST_CONTACT
    absconding = th["absconding"][c.supervision_class] + (th["lost_known"] if cause else dt.timedelta(0))
    if counted >= absconding and cause != "never_reported":
        tier = SilenceTier.ABSCONDING
    if tier <= c.open_tier:
        return None  # the episode's alert already says as much; escalate only when it persists
    silence = now - since
    hours = silence.total_seconds() / 3600
    evidence: dict[str, Any] = {
        "last_seen_at": c.last_seen_at.isoformat() if c.last_seen_at else None,
        "silent_minutes": int(silence.total_seconds() // 60),
        "counted_minutes": int(counted.total_seconds() // 60),
        "expected_every_minutes": int(first.total_seconds() // 60),
        "tier": int(tier),
        "tier_rules": {
            "not_reporting_minutes": int(first.total_seconds() // 60),
            "lost_contact_minutes": int(lost.total_seconds() // 60),
            "absconding_hours": int(absconding.total_seconds() // 3600),
            "night": th["night"],
        },
        "supervision_class": c.supervision_class,
        "cause": cause,
        "battery": c.battery,
        "charging": c.charging,
        "device_state": c.device_state,
        "last_position": (
            {"lat": c.latitude, "lon": c.longitude, "t": c.fix_time.isoformat()} if c.fix_time else None
        ),
    }
    if cause == "reports_rejected":
        evidence["last_rejection"] = c.last_rejection
    gettext = translation.gettext
    values = {"h": hours, "cause": cause_label(cause) if cause else gettext("cause unknown")}
    if tier == SilenceTier.NOT_REPORTING:
        alert_type = AlertType.LOW_BATTERY if cause == "low_battery" else AlertType.DEVICE_OFFLINE
        title = gettext("Not reporting for %(h).1f h (%(cause)s)") % values
    elif tier == SilenceTier.LOST_CONTACT:
        alert_type = AlertType.LOST_CONTACT
        title = gettext("Lost contact: no report for %(h).1f h (%(cause)s)") % values
    else:
        alert_type = AlertType.LOST_CONTACT
        title = gettext("Absconding suspected: no report for %(h).1f h (%(cause)s)") % values
    severity = TIER_SEVERITY[tier]
    return Decision(c, alert_type, severity, title, evidence, since, tier)


def sweep_lost_contact(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One pass of the sweep: close the episodes whose phone reports again, open new episodes, and
    escalate the open ones that have persisted into the next tier."""
    now = now or timezone.now()
    cleared = clear_resumed(now=now)
    county_ids = _active_counties()
    if not county_ids:
        return {"candidates": 0, "raised": 0, "escalated": 0, "cleared": cleared}
    th = _county_thresholds(county_ids)
    shortest = min(limit for t in th.values() for limit in t["silent"].values())
    candidates = _candidates(now - shortest)
    if not candidates:
        return {"candidates": 0, "raised": 0, "escalated": 0, "cleared": cleared}
    new, rising = [], []
    with translation.override(settings.LANGUAGE_CODE):
        for c in candidates:
            county = th.get(c.county_id) or _county_thresholds([c.county_id])[c.county_id]
            decision = _decide(c, county, now)
            if decision is None:
                continue
            (rising if c.open_id else new).append(decision)
        escalated = sum(1 for d in rising if escalate_episode(d, now=now))
    raised = raise_many(new) if new else 0
    return {"candidates": len(candidates), "raised": raised, "escalated": escalated, "cleared": cleared}


def escalate_episode(d: Decision, *, now: dt.datetime) -> bool:
    """Move an open silence alert up to the tier its episode has reached: the same alert (one per
    episode), its type, severity and title updated, an event, and the staff told (the bureau from tier 3)."""
    from jiaozheng.audit.context import acting_as, current
    from jiaozheng.audit.services import timeline_add
    from jiaozheng.location.models import Alert, AlertEvent
    from jiaozheng.location.services import _notify_alert, jsonable
    from jiaozheng.orgs.services import system_user

    actor_ctx = acting_as(system_user(), "job") if current().user is None else _null()
    with actor_ctx, transaction.atomic():
        alert = (
            Alert.objects.select_for_update().select_related("person").filter(pk=d.candidate.open_id).first()
        )
        if alert is None or not alert.is_open or _open_tier(alert.alert_type, alert.tier) >= d.tier:
            return False
        if alert.alert_type != d.alert_type:
            clash = Alert.objects.filter(
                person_id=alert.person_id, alert_type=d.alert_type, status__in=OPEN_STATUSES
            ).exists()
            if clash:  # an older episode left an alert of that type open: follow it next sweep
                return False
            alert.alert_type = d.alert_type
        alert.tier = d.tier
        if SEVERITY_RANK[d.severity] > SEVERITY_RANK[alert.severity]:
            alert.severity = d.severity
        alert.title = d.title[:200]
        alert.evidence = {**(alert.evidence or {}), **jsonable(d.evidence)}
        alert.event_count += 1
        alert.last_event_at = now
        alert.save()
        label = SilenceTier(d.tier).label
        AlertEvent.objects.create(
            alert=alert,
            kind=AlertEventKind.EVIDENCE,
            at=timezone.now(),
            note=translation.gettext("The silence persists: now %(tier)s") % {"tier": label},
            evidence={"tier": int(d.tier), "counted_minutes": d.evidence.get("counted_minutes")},
        )
        timeline_add(alert.person, "location.alert_escalated", obj=alert, type=alert.alert_type)
        _notify_alert(
            alert,
            escalation=d.tier >= SilenceTier.ABSCONDING,
            title=f"{label}：{alert.person.name}",
        )
    return True


def _active_counties() -> list[int]:
    """Every county (a few hundred at most): their rules give the thresholds."""
    from jiaozheng.orgs.models import OrgUnit

    return list(OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY).values_list("pk", flat=True))


def raise_many(decisions: list[Decision]) -> int:
    """Raise the sweep's alerts: one by one when few, in bulk when many (one audit append, one notification
    per staff member listing the persons)."""
    from jiaozheng.audit.context import acting_as, current
    from jiaozheng.location.services import alert_raise
    from jiaozheng.orgs.services import system_user

    actor_ctx = acting_as(system_user(), "job") if current().user is None else _null()
    with actor_ctx:
        if len(decisions) <= BULK_THRESHOLD:
            for d in decisions:
                alert_raise(
                    person=d.candidate.person_id,
                    alert_type=d.alert_type,
                    severity=d.severity,
                    title=d.title,
                    evidence=d.evidence,
                    occurred_at=d.occurred_at,
                    tier=d.tier,
                )
            return len(decisions)
        return _raise_bulk(decisions)


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def _raise_bulk(decisions: list[Decision]) -> int:
    from jiaozheng.location.services import alert_raise

    now = timezone.now()
    try:
        with transaction.atomic():
            alerts = _insert_alerts(decisions, now)
            ids = [a.pk for a in alerts]
            _bulk_events_and_timeline(ids, now)
            _audit_bulk(alerts)
            _notify_grouped(alerts, decisions)
    except IntegrityError:
        # Someone opened one of these alerts meanwhile: fall back to one by one (adds to theirs).
        for d in decisions:
            alert_raise(
                person=d.candidate.person_id,
                alert_type=d.alert_type,
                severity=d.severity,
                title=d.title,
                evidence=d.evidence,
                occurred_at=d.occurred_at,
                tier=d.tier,
            )
    return len(decisions)


AUDIT_EACH_MAX = 500  # above this, a sweep's alerts are audited as one entry per county


@dataclass
class SweptAlert:
    """What the audit summary and the messages need of a bulk-raised alert."""

    pk: int
    person_id: int
    county_id: int
    alert_type: str
    severity: str


ALERT_COLUMNS = (
    "person_id, county_id, alert_type, severity, status, title, evidence, occurred_at, raised_at,"
    " last_event_at, event_count, late, source_model, source_id, outcome, resolution_note, tier"
)


def _insert_alerts(decisions: list[Decision], now: dt.datetime) -> list[Any]:
    """Insert the sweep's alerts by one set-based statement (binary arrays on PostgreSQL); returns them
    as unsaved-looking Alert objects with their ids (enough for the audit trail and the messages)."""
    from jiaozheng.location.models import Alert

    def evidence(d: Decision) -> str:
        return json.dumps(d.evidence, ensure_ascii=False, default=lambda v: v.isoformat())

    columns = {
        "person": [d.candidate.person_id for d in decisions],
        "county": [d.candidate.county_id for d in decisions],
        "type": [str(d.alert_type) for d in decisions],
        "severity": [str(d.severity) for d in decisions],
        "title": [d.title[:200] for d in decisions],
        "evidence": [evidence(d) for d in decisions],
        "occurred": [d.occurred_at for d in decisions],
        "tier": [int(d.tier) for d in decisions],
    }
    select_tail = "'new', r.title, {ev}, r.occurred, %s, r.occurred, 1, %s, '', '', '', '', r.tier"
    if connection.vendor == "postgresql":
        import psycopg

        sql = (
            f"INSERT INTO location_alert ({ALERT_COLUMNS}) SELECT r.person, r.county, r.type, r.severity, "
            + select_tail.format(ev="CAST(r.evidence AS jsonb)")
            + " FROM unnest(%b::int8[], %b::int8[], %b::text[], %b::text[], %b::text[], %b::text[],"
            " %b::timestamptz[], %b::int2[]) AS r(person, county, type, severity, title, evidence, occurred, tier)"
            " RETURNING id, person_id"
        )
        connection.ensure_connection()
        cursor = psycopg.Cursor(connection.connection)
        cursor.execute(sql, [now, False, *columns.values()], binary=True)
        returned = cursor.fetchall()
    else:
        ops = connection.ops
        rows = [
            [p, c, t, sv, ti, ev, ops.adapt_datetimefield_value(oc), tr]
            for p, c, t, sv, ti, ev, oc, tr in zip(*columns.values(), strict=True)
        ]
        j = [f"json_extract(value, '$[{i}]')" for i in range(8)]
        sql = (
            f"INSERT INTO location_alert ({ALERT_COLUMNS}) SELECT {j[0]}, {j[1]}, {j[2]}, {j[3]}, "
            + select_tail.replace("r.title", j[4])
            .replace("r.occurred", j[6])
            .replace("r.tier", j[7])
            .format(ev=j[5])
            + " FROM json_each(%s) RETURNING id, person_id"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql, [ops.adapt_datetimefield_value(now), False, json.dumps(rows, ensure_ascii=False)]
            )
            returned = cursor.fetchall()
    by_person = {person_id: pk for pk, person_id in returned}  # one decision per person in a sweep
    if len(by_person) != len(decisions):
        raise IntegrityError("not every alert was stored")
    ids = [by_person[d.candidate.person_id] for d in decisions]
    if len(decisions) > AUDIT_EACH_MAX:  # light rows: model instances cost more than the insert itself
        return [
            SweptAlert(pk, d.candidate.person_id, d.candidate.county_id, str(d.alert_type), str(d.severity))
            for pk, d in zip(ids, decisions, strict=True)
        ]
    return [
        Alert(
            pk=pk,
            person_id=d.candidate.person_id,
            county_id=d.candidate.county_id,
            alert_type=d.alert_type,
            severity=d.severity,
            title=d.title[:200],
            evidence=d.evidence,
            occurred_at=d.occurred_at,
            raised_at=now,
            last_event_at=d.occurred_at,
            tier=d.tier,
        )
        for pk, d in zip(ids, decisions, strict=True)
    ]


def _bulk_events_and_timeline(ids: list[int], now: dt.datetime) -> None:
    """The "raised" events and the timeline entries of bulk-created alerts, by set-based SQL."""
    jsonb = "CAST({} AS jsonb)" if connection.vendor == "postgresql" else "{}"
    params_expr = jsonb.format("'{\"type\": \"' || alert_type || '\"}'")
    empty = jsonb.format("'{}'")
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        cursor = psycopg.Cursor(connection.connection)
        cursor.execute(
            "INSERT INTO location_alertevent (alert_id, kind, at, note, evidence)"
            f" SELECT id, 'raised', %s, title, {empty} FROM location_alert WHERE id = ANY(%b::int8[])",
            [now, ids],
        )
        cursor.execute(
            "INSERT INTO audit_timelineevent (person_id, at, verb, params, actor_label, model, object_id)"
            f" SELECT person_id, occurred_at, 'location.alert_raised', {params_expr}, 'system',"
            " 'location.Alert', CAST(id AS TEXT) FROM location_alert WHERE id = ANY(%b::int8[])",
            [ids],
        )
        return
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                "INSERT INTO location_alertevent (alert_id, kind, at, note, evidence)"
                f" SELECT id, 'raised', %s, title, {empty} FROM location_alert WHERE id IN ({marks})",
                [now, *chunk],
            )
            cursor.execute(
                "INSERT INTO audit_timelineevent (person_id, at, verb, params, actor_label, model, object_id)"
                f" SELECT person_id, occurred_at, 'location.alert_raised', {params_expr}, 'system',"
                f" 'location.Alert', CAST(id AS TEXT) FROM location_alert WHERE id IN ({marks})",
                chunk,
            )


def _audit_bulk(alerts: list[Any]) -> None:
    """One audit entry per alert when a sweep raises few; for a mass event (a network outage silencing
    thousands of phones) one entry per county listing the alerts, so the chain is not the bottleneck."""
    from jiaozheng.audit.services import record_action, record_bulk
    from jiaozheng.orgs.models import OrgUnit

    if len(alerts) <= AUDIT_EACH_MAX:
        record_bulk(alerts, verb="location.sweep")
        return
    by_county: dict[int, list[Any]] = defaultdict(list)
    for alert in alerts:
        by_county[alert.county_id].append(alert)
    for county in OrgUnit.objects.filter(pk__in=list(by_county)):
        rows = by_county[county.pk]
        types: dict[str, int] = defaultdict(int)
        for alert in rows:
            types[alert.alert_type] += 1
        record_action(
            county,
            "location.sweep_alerts",
            {
                "alerts": len(rows),
                "types": dict(types),
                "alert_ids": [a.pk for a in rows],
                "person_ids": [a.person_id for a in rows],
            },
        )


def _notify_grouped(alerts: list[Any], decisions: list[Decision]) -> None:
    """One message per staff member: their persons who went quiet, instead of hundreds of messages."""
    from django.urls import reverse

    from jiaozheng.core.models import Notification
    from jiaozheng.core.notify import notify
    from jiaozheng.location.services import ALERT_ROLES, ESCALATION_ROLES
    from jiaozheng.orgs.models import User
    from jiaozheng.people.models import TeamMember

    by_person = {d.candidate.person_id: d.candidate for d in decisions}
    units: dict[int, set[int]] = defaultdict(set)  # unit id -> person ids
    for c in by_person.values():
        units[c.squadron_id].add(c.person_id)
        units[c.county_id].add(c.person_id)
    recipients: dict[int, set[int]] = defaultdict(set)  # user id -> person ids
    urgent_people = {a.person_id for a in alerts if a.severity == AlertSeverity.URGENT}
    for user_id, unit_id, role in User.objects.filter(
        is_active=True,
        role__in=list(ALERT_ROLES) + list(ESCALATION_ROLES),
        assignments__unit_id__in=list(units),
    ).values_list("pk", "assignments__unit_id", "role"):
        persons = units[unit_id]
        if role in ESCALATION_ROLES:
            persons = persons & urgent_people
        recipients[user_id] |= persons
    today = timezone.localdate()
    for person_id, user_id in (
        TeamMember.objects.filter(person_id__in=list(by_person), user__isnull=False, user__is_active=True)
        .exclude(until__lt=today)
        .values_list("person_id", "user_id")
    ):
        recipients[user_id].add(person_id)
    users = {u.pk: u for u in User.objects.filter(pk__in=list(recipients)).exclude(role="subject")}
    link = reverse("location:alert_list") + "?status=open"
    lost = {a.person_id for a in alerts if a.alert_type == AlertType.LOST_CONTACT}
    for user_id, persons in recipients.items():
        user = users.get(user_id)
        if user is None or not persons:
            continue
        names = sorted(by_person[p].name for p in persons)
        urgent = bool(persons & (urgent_people | lost))
        title = translation.gettext("%(n)s persons stopped reporting their position") % {"n": len(persons)}
        notify(
            [user],
            title=title,
            body="、".join(names[:30]) + ("…" if len(names) > 30 else ""),
            link=link,
            level=Notification.Level.URGENT if urgent else Notification.Level.WARNING,
            kind="location.sweep",
        )


def clear_resumed(*, now: dt.datetime | None = None) -> int:
    """Close the silence episodes whose person has reported since the alert was raised: new and
    acknowledged alerts close themselves with a note (outcome "condition ended"); an escalated one stays
    with the bureau, marked as ended."""
    from jiaozheng.location.models import Alert
    from jiaozheng.location.services import alert_clear

    ids = list(
        Alert.objects.filter(
            status__in=OPEN_STATUSES,
            alert_type__in=SILENCE_TYPES,
            cleared_at__isnull=True,
            person__latest_position__last_seen_at__gt=F("raised_at"),
        ).values_list("pk", "person__latest_position__last_seen_at")
    )
    with translation.override(settings.LANGUAGE_CODE):
        for pk, seen in ids:
            seen = _ts(seen)
            alert_clear(
                alert=Alert(pk=pk),
                at=seen,
                note=translation.gettext("Reporting again since %(t)s: the episode closed itself")
                % {"t": timezone.localtime(seen).strftime("%m-%d %H:%M")},
                evidence={"last_seen_at": seen},
                close_handled=True,
            )
    return len(ids)


# --- electronic supervision (电子监管率) ---------------------------------------------------------------


def local_midnight(day: dt.date) -> dt.datetime:
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def in_correction_q(day: dt.date, prefix: str = "") -> Any:
    """Persons in correction at the end of ``day`` (reported by then, not yet released or terminated). A
    person whose term has ended and who awaits release (on the release due list) is no longer counted: the
    figures count a person only for the period actually in correction."""
    from django.db.models import Q

    p = prefix
    return (
        Q(**{f"{p}intake_on__lte": day})
        & (Q(**{f"{p}released_on__isnull": True}) | Q(**{f"{p}released_on__gt": day}))
        & (Q(**{f"{p}terminated_on__isnull": True}) | Q(**{f"{p}terminated_on__gt": day}))
        & Q(**{f"{p}status__in": ["in_correction", "released", "terminated"]})
        & (Q(**{f"{p}status__in": ["released", "terminated"]}) | Q(**{f"{p}term_end__gte": day}))
    )


def device_active_q(day: dt.date, prefix: str = "") -> Any:
    """Devices in use at the end of ``day``."""
    from django.db.models import Q

    end = local_midnight(day + dt.timedelta(days=1))
    p = prefix
    return Q(**{f"{p}enrolled_at__lt": end}) & (
        Q(**{f"{p}ended_at__isnull": True}) | Q(**{f"{p}ended_at__gte": end})
    )


def coverage_on(
    day: dt.date, county_ids: list[int] | tuple[int, ...] | None = None
) -> dict[int, dict[str, int]]:
    """Per county: persons in correction at the end of ``day``, those with a device in use, those who
    reported that day."""
    from django.db.models import Count

    from jiaozheng.location.models import Device, Fix, LatestPosition
    from jiaozheng.people.models import Person

    persons = Person.objects.filter(in_correction_q(day))
    if county_ids is not None:
        persons = persons.filter(county_id__in=list(county_ids))
    totals = dict(persons.values_list("county_id").annotate(n=Count("id")).values_list("county_id", "n"))
    with_device = dict(
        persons.filter(pk__in=Device.objects.filter(device_active_q(day)).values("person_id"))
        .values_list("county_id")
        .annotate(n=Count("id"))
        .values_list("county_id", "n")
    )
    start = local_midnight(day)
    end = local_midnight(day + dt.timedelta(days=1))
    if day == timezone.localdate():
        # today: whoever's last report is from today reported today (one indexed read, no fix scan)
        reporting = dict(
            LatestPosition.objects.filter(last_seen_at__gte=start, person_id__in=persons.values("pk"))
            .values_list("county_id")
            .annotate(n=Count("person_id"))
            .values_list("county_id", "n")
        )
    else:
        reporting = dict(
            Fix.objects.filter(fix_time__gte=start, fix_time__lt=end, person_id__in=persons.values("pk"))
            .values_list("county_id")
            .annotate(n=Count("person_id", distinct=True))
            .values_list("county_id", "n")
        )
    return {
        county_id: {
            "in_correction": total,
            "with_device": with_device.get(county_id, 0),
            "reporting": reporting.get(county_id, 0),
        }
        for county_id, total in totals.items()
    }


def coverage_snapshot(day: dt.date | None = None) -> int:
    """Store (or refresh) the CoverageDay rows of ``day`` (yesterday by default) for every county."""
    from jiaozheng.location.models import CoverageDay

    day = day or timezone.localdate() - dt.timedelta(days=1)
    figures = coverage_on(day)
    now = timezone.now()
    with transaction.atomic():
        for county_id, f in figures.items():
            CoverageDay.objects.update_or_create(
                county_id=county_id, day=day, defaults={**f, "computed_at": now}
            )
    return len(figures)
