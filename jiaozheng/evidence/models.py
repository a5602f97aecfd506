"""The monthly hand-over (月度资料移交) and the evidence pack of a contract-year.

- ``MonthlySubmission``: the provider hands over one month of a contract — its plan and its summary — to the
  bureau; the bureau acknowledges it or returns it with remarks. Every submission is a new version and is
  frozen once made; an acknowledged month is read-only.
- ``EvidencePack``: a generated ZIP of the evidence behind every indicator of a contract-year.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.models import AuditedModel
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import ScopedManager, ScopeRule


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting the bureau")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RETURNED = "returned", _("Returned with remarks")
    SUPERSEDED = "superseded", _("Replaced by a later version")


class MonthlySubmission(AuditedModel):
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="+", verbose_name=_("contract")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month"))
    version = models.PositiveIntegerField(_("version"), default=1)
    plan = models.TextField(_("plan of the month"))
    summary = models.TextField(_("summary of the month"))
    status = models.CharField(
        _("status"), max_length=12, choices=SubmissionStatus.choices, default=SubmissionStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    on_time = models.BooleanField(_("on time"), default=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)

    objects = ScopedManager()
    scope_rule = ScopeRule(
        domain=Domain.PERFORMANCE, county="contract__counties", multi=True, county_wide=True
    )

    class Meta:
        ordering = ["-month", "-version"]
        verbose_name = _("monthly hand-over")
        verbose_name_plural = _("monthly hand-overs")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "month", "version"], name="evidence_submission_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} v{self.version}"


class EvidencePack(AuditedModel):
    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    file = models.FileField(upload_to="evidence/packs/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    attachments = models.PositiveIntegerField(default=0)
    # the data domains the pack holds (its maker's); it is opened only by roles that may view all of them
    domains = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope_rule = ScopeRule(domain=Domain.PERFORMANCE, county="contract__counties", multi=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("evidence pack")
        verbose_name_plural = _("evidence packs")

    def __str__(self) -> str:
        return f"{self.contract_id} {self.year}"
