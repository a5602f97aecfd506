"""The audit trail, the per-person timeline and the log of sensitive reads.

``AuditEntry`` rows form a hash chain: each row stores the previous row's hash and its own hash over its
content, so an altered or deleted row breaks the chain (``jiaozheng audit verify``). Entries are written
by ``AuditedModel.save()/delete()`` in the same transaction as the change, whoever made it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The base of audited models lives in core, so core's own models are audited without importing this app;
# audit registers the writer it calls (audit/apps.py). Re-exported here for the models that import it.
from jiaozheng.core.audited import AuditedModel  # noqa: F401
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import ScopedManager, ScopeRule


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        BULK_CREATE = "bulk_create", _("Imported")
        ACTION = "action", _("Action")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=160)
    origin = models.CharField(max_length=16)
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    verb = models.CharField(max_length=80, blank=True)
    model = models.CharField(max_length=80, db_index=True)
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(max_length=200, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    county_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.AUDIT, county="county_id")

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.model}#{self.object_id}"


class TimelineEvent(models.Model):
    """A readable event on one person's timeline ("visit recorded", "left permitted area")."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    verb = models.CharField(max_length=80)
    params = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=160, blank=True)
    model = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    objects = ScopedManager()
    scope_rule = ScopeRule(
        domain=Domain.CASELOAD,
        county="person__county",
        squadron="person__squadron",
        person="person",
        juvenile="person__is_juvenile",
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="timeline_person_at")]

    def __str__(self) -> str:
        from jiaozheng.audit.timeline import render

        return render(self)


class AccessLog(models.Model):
    """A read of sensitive personal data: psychological results, locations, faces, full ID numbers."""

    class Kind(models.TextChoices):
        PSYCH = "psych", _("Psychological results")
        LOCATION = "location", _("Locations")
        FACE = "face", _("Face images")
        IDENTITY = "identity", _("Full ID number or phone")
        COUNSELLING = "counselling", _("Counselling notes")
        EXPORT = "export", _("Export")
        SEALED = "sealed", _("Sealed records")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=160)
    kind = models.CharField(max_length=16, choices=Kind.choices, db_index=True)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="access_logs"
    )
    county_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    model = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.AUDIT, county="county_id")

    class Meta:
        ordering = ["-at"]
        verbose_name = _("sensitive data access")
        verbose_name_plural = _("sensitive data accesses")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.kind}"
