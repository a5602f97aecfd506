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
from jiaozheng.core.scoping import ScopedManager, ScopeRule
from jiaozheng.location.choices import (
    OPEN_STATUSES,
    AlertEventKind,
    AlertOutcome,
    AlertSeverity,
    AlertStatus,
    AlertType,
    DevicePlatform,
    DeviceStatus,
    FixSource,
    InstallKind,
    InstallSource,
    Protocol,
    QuietReason,
    SilenceTier,
    TravelPermitStatus,
)
from jiaozheng.people.models import person_scope


def county_scope() -> ScopeRule:
    """Rows of one person that also carry the county they were made in (alerts, devices, installs,
    trips): scoped by that county (cheap to filter, the audit trail reads it without a join, and the
    county is the shard key) and by the person's squadron, person and juvenile flag."""
    return ScopeRule(
        domain=Domain.LOCATION,
        county="county",
        squadron="person__squadron",
        person="person",
        juvenile="person__is_juvenile",
    )


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
    tier = models.PositiveSmallIntegerField(
        _("silence tier"),
        choices=SilenceTier.choices,
        null=True,
        blank=True,
        help_text=_("Silence alerts: the tier the episode has reached"),
    )

    objects = ScopedManager()
    scope_rule = county_scope()

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


# --- devices and installs ---------------------------------------------------------------------------


