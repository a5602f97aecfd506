"""Code tables of location supervision (定位监管): alerts, devices, fixes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AlertType(models.TextChoices):
    GEOFENCE_BREACH = "geofence_breach", _("Geofence breach")  # 越界
    FORBIDDEN_ZONE = "forbidden_zone", _("Entered a forbidden zone")  # 进入禁止区域
    LOST_CONTACT = "lost_contact", _("Lost contact")  # 失联
    DEVICE_OFFLINE = "device_offline", _("Device offline")  # 设备离线
    LOW_BATTERY = "low_battery", _("Low battery")  # 电量低
    MOCK_LOCATION = "mock_location", _("Mock location")  # 虚拟定位
    DEVICE_SEPARATION = "device_separation", _("Person separated from phone")  # 人机分离
    MISSED_CHECKIN = "missed_checkin", _("Missed check-in")  # 未按时签到


class AlertSeverity(models.TextChoices):
    LOW = "low", pgettext_lazy("severity", "Low")
    MEDIUM = "medium", pgettext_lazy("severity", "Medium")
    HIGH = "high", pgettext_lazy("severity", "High")
    URGENT = "urgent", pgettext_lazy("severity", "Urgent")


SEVERITY_RANK = {
    AlertSeverity.LOW: 0,
    AlertSeverity.MEDIUM: 1,
    AlertSeverity.HIGH: 2,
    AlertSeverity.URGENT: 3,
}


class AlertStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("alert status", "New")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("alert status", "Acknowledged")
    ESCALATED = "escalated", pgettext_lazy("alert status", "Escalated")
    RESOLVED = "resolved", pgettext_lazy("alert status", "Resolved")


OPEN_STATUSES = (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED, AlertStatus.ESCALATED)


class AlertOutcome(models.TextChoices):
    """How an alert was closed."""

    ADMONITION = "admonition", _("Admonition (训诫) recorded")
    EXPLAINED = "explained", _("Explained, no violation")
    FALSE_ALARM = "false_alarm", _("False alarm (device or signal)")
    EDUCATED = "educated", _("Talked to and corrected")
    REFERRED = "referred", _("Referred for further action")
    CLEARED = "cleared", _("Condition ended before anyone acted")  # set by the system only


STAFF_OUTCOMES = [c for c in AlertOutcome if c != AlertOutcome.CLEARED]
# Outcomes that sanction the person (训诫 and up): never pre-selected, never in a bulk action; they need the
# facts found and an explicit confirmation.
SANCTION_OUTCOMES = frozenset({AlertOutcome.ADMONITION})


class AlertEventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    EVIDENCE = "evidence", _("More evidence")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    CLEARED = "cleared", _("Condition ended")
    NOTE = "note", _("Note")


class DeviceStatus(models.TextChoices):
    ACTIVE = "active", _("In use")
    REPLACED = "replaced", _("Replaced by a new phone")
    REVOKED = "revoked", _("Revoked")
    ENDED = "ended", _("Ended (correction over)")


class DevicePlatform(models.TextChoices):
    TRACCAR_CLIENT = "traccar_client", _("Traccar Client app")
    OSMAND = "osmand", _("OsmAnd-protocol app")
    JZ_APP = "jz_app", _("Our location app")
    OTHER = "other", pgettext_lazy("device", "Other")


class InstallKind(models.TextChoices):
    FIRST = "first", _("First installation")
    REINSTALL = "reinstall", _("Reinstallation / new phone")


class InstallSource(models.TextChoices):
    ENROLMENT = "enrolment", _("Device enrolment")
    IMPORT = "import", _("Imported record")


class FixSource(models.IntegerChoices):
    """How the phone obtained a fix. Cell and Wi-Fi fixes never raise a geofence alert alone."""

    UNKNOWN = 0, _("Unknown")
    GPS = 1, _("GPS / BeiDou")
    FUSED = 2, _("Fused (network-assisted)")
    CELL = 3, _("Cell tower")
    WIFI = 4, _("Wi-Fi")


class Protocol(models.IntegerChoices):
    JZ = 1, _("Jiaozheng batch API")
    OSMAND = 2, _("OsmAnd query / form")
    TRACCAR_JSON = 3, _("Traccar Client JSON")
    DEMO = 9, _("Demo data")


class TravelPermitStatus(models.TextChoices):
    APPROVED = "approved", _("Approved")
    CANCELLED = "cancelled", _("Cancelled")


class PresenceState(models.TextChoices):
    """What a person's reports look like right now (shown on the map and the device list)."""

    MOVING = "moving", _("Reporting, moving")
    STILL = "still", _("Reporting, not moving")
    SILENT = "silent", _("Not reporting")
    SILENT_CAUSE = "silent_cause", _("Not reporting, cause known")
    NEVER = "never", _("Never reported")
    NO_DEVICE = "no_device", _("No device")


class SilenceTier(models.IntegerChoices):
    """The tiers of one silence episode (one alert that escalates while the silence lasts)."""

    NOT_REPORTING = 1, _("Not reporting")  # 未上报
    LOST_CONTACT = 2, _("Lost contact")  # 失联
    ABSCONDING = 3, _("Absconding suspected")  # 疑似脱管


class QuietReason(models.TextChoices):
    WORK_SHIFT = "work_shift", _("Declared work shift (no phone at work)")
    OTHER = "other", pgettext_lazy("quiet reason", "Other")
