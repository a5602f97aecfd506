"""Field-encryption keys: ``jiaozheng keys rotate`` re-encrypts every encrypted field with the newest key.

Procedure: generate a key (``jiaozheng keys generate``), put it FIRST in JZ_FIELD_KEYS keeping the old keys
after it, restart, run ``jiaozheng keys rotate``, then the old keys may be removed. ``keys check`` verifies
that every stored value decrypts with the configured keys.
"""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from jiaozheng.core.fields import EncryptedBinaryField, EncryptedTextField, decrypt_text, fernet, rotate_token


def encrypted_fields():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, (EncryptedTextField, EncryptedBinaryField)):
                yield model, field


class Command(BaseCommand):
    help = "Field-encryption keys: generate, rotate (re-encrypt with the newest key), check."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["generate", "rotate", "check"])
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args, **options):
        action = options["action"]
        if action == "generate":
            self.stdout.write(Fernet.generate_key().decode())
            return
        total = 0
        for model, field in encrypted_fields():
            table, column = model._meta.db_table, field.column
            pk = model._meta.pk.column
            qn = connection.ops.quote_name
            last = None
            while True:
                with connection.cursor() as cursor:
                    where = f"WHERE {qn(pk)} > %s " if last is not None else ""
                    cursor.execute(
                        f"SELECT {qn(pk)}, {qn(column)} FROM {qn(table)} {where}ORDER BY {qn(pk)} LIMIT %s",
                        ([last] if last is not None else []) + [options["batch"]],
                    )
                    rows = cursor.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                updates = []
                for row_pk, raw in rows:
                    if raw in (None, "", b""):
                        continue
                    try:
                        if isinstance(field, EncryptedTextField):
                            if action == "check":
                                decrypt_text(raw)
                            else:
                                updates.append((rotate_token(raw), row_pk))
                        else:
                            data = bytes(raw)
                            if action == "check":
                                fernet().decrypt(data)
                            else:
                                updates.append((fernet().rotate(data), row_pk))
                    except Exception as exc:
                        raise CommandError(
                            f"{model._meta.label}.{field.name} #{row_pk} cannot be decrypted: {exc}"
                        )
                if updates:
                    with transaction.atomic(), connection.cursor() as cursor:
                        cursor.executemany(
                            f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE {qn(pk)} = %s", updates
                        )
                total += len(rows)
        files = self._files(action)
        verb = "checked" if action == "check" else "re-encrypted with the newest key"
        if action == "rotate":
            from jiaozheng.core.context import acting_as
            from jiaozheng.core.registry import provider

            record_action = provider("audit.record_action")
            system = provider("orgs.system_user")()
            with acting_as(system, "cli"):
                record_action(system, "keys.rotated", {"values": total, "files": files})
        self.stdout.write(f"{total} encrypted values {verb}")
        self.stdout.write(f"{files} stored files {verb}")

    def _files(self, action: str) -> int:
        """Every file a FileField points to: decrypt it (check) or re-encrypt it with the newest key."""
        from django.db import models

        from jiaozheng.core.storage import EncryptedFileSystemStorage, decrypt_bytes

        count = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
            for field in fields:
                storage = field.storage
                if not isinstance(storage, EncryptedFileSystemStorage):
                    continue
                names = model._base_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
                for name in names.iterator():
                    if not name or not storage.exists(name):
                        continue
                    try:
                        if action == "check":
                            with open(storage.path(name), "rb") as handle:
                                decrypt_bytes(handle.read())
                        else:
                            storage.rotate(name)
                    except Exception as exc:
                        raise CommandError(
                            f"{model._meta.label}.{field.name} {name} cannot be decrypted: {exc}"
                        )
                    count += 1
        return count
