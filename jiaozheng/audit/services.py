"""Writing and verifying the audit trail, the timeline and the access log."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from jiaozheng.audit.models import AccessLog, AuditEntry, TimelineEvent
from jiaozheng.core import context
from jiaozheng.core.fields import EncryptedBinaryField, EncryptedTextField

GENESIS = "0" * 64
_PG_LOCK_KEY = 7_201_901  # advisory lock serialising appends to the hash chain


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return repr(value)  # as text: JSON numbers may not survive a jsonb round trip bit for bit
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return f"[{len(bytes(value))} bytes]"
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    return str(value)


def snapshot(obj_or_cls: Any, raw: dict[str, Any] | None = None) -> dict[str, Any]:
    """JSON-safe values of a model's concrete fields, keyed by attribute name.

    Encrypted fields and the model's ``audit_secret`` fields (password hashes) appear as a short keyed
    fingerprint, never in clear: the entry shows that they changed, not what they hold.
    """
    if raw is None:
        instance = obj_or_cls
        cls = type(instance)
        raw = {f.attname: getattr(instance, f.attname, None) for f in cls._meta.concrete_fields}
    else:
        cls = obj_or_cls
    exclude = set(getattr(cls, "audit_exclude", ()))
    secret = set(getattr(cls, "audit_secret", ()))
    out: dict[str, Any] = {}
    for field in cls._meta.concrete_fields:
        name = field.attname
        if name in exclude or name not in raw:
            continue
        value = raw[name]
        if name in secret or isinstance(field, (EncryptedTextField, EncryptedBinaryField)):
            out[name] = _fingerprint(value)
        else:
            out[name] = _json_value(value)
    return out


def _fingerprint(value: Any) -> str:
    if value in (None, "", b""):
        return ""
    from jiaozheng.core.fields import blind_index

    if isinstance(value, str):
        data = value
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value).hex()
    else:  # an encrypted JSON value
        data = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return "[encrypted " + blind_index(data)[:12] + "]"


def _diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    if before is None or after is None:
        return before, after
    changed = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after.get(k) for k in changed}


def _person_and_county(obj: models.Model) -> tuple[int | None, int | None]:
    """Which person and county an object belongs to, as plain values taken from its model's scope rule.

    A row that names its person but not its county gets the county of that person, read through the
    person's own scope rule: audit never imports the people app.
    """
    rule = getattr(type(obj), "scope_rule", None)
    person_id = county_id = None
    person_field = "person"
    if rule is not None:
        if rule.person and "__" not in rule.person:
            if rule.person == "pk":
                person_id, person_field = obj.pk, ""
            else:
                person_id, person_field = getattr(obj, f"{rule.person}_id", None), rule.person
        if rule.county and "__" not in rule.county and not rule.multi:
            attr = rule.county if rule.county.endswith("_id") else f"{rule.county}_id"
            county_id = getattr(obj, attr, None)
    if person_id is None and hasattr(obj, "person_id"):
        person_id, person_field = obj.person_id, "person"
    if county_id is None and person_id is not None and person_field:
        county_id = _county_of(type(obj), person_field, person_id)
    return person_id, county_id


def _person_target(model: type[models.Model], person_field: str = "person") -> tuple[Any, str | None]:
    """The model ``model.<person_field>`` points to and the column holding its county (its scope rule)."""
    try:
        target = model._meta.get_field(person_field).related_model
    except Exception:  # not a relation: nothing to follow
        return None, None
    rule = getattr(target, "scope_rule", None)
    if not isinstance(target, type) or rule is None or not rule.county or "__" in rule.county:
        return None, None
    return target, rule.county if rule.county.endswith("_id") else f"{rule.county}_id"


def _county_of(model: type[models.Model], person_field: str, person_id: Any) -> int | None:
    """The county of the row ``person_id`` of the model that ``model.<person_field>`` points to."""
    target, column = _person_target(model, person_field)
    if target is None:
        return None
    return target._base_manager.filter(pk=person_id).values_list(column, flat=True).first()


def _is_person_model(model: type[models.Model]) -> bool:
    """The model of the supervised persons themselves: its scope rule's person path is its own key."""
    rule = getattr(model, "scope_rule", None)
    return rule is not None and rule.person == "pk"


