"""Location supervision: devices, fixes, latest positions, travel permits, alerts.

Staff-facing records (devices, install records, travel permits, alerts and their events) are audited
domain models. The fixes themselves are high-volume telemetry (ADR 0002): an append-only table, on
PostgreSQL partitioned by month of the fix time, written by set-based SQL in ``storage.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.models import AuditedModel
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import ScopedManager
from jiaozheng.location.choices import (
    OPEN_STATUSES,
    AlertEventKind,
    AlertOutcome,
    AlertSeverity,
    AlertStatus,
    AlertType,
)
from jiaozheng.people.models import person_scope


class Alert(AuditedModel):
    """An alert about one person: 越界, 失联, 人机分离 ... with its workflow (new → acknowledged →
    resolved, or escalated). At most one open alert per person and type: new evidence is added to it."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="alerts", verbose_name=_("person")
    )
    county = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    alert_type = models.CharField(_("type"), max_length=24, choices=AlertType.choices, db_index=True)
    severity = models.CharField(_("severity"), max_length=8, choices=AlertSeverity.choices)
    status = models.CharField(
        _("status"), max_length=14, choices=AlertStatus.choices, default=AlertStatus.NEW, db_index=True
    )
    title = models.CharField(_("title"), max_length=200)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    last_event_at = models.DateTimeField(_("last evidence at"), default=timezone.now)
    event_count = models.PositiveIntegerField(default=1)
    late = models.BooleanField(
        _("raised from late reports"), default=False, help_text=_("The phone sent the evidence late")
    )
    cleared_at = models.DateTimeField(_("condition ended at"), null=True, blank=True)
    source_model = models.CharField(max_length=80, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=14, choices=AlertOutcome.choices, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)
    discipline = models.ForeignKey(
        "people.Discipline", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_rule = person_scope(Domain.LOCATION)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "alert_type"],
                condition=models.Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="location_alert_one_open_per_type",
            )
        ]
        indexes = [
            models.Index(fields=["county", "status", "-occurred_at"], name="location_alert_queue"),
            models.Index(fields=["person", "-occurred_at"], name="location_alert_person"),
        ]

    def __str__(self) -> str:
        return f"{self.get_alert_type_display()} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AlertEvent(AuditedModel):
    """One step in an alert's life: raised, more evidence, acknowledged, escalated, resolved, cleared."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=14, choices=AlertEventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    evidence = models.JSONField(default=dict, blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.LOCATION, path="alert__person")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
