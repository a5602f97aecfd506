"""A person's data export for an access request (PIPL art. 45): everything the platform holds on them.

The export walks the model registry (no service app is imported, so the layers hold): every model with a
foreign key to the person, and every model with a foreign key to one of those (answers of an assessment,
interventions of a visit...), two levels deep. Values are the clear ones (encrypted columns decrypted by
the ORM); secrets (password hashes, TOTP secrets, token hashes) are left out, binary data (face images and
descriptors) appears as its size, files as their stored name. The export is a read of sensitive data and is
written to the access log (kind ``export``) with the number of records.
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from jiaozheng.people.models import Person
from jiaozheng.people.selectors import person_get

SECRET_FIELDS = {"password", "totp_secret", "key_hash", "phone_index", "id_number_index"}
SKIPPED_APPS = {"audit", "sessions", "admin", "contenttypes", "auth"}
MAX_ROWS_PER_MODEL = 20_000
DATA_EXPORTED = "data export for an access request"


def _row(obj: models.Model) -> dict[str, Any]:
    out: dict[str, Any] = {}
    exclude = set(getattr(type(obj), "audit_exclude", ())) | set(getattr(type(obj), "audit_secret", ()))
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS or field.attname in SECRET_FIELDS or field.name in exclude:
            continue
        value = field.value_from_object(obj)
        if isinstance(field, models.BinaryField):
            value = f"[binary, {len(value)} bytes]" if value else None
        elif isinstance(field, models.FileField):
            value = value.name if value else ""
        out[field.attname] = value
    return out


def _linked_models(target: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    found = []
    for model in apps.get_models():
        if model._meta.app_label in SKIPPED_APPS:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is target:
                found.append((model, field.name))
    return found


def person_data(person: Person) -> dict[str, list[dict[str, Any]]]:
    """{model label: [rows]} of every record linked to the person, two levels deep."""
    records: dict[str, list[dict[str, Any]]] = {}
    for model, fk in _linked_models(Person):
        rows = list(model._base_manager.filter(**{fk: person}).order_by("pk")[:MAX_ROWS_PER_MODEL])
        if not rows:
            continue
        label = model._meta.label
        records.setdefault(label, []).extend(_row(r) for r in rows)
        pks = [r.pk for r in rows]
        for child, child_fk in _linked_models(model):
            if child is Person:
                continue
            children = child._base_manager.filter(**{f"{child_fk}__in": pks}).order_by("pk")[
                :MAX_ROWS_PER_MODEL
            ]
            child_rows = [_row(c) for c in children]
            if child_rows:
                existing = {r.get("id") for r in records.get(child._meta.label, [])}
                records.setdefault(child._meta.label, []).extend(
                    r for r in child_rows if r.get("id") not in existing
                )
    return records


def person_data_export(*, actor: Any, pk: Any) -> tuple[Person, bytes]:
    """The JSON export of one person's data; the person must be in the actor's scope (404 otherwise)."""
    from jiaozheng.audit.services import access_log

    person = person_get(actor=actor, pk=pk)
    records = person_data(person)
    count = sum(len(rows) for rows in records.values())
    access_log("export", person=person, obj=person, detail=f"{DATA_EXPORTED}: {count} records", actor=actor)
    document = {
        "generated_at": timezone.now(),
        "generated_by": str(actor),
        "person": _row(person),
        "records": records,
    }
    return person, json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode("utf-8")