def _canonical(entry: AuditEntry) -> bytes:
    at = entry.at.astimezone(dt.UTC) if timezone.is_aware(entry.at) else entry.at
    payload = {
        "at": at.replace(tzinfo=None).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "origin": entry.origin,
        "request_id": entry.request_id,
        "action": entry.action,
        "verb": entry.verb,
        "model": entry.model,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "person_id": entry.person_id,
        "county_id": entry.county_id,
        "before": entry.before,
        "after": entry.after,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def _append(entries: list[AuditEntry]) -> None:
    """Chain and insert entries; the caller is inside a transaction."""
    if not entries:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    prev = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
    for entry in entries:
        entry.prev_hash = prev
        entry.hash = entry_hash(entry)
        prev = entry.hash
    AuditEntry.objects.bulk_create(entries)


def _new_entry(
    *,
    action: str,
    model: str,
    object_id: Any,
    object_repr: str,
    person_id: int | None,
    county_id: int | None,
    before: Any,
    after: Any,
    verb: str = "",
) -> AuditEntry:
    ctx = context.current()
    actor = ctx.user if ctx.user is not None and getattr(ctx.user, "pk", None) else None
    return AuditEntry(
        at=timezone.now(),
        actor=actor,
        actor_label=ctx.label[:160],
        origin=ctx.origin,
        request_id=ctx.request_id,
        action=action,
        verb=verb,
        model=model,
        object_id=str(object_id),
        object_repr=str(object_repr)[:200],
        person_id=person_id,
        county_id=county_id,
        before=_json_value(before),
        after=_json_value(after),
    )


def record_change(
    obj: models.Model, action: str, before: dict | None, after: dict | None
) -> AuditEntry | None:
    if action == AuditEntry.Action.UPDATE:
        before, after = _diff(before, after)
        if not after:
            return None  # nothing changed: no entry
    person_id, county_id = _person_and_county(obj)
    try:
        label = str(obj)
    except Exception:  # a half-built object must not stop the write
        label = f"{obj._meta.label}#{obj.pk}"
    entry = _new_entry(
        action=action,
        model=obj._meta.label,
        object_id=obj.pk,
        object_repr=label,
        person_id=person_id,
        county_id=county_id,
        before=before,
        after=after,
    )
    with transaction.atomic():
        _append([entry])
    return entry


def record_bulk(
    objs: Iterable[models.Model], *, action: str = AuditEntry.Action.BULK_CREATE, verb: str = ""
) -> int:
    """Audit rows written with bulk_create/update (imports): one entry per object, one chain append.

    The counties of the objects' persons are read in one query, not one per object.
    """
    objs = list(objs)
    wanted: dict[tuple[Any, str], set[int]] = {}
    for o in objs:
        if getattr(o, "person_id", None) is not None:
            target, column = _person_target(type(o))
            if target is not None and column is not None:
                wanted.setdefault((target, column), set()).add(o.person_id)  # type: ignore[attr-defined]
    counties: dict[int, int] = {}
    for (target, column), person_ids in wanted.items():
        ids = list(person_ids)
        for start in range(0, len(ids), 900):
            counties.update(
                target._base_manager.filter(pk__in=ids[start : start + 900]).values_list("pk", column)
            )
    entries = []
    for obj in objs:
        if _is_person_model(type(obj)):
            person_id, county_id = obj.pk, getattr(obj, "county_id", None)
        elif getattr(obj, "person_id", None) in counties:
            person_id = obj.person_id  # type: ignore[attr-defined]
            county_id = counties[person_id]
        else:
            person_id, county_id = _person_and_county(obj)
        entries.append(
            _new_entry(
                action=action,
                verb=verb,
                model=obj._meta.label,
                object_id=obj.pk,
                object_repr=str(obj),
                person_id=person_id,
                county_id=county_id,
                before=None,
                after=snapshot(obj),
            )
        )
    with transaction.atomic():
        _append(entries)
    return len(entries)


def record_action(obj: models.Model, verb: str, data: dict[str, Any] | None = None) -> AuditEntry:
    """An action that is not a plain field change (login as, export, key rotation...)."""
    person_id, county_id = _person_and_county(obj)
    entry = _new_entry(
        action=AuditEntry.Action.ACTION,
        verb=verb,
        model=obj._meta.label,
        object_id=obj.pk,
        object_repr=str(obj),
        person_id=person_id,
        county_id=county_id,
        before=None,
        after=data or {},
    )
    with transaction.atomic():
        _append([entry])
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 5000) -> VerifyResult:
    """Walk the chain in id order; report the first entry whose link or content does not match."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return VerifyResult(ok=True, checked=checked)
        for entry in batch:
            if entry.prev_hash != prev:
                return VerifyResult(
                    False,
                    checked,
                    entry.id,
                    "previous-hash link broken (an entry before it was altered or removed)",
                )
            if entry_hash(entry) != entry.hash:
                return VerifyResult(
                    False, checked, entry.id, "content does not match its hash (entry altered)"
                )
            prev = entry.hash
            checked += 1
            last_id = entry.id


def timeline_add(
    person: Any, verb: str, *, obj: models.Model | None = None, at: Any = None, **params: Any
) -> TimelineEvent:
    """Add a readable event to a person's timeline (see jiaozheng.audit.timeline for verbs)."""
    ctx = context.current()
    actor = ctx.user if ctx.user is not None and getattr(ctx.user, "pk", None) else None
    return TimelineEvent.objects.create(
        person_id=getattr(person, "pk", person),
        at=at or timezone.now(),
        verb=verb,
        params=_json_value(params),
        actor=actor,
        actor_label=ctx.label[:160],
        model=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )


def access_log(
    kind: str, *, person: Any = None, obj: models.Model | None = None, detail: str = "", actor: Any = None
) -> AccessLog:
    """Record a read of sensitive data. Called by selectors that return such data."""
    ctx = context.current()
    user = actor if actor is not None else ctx.user
    person_id = getattr(person, "pk", person)
    county_id = (
        getattr(person, "county_id", None) if person is not None and not isinstance(person, int) else None
    )
    if county_id is None and person_id is not None:
        Person, column = _person_target(AccessLog)  # the model AccessLog.person points to
        in_range = not isinstance(person_id, int) or -(2**63) <= person_id < 2**63
        row = (
            list(Person._base_manager.filter(pk=person_id).values_list(column, flat=True)[:1])
            if in_range and Person is not None
            else []
        )
        if row:
            county_id = row[0]
        else:  # a read of nothing: still logged, without a dangling reference
            detail = f"{detail} (no person #{person_id})".strip()
            person_id = None
    return AccessLog.objects.create(
        actor=user if user is not None and getattr(user, "pk", None) else None,
        actor_label=(user.get_username() if user is not None and getattr(user, "pk", None) else ctx.label)[
            :160
        ],
        kind=kind,
        person_id=person_id,
        county_id=county_id,
        model=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        request_id=ctx.request_id,
        detail=detail[:300],
    )
