"""Code tables of counselling: referrals, individual cases, groups."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReferralSource(models.TextChoices):
    """Where a referral to counselling came from."""

    VISIT = "visit", _("Visit finding")
    ASSESSMENT = "assessment", _("Assessment result")
    FLAG = "flag", _("Urgent assessment flag")
    MANUAL = "manual", _("Entered by staff")
    EDUCATION = "education", _("Education or community service")
    OTHER = "other", _("Other source")


class ReferralStatus(models.TextChoices):
    OPEN = "open", _("Awaiting a counsellor")
    ACCEPTED = "accepted", _("Case opened")
    DECLINED = "declined", _("Declined")


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case status", "Open")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


class CaseOutcome(models.TextChoices):
    """How an individual case ended (结案评估)."""

    GOALS_MET = "goals_met", _("Goals met")
    IMPROVED = "improved", _("Improved")
    UNCHANGED = "unchanged", _("No clear change")
    REFERRED_OUT = "referred_out", _("Referred to a specialist service")
    ENDED_EARLY = "ended_early", _("Ended early by the person")
    RELEASED = "released", _("Correction ended")


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video call")
    HOME = "home", _("Home visit")


class GroupStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("group status", "Active")
    CLOSED = "closed", pgettext_lazy("group status", "Closed")


class GroupSessionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("session status", "Planned")
    HELD = "held", pgettext_lazy("session status", "Held")
    CANCELLED = "cancelled", pgettext_lazy("session status", "Cancelled")


class FormationStatus(models.TextChoices):
    DRAFT = "draft", _("Proposal")
    CONFIRMED = "confirmed", _("Confirmed")
    DISCARDED = "discarded", _("Discarded")