class Device(AuditedModel):
    """A phone enrolled for a person. The token (the app's device identifier) is shown once; only its
    SHA-256 hash is kept. A new phone for the same person replaces the old one (re-binding history)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="location_devices", verbose_name=_("person")
    )
    county = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    platform = models.CharField(_("app"), max_length=16, choices=DevicePlatform.choices)
    label = models.CharField(_("phone model"), max_length=80, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    token_hint = models.CharField(_("identifier ends with"), max_length=8, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=DeviceStatus.choices, default=DeviceStatus.ACTIVE, db_index=True
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(_("taken out of use at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(_("reason"), max_length=200, blank=True)
    imported = models.BooleanField(
        _("imported record"),
        default=False,
        help_text=_("From an import of historical installs; cannot report"),
    )
    last_rejected_at = models.DateTimeField(_("last rejected report"), null=True, blank=True)
    last_rejection = models.CharField(_("why it was rejected"), max_length=300, blank=True)

    objects = ScopedManager()
    scope_rule = county_scope()
    audit_exclude = ("last_rejected_at", "last_rejection")

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        verbose_name = _("location device")
        verbose_name_plural = _("location devices")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="active"),
                name="location_device_one_active_per_person",
            )
        ]
        indexes = [models.Index(fields=["county", "status"], name="location_device_county")]

    def __str__(self) -> str:
        hint = f" …{self.token_hint}" if self.token_hint else ""
        return f"{self.get_platform_display()}{hint}"

    @property
    def is_active(self) -> bool:
        return self.status == DeviceStatus.ACTIVE


class InstallRecord(AuditedModel):
    """定位服务（APP安装）人次: one installation of the location app for a person, the output of the contract
    that covers the person's county on the day of installation."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="location_installs", verbose_name=_("person")
    )
    county = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    installed_on = models.DateField(_("installed on"), db_index=True)
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="installs"
    )
    # No foreign key to the contract (contracts sit above location): an installation counts for the
    # contract covering its county on its day (contracts/provides.py, "contracts.covering").
    kind = models.CharField(_("kind"), max_length=10, choices=InstallKind.choices)
    source = models.CharField(_("source"), max_length=10, choices=InstallSource.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_rule = county_scope()

    class Meta:
        ordering = ["-installed_on", "-id"]
        verbose_name = _("app installation")
        verbose_name_plural = _("app installations")
        indexes = [models.Index(fields=["county", "installed_on"], name="location_install_county_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.installed_on}"


class ExpectedSilence(AuditedModel):
    """A window in which a person's phone is expected to be silent: a declared work shift where phones are
    not allowed (mine, factory floor), weekly hours. The silence sweep does not count it."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="expected_silences", verbose_name=_("person")
    )
    county = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=QuietReason.choices)
    schedule = models.JSONField(_("weekly hours"), help_text=_('{"weekly": [{"days", "start", "end"}]}'))
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    scope_rule = county_scope()

    class Meta:
        ordering = ["-start_on", "-id"]
        verbose_name = _("expected silence")
        verbose_name_plural = _("expected silences")

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.start_on}"


# --- travel permits (外出审批) as permitted zones ---------------------------------------------------


class TravelPermit(AuditedModel):
    """An approved trip outside the county (外出审批): during its dates the destination, and the way there,
    belong to the permitted area."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="travel_permits", verbose_name=_("person")
    )
    county = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    destination = models.CharField(_("destination"), max_length=100)
    destination_code = models.CharField(
        _("destination division code"),
        max_length=9,
        blank=True,
        help_text=_("6-digit code of the destination county or district, e.g. 430102"),
    )
    zone = models.JSONField(
        _("destination zone (GeoJSON)"),
        null=True,
        blank=True,
        help_text=_("Polygon or circle; empty: the destination county's boundary"),
    )
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=TravelPermitStatus.choices, default=TravelPermitStatus.APPROVED
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)

    objects = ScopedManager()
    scope_rule = county_scope()

    class Meta:
        ordering = ["-start_on", "-id"]
        verbose_name = _("travel permit")
        verbose_name_plural = _("travel permits")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")),
                name="location_travel_period_order",
                violation_error_message=_("The trip cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.destination} {self.start_on}~{self.end_on}"


# --- fixes and latest positions (telemetry, not audited: ADR 0002) --------------------------------

# Bits of Fix.flags.
FLAG_MOCK = 1  # the phone says the fix is mocked (fake-GPS app)
FLAG_OUTSIDE = 2  # the accuracy circle lies wholly outside the permitted area
FLAG_AREA_UNCERTAIN = 4  # the accuracy circle straddles the permitted area's boundary (or too coarse)
FLAG_FORBIDDEN = 8  # the accuracy circle lies wholly inside a forbidden zone in force
FLAG_FORBIDDEN_UNCERTAIN = 16  # straddles a forbidden zone in force
FLAG_APPROXIMATE = 32  # cell / Wi-Fi / coarse fix: never raises an alert alone
FLAG_LATE = 64  # received long after it was taken (buffered offline)
FLAG_INVALID = 128  # the app marked the fix as not valid


class Fix(models.Model):
    """One position report. On PostgreSQL the table is partitioned by month of ``fix_time`` (see the
    migration and ``partitions.py``); ``county_id`` is on every row so a distributed deployment can shard by
    county. A fix is identified by (device, client id, fix time): a resent batch adds nothing."""

    id = models.BigAutoField(primary_key=True)
    county_id = models.BigIntegerField()
    person = models.ForeignKey(
        "people.Person", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    device = models.ForeignKey(Device, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    client_id = models.CharField(max_length=64)
    fix_time = models.DateTimeField()
    received_at = models.DateTimeField()
    latitude = models.FloatField()
    longitude = models.FloatField()
    accuracy = models.FloatField(null=True)
    altitude = models.FloatField(null=True)
    speed = models.FloatField(null=True, help_text="m/s")
    bearing = models.FloatField(null=True)
    battery = models.FloatField(null=True, help_text="0-1")
    charging = models.BooleanField(null=True)
    moving = models.BooleanField(null=True)
    source = models.SmallIntegerField(choices=FixSource.choices, default=FixSource.UNKNOWN)
    protocol = models.SmallIntegerField(choices=Protocol.choices, default=Protocol.JZ)
    flags = models.SmallIntegerField(default=0)
    attributes = models.JSONField(null=True, blank=True)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.LOCATION)

    class Meta:
        db_table = "location_fix"
        ordering = ["fix_time", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county_id", "device", "client_id", "fix_time"], name="location_fix_dedup"
            )
        ]
        indexes = [models.Index(fields=["person", "fix_time"], name="location_fix_person_time")]

    def __str__(self) -> str:
        return f"{self.latitude:.5f},{self.longitude:.5f} @ {self.fix_time:%Y-%m-%d %H:%M:%S}"

    @property
    def mock(self) -> bool:
        return bool(self.flags & FLAG_MOCK)

    @property
    def outside(self) -> bool:
        return bool(self.flags & FLAG_OUTSIDE)

    @property
    def forbidden(self) -> bool:
        return bool(self.flags & FLAG_FORBIDDEN)


class LatestPosition(models.Model):
    """The newest fix of each person, kept apart from the fixes (map, sweeps), with the geofence state."""

    person = models.OneToOneField(
        "people.Person", primary_key=True, on_delete=models.CASCADE, related_name="latest_position"
    )
    county_id = models.BigIntegerField(db_index=True)
    device = models.ForeignKey(Device, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    fix_time = models.DateTimeField(null=True)
    received_at = models.DateTimeField(null=True)
    last_seen_at = models.DateTimeField(
        null=True,
        db_index=True,
        help_text="server time of the last accepted report; empty: none since enrolment",
    )
    expected_since = models.DateTimeField(null=True, help_text="enrolment of the current phone")
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    accuracy = models.FloatField(null=True)
    speed = models.FloatField(null=True)
    battery = models.FloatField(null=True)
    charging = models.BooleanField(null=True)
    moving = models.BooleanField(null=True)
    source = models.SmallIntegerField(default=FixSource.UNKNOWN)
    flags = models.SmallIntegerField(default=0)
    still_since = models.DateTimeField(null=True, help_text="fix time since which the person has not moved")
    anchor_latitude = models.FloatField(null=True)
    anchor_longitude = models.FloatField(null=True)
    device_state = models.JSONField(default=dict, blank=True)
    fence_state = models.JSONField(default=dict, blank=True)
    fence_version = models.IntegerField(default=0)

    objects = ScopedManager()
    scope_rule = person_scope(Domain.LOCATION)

    class Meta:
        db_table = "location_latest"
        verbose_name = _("latest position")
        verbose_name_plural = _("latest positions")

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.fix_time}"


class CoverageDay(models.Model):
    """Electronic-supervision figures of one county on one day (电子监管率), kept by a daily task."""

    county = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    in_correction = models.PositiveIntegerField(_("persons in correction"))
    with_device = models.PositiveIntegerField(_("persons with an active device"))
    reporting = models.PositiveIntegerField(_("persons who reported that day"))
    computed_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.LOCATION, county="county", county_wide=True)

    class Meta:
        ordering = ["-day", "county"]
        constraints = [models.UniqueConstraint(fields=["county", "day"], name="location_coverage_unique")]

    def __str__(self) -> str:
        return f"{self.county_id} {self.day}"

    @property
    def rate(self) -> float | None:
        return self.with_device / self.in_correction if self.in_correction else None
