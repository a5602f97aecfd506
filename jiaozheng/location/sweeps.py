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
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation

from jiaozheng.core.rules import rule
from jiaozheng.location.choices import OPEN_STATUSES, AlertSeverity, AlertType

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
    told: bool = False  # an open device-offline or low-battery alert exists already


def _ts(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _county_thresholds(county_ids: list[int]) -> dict[int, dict[str, Any]]:
    out = {}
    for county_id in county_ids:
        intervals = rule("location.report_interval_minutes", county_id)
        grace = rule("location.report_grace_minutes", county_id)
        out[county_id] = {
            "silent": {cls: dt.timedelta(minutes=m + grace) for cls, m in intervals.items()},
            "lost_known": dt.timedelta(hours=rule("location.known_cause_lost_contact_hours", county_id)),
            "low_battery": rule("location.low_battery_fraction", county_id),
        }
    return out


def _candidates(cutoff: dt.datetime) -> list[Candidate]:
    """Persons in correction with an active phone, silent since before ``cutoff``, without an open 失联."""
    ops = connection.ops
    cut = ops.adapt_datetimefield_value(cutoff)
    open_statuses = ", ".join(f"'{s.value}'" for s in OPEN_STATUSES)
    sql = f"""
        SELECT l.person_id, p.county_id, p.squadron_id, p.name, p.supervision_class, l.last_seen_at,
               l.expected_since, l.battery, l.charging, l.device_state, d.id, d.last_rejected_at,
               d.last_rejection, l.fix_time, l.latitude, l.longitude,
               EXISTS (
                   SELECT 1 FROM location_alert o
                   WHERE o.person_id = l.person_id AND o.alert_type IN ('device_offline', 'low_battery')
                     AND o.status IN ({open_statuses})
               ) AS told
        FROM location_latest l
        JOIN people_person p ON p.id = l.person_id
        JOIN location_device d ON d.person_id = l.person_id AND d.status = 'active'
        WHERE (l.last_seen_at < %s OR (l.last_seen_at IS NULL AND l.expected_since < %s))
          AND p.status = 'in_correction'
          AND d.token_hash IS NOT NULL
          AND NOT EXISTS (
              SELECT 1 FROM location_alert a
              WHERE a.person_id = l.person_id AND a.alert_type = 'lost_contact' AND a.status IN ({open_statuses})
          )
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # a cheap index-driven query that the planner's cost estimate would otherwise send to the JIT
            # compiler (about 0.2 s of compilation for nothing)
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [cut, cut])
        rows = cursor.fetchall()
    out = []
    for r in rows:
        state = r[9]
        if isinstance(state, str):
            state = json.loads(state or "{}")
        out.append(
            Candidate(
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
                told=bool(r[16]),
            )
        )
    return out


@dataclass
class Decision:
    candidate: Candidate
    alert_type: str
    severity: str
    title: str
    evidence: dict[str, Any]
    occurred_at: dt.datetime


def _decide(c: Candidate, th: dict[str, Any], now: dt.datetime) -> Decision | None:
    from jiaozheng.location.selectors import cause_label, silence_cause

    limit = th["silent"].get(c.supervision_class)
    if limit is None:
        return None
    since = c.last_seen_at or c.expected_since
    if since is None or now - since < limit:
        return None
    silence = now - since
    hours = silence.total_seconds() / 3600
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
    evidence: dict[str, Any] = {
        "last_seen_at": c.last_seen_at.isoformat() if c.last_seen_at else None,
        "silent_minutes": int(silence.total_seconds() // 60),
        "expected_every_minutes": int(limit.total_seconds() // 60),
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
    known = bool(cause)
    gettext = translation.gettext
    if known and silence < th["lost_known"]:
        alert_type = AlertType.LOW_BATTERY if cause == "low_battery" else AlertType.DEVICE_OFFLINE
        if c.told:
            return None  # already told; it becomes 失联 if it lasts
        severity = AlertSeverity.LOW if alert_type == AlertType.LOW_BATTERY else AlertSeverity.MEDIUM
        title = gettext("No report for %(h).1f h (%(cause)s)") % {"h": hours, "cause": cause_label(cause)}
    else:
        alert_type = AlertType.LOST_CONTACT
        severity = AlertSeverity.URGENT if c.supervision_class == "strict" else AlertSeverity.HIGH
        if known:
            title = gettext("Lost contact: no report for %(h).1f h (%(cause)s)") % {
                "h": hours,
                "cause": cause_label(cause),
            }
        else:
            title = gettext("Lost contact: no report for %(h).1f h, cause unknown") % {"h": hours}
    return Decision(c, alert_type, severity, title, evidence, since)


def sweep_lost_contact(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One pass of the sweep: raise silence alerts and clear those whose person reports again."""
    now = now or timezone.now()
    cleared = clear_resumed(now=now)
    county_ids = _active_counties()
    if not county_ids:
        return {"candidates": 0, "raised": 0, "cleared": cleared}
    th = _county_thresholds(county_ids)
    shortest = min(limit for t in th.values() for limit in t["silent"].values())
    candidates = _candidates(now - shortest)
    if not candidates:
        return {"candidates": 0, "raised": 0, "cleared": cleared}
    decisions = []
    with translation.override(settings.LANGUAGE_CODE):
        for c in candidates:
            county = th.get(c.county_id) or _county_thresholds([c.county_id])[c.county_id]
            decision = _decide(c, county, now)
            if decision is not None:
                decisions.append(decision)
    raised = raise_many(decisions) if decisions else 0
    return {"candidates": len(candidates), "raised": raised, "cleared": cleared}


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
    " last_event_at, event_count, late, source_model, source_id, outcome, resolution_note"
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
    }
    select_tail = "'new', r.title, {ev}, r.occurred, %s, r.occurred, 1, %s, '', '', '', ''"
    if connection.vendor == "postgresql":
        import psycopg

        sql = (
            f"INSERT INTO location_alert ({ALERT_COLUMNS}) SELECT r.person, r.county, r.type, r.severity, "
            + select_tail.format(ev="CAST(r.evidence AS jsonb)")
            + " FROM unnest(%b::int8[], %b::int8[], %b::text[], %b::text[], %b::text[], %b::text[],"
            " %b::timestamptz[]) AS r(person, county, type, severity, title, evidence, occurred) RETURNING id, person_id"
        )
        connection.ensure_connection()
        cursor = psycopg.Cursor(connection.connection)
        cursor.execute(sql, [now, False, *columns.values()], binary=True)
        returned = cursor.fetchall()
    else:
        ops = connection.ops
        rows = [
            [p, c, t, sv, ti, ev, ops.adapt_datetimefield_value(oc)]
            for p, c, t, sv, ti, ev, oc in zip(*columns.values(), strict=True)
        ]
        j = [f"json_extract(value, '$[{i}]')" for i in range(7)]
        sql = (
            f"INSERT INTO location_alert ({ALERT_COLUMNS}) SELECT {j[0]}, {j[1]}, {j[2]}, {j[3]}, "
            + select_tail.replace("r.title", j[4]).replace("r.occurred", j[6]).format(ev=j[5])
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
    """Close silence alerts whose person has reported since the alert was raised."""
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
            alert_clear(
                alert=Alert(pk=pk),
                at=seen,
                note=translation.gettext("Reporting again"),
                evidence={"last_seen_at": seen},
            )
    return len(ids)


# --- electronic supervision (电子监管率) ---------------------------------------------------------------


def local_midnight(day: dt.date) -> dt.datetime:
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def in_correction_q(day: dt.date, prefix: str = "") -> Any:
    """Persons in correction at the end of ``day`` (reported by then, not yet released or terminated)."""
    from django.db.models import Q

    p = prefix
    return (
        Q(**{f"{p}intake_on__lte": day})
        & (Q(**{f"{p}released_on__isnull": True}) | Q(**{f"{p}released_on__gt": day}))
        & (Q(**{f"{p}terminated_on__isnull": True}) | Q(**{f"{p}terminated_on__gt": day}))
        & Q(**{f"{p}status__in": ["in_correction", "released", "terminated"]})
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
