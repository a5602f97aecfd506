"""Code tables of psychological assessment."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AssessmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Mode(models.TextChoices):
    ONLINE = "online", _("Answered online")
    PAPER = "paper", _("Paper form keyed in by staff")
    IMPORTED = "imported", _("Imported")


class Validity(models.TextChoices):
    VALID = "valid", _("Valid")
    QUESTIONABLE = "questionable", _("Questionable")
    INVALID = "invalid", _("Invalid")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class EntryOrigin(models.TextChoices):
    """How answers reached the record (the audit of who entered what)."""

    ONLINE = "online", _("Answered by the person")
    PAPER = "paper", _("Keyed in from a paper form")
    CORRECTION = "correction", _("Corrected by staff")
    IMPORT = "import", _("Imported")


class FlagStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("flag status", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REFERRED = "referred", _("Referred to counselling")
    CLOSED = "closed", pgettext_lazy("flag status", "Closed")


class FlagSeverity(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    REVIEW = "review", _("Review")


class EntryMethod(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    CSV = "csv", _("CSV import")


class ExternalVersion(models.TextChoices):
    TRIAL = "trial", _("Trial version (试用版)")
    FORMAL = "formal", _("Formal version (正式版)")
    UNKNOWN = "unknown", _("Not stated")
