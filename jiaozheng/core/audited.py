"""The base of every audited model: each save() writes an audit entry in the same transaction.

The class lives in core so that models of every layer (core's own included) can be audited; the writer
it calls is registered by the audit app (``register_writer`` in audit/apps.py), so core never imports
audit. Without a registered writer a save fails rather than going unrecorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models, transaction

CREATE = "create"  # the values of jiaozheng.audit.models.AuditEntry.Action
UPDATE = "update"

RecordChange = Callable[[Any, str, "dict | None", "dict | None"], Any]
Snapshot = Callable[..., dict[str, Any]]
_WRITER: list[tuple[RecordChange, Snapshot]] = []


def register_writer(record_change: RecordChange, snapshot: Snapshot) -> None:
    """Called once by the audit app when it is ready."""
    _WRITER[:] = [(record_change, snapshot)]


def _writer() -> tuple[RecordChange, Snapshot]:
    if not _WRITER:
        raise RuntimeError("no audit writer registered: is jiaozheng.audit in INSTALLED_APPS?")
    return _WRITER[0]


class AuditedModel(models.Model):
    """Base for domain models: every save() and delete writes an AuditEntry in the same transaction.

    Deletes (direct or cascaded) are recorded by a post_delete handler (audit/apps.py), which Django
    sends inside the deleting transaction.

    ``audit_exclude`` lists fields left out of the snapshots (large blobs, derived caches); encrypted
    fields are recorded as "[encrypted]" with whether they changed, never in clear.
    Bulk writes (``bulk_create``, ``update``) bypass save(): services that use them call
    ``jiaozheng.audit.services.record_bulk`` themselves.
    """

    audit_exclude: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        if len(field_names) == len(cls._meta.concrete_fields):
            # Cheap: the raw loaded values; they are normalised only if the instance is saved.
            instance._audit_loaded = dict(zip(field_names, values, strict=True))
        return instance

    def save(self, *args: Any, **kwargs: Any) -> None:
        record_change, snapshot = _writer()
        using = kwargs.get("using") or self._state.db or "default"
        creating = self._state.adding
        with transaction.atomic(using=using):
            before = None
            if not creating:
                loaded = getattr(self, "_audit_loaded", None)
                if loaded is None:
                    fresh = type(self)._base_manager.using(using).filter(pk=self.pk).first()
                    loaded = (
                        None
                        if fresh is None
                        else {f.attname: getattr(fresh, f.attname) for f in self._meta.concrete_fields}
                    )
                before = snapshot(type(self), loaded) if loaded is not None else None
            super().save(*args, **kwargs)
            after = snapshot(self)
            record_change(self, CREATE if creating else UPDATE, before, after)
            self._audit_loaded = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}
