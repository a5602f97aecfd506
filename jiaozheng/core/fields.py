"""Encrypted model fields and blind indexes for sensitive personal data.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) using keys from JZ_FIELD_KEYS, newest
first. Older keys still decrypt, so keys can be rotated with ``jiaozheng keys rotate`` without downtime.
Exact-match search on an encrypted value uses a keyed HMAC ("blind index") stored beside it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

PREFIX = "enc1:"


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("JZ_FIELD_KEYS holds no key")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"JZ_FIELD_KEYS holds an invalid Fernet key: {exc}")


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(value: str) -> str:
    if not value.startswith(PREFIX):
        return value  # plain legacy value; the next save encrypts it
    try:
        return fernet().decrypt(value[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ImproperlyConfigured("an encrypted field cannot be decrypted with the configured JZ_FIELD_KEYS")


def rotate_token(value: str) -> str:
    """Re-encrypt a stored value with the newest key."""
    if not value.startswith(PREFIX):
        return encrypt_text(value)
    return PREFIX + fernet().rotate(value[len(PREFIX) :].encode("ascii")).decode("ascii")


def blind_index(value: str | None) -> str:
    """Keyed hash of a normalised value, for uniqueness checks and exact search."""
    if not value:
        return ""
    normalised = "".join(value.split()).upper()
    return hmac.new(settings.FIELD_HASH_KEY.encode(), normalised.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; reads give the clear text. Not searchable: use a blind index."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def to_python(self, value):
        if isinstance(value, str) and value.startswith(PREFIX):
            return decrypt_text(value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))


class EncryptedJSONField(EncryptedTextField):
    """JSON (dicts, lists, numbers) stored encrypted as text; reads give the Python value.

    For answers and result details that are read whole and never queried by content: the columns that
    indicators aggregate (validity, risk level, scores, dates) stay separate plain columns. Values stored
    before encryption (plain JSON text) still read; the data migration encrypts them."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        if not isinstance(value, str):
            return value  # a jsonb value read before the column changed type
        return _loads(decrypt_text(value)) if value != "" else value

    def to_python(self, value):
        if isinstance(value, str):
            text = decrypt_text(value) if value.startswith(PREFIX) else value
            try:
                return json.loads(text)
            except ValueError:
                return value
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt_text(json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), ensure_ascii=False, cls=DjangoJSONEncoder)

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(**{"form_class": forms.JSONField, **kwargs})


def _loads(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return text


def encrypt_existing(app_label: str, model_name: str, *field_names: str):
    """A migration operation that encrypts the values of these (now encrypted) columns stored in clear.

    Runs on raw SQL in batches, so it does not depend on the model's code; values already encrypted are
    left alone; reversing it decrypts (the columns can then go back to their plain type)."""
    from django.db import migrations

    def _run(apps, schema_editor, forward: bool) -> None:
        model = apps.get_model(app_label, model_name)
        connection = schema_editor.connection
        qn = connection.ops.quote_name
        table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
        columns = [model._meta.get_field(name).column for name in field_names]
        last = None
        while True:
            with connection.cursor() as cursor:
                where = f"WHERE {pk} > %s " if last is not None else ""
                cursor.execute(
                    f"SELECT {pk}, {', '.join(qn(c) for c in columns)} FROM {table} {where}ORDER BY {pk} LIMIT 500",
                    [last] if last is not None else [],
                )
                rows = cursor.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            for index, column in enumerate(columns, start=1):
                updates = []
                for row in rows:
                    raw = row[index]
                    if raw is None or raw == "":
                        continue
                    if not isinstance(raw, str):
                        raw = json.dumps(raw, ensure_ascii=False)
                    if forward and not raw.startswith(PREFIX):
                        updates.append((encrypt_text(raw), row[0]))
                    elif not forward and raw.startswith(PREFIX):
                        updates.append((decrypt_text(raw), row[0]))
                if updates:
                    with connection.cursor() as cursor:
                        cursor.executemany(f"UPDATE {table} SET {qn(column)} = %s WHERE {pk} = %s", updates)

    return migrations.RunPython(
        lambda apps, schema_editor: _run(apps, schema_editor, True),
        lambda apps, schema_editor: _run(apps, schema_editor, False),
        elidable=False,
    )


class EncryptedBinaryField(models.BinaryField):
    """Binary data (face templates, photos' descriptors) stored encrypted."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        try:
            return fernet().decrypt(bytes(value))
        except InvalidToken:
            raise ImproperlyConfigured("encrypted binary data cannot be decrypted with JZ_FIELD_KEYS")

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        return super().get_db_prep_value(fernet().encrypt(bytes(value)), connection, prepared)


def mask_id_number(value: str | None) -> str:
    """110101********1234 style: region code and last four kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]
