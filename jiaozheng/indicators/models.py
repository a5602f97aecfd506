"""Performance indicators of a contract-year, their monthly plan, the report narratives and issued reports.

An ``Indicator`` binds a contract-year to a measure (``jiaozheng.core.measures``) by code and adds
the contract's target, unit, weight, group and scoring rule. Actual values are never typed in: they are
computed from the records by the measure. Only indicators that no record can measure (a satisfaction
survey result) take a manual value with its source, and qualitative indicators take a band.

Rows are PERFORMANCE data, scoped through the contract's counties (county-level staff and the provider).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.models import AuditedModel
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import ScopedManager, ScopeRule
from jiaozheng.indicators.choices import (
    Band,
    Direction,
    IndicatorGroup,
    IndicatorKind,
    RateDisplay,
    ReportFormat,
    ReportKind,
)


def _performance_scope(path: str = "contract") -> ScopeRule:
    return ScopeRule(domain=Domain.PERFORMANCE, county=f"{path}__counties", multi=True)


class Indicator(AuditedModel):
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="indicators", verbose_name=_("contract")
    )
    year = models.PositiveIntegerField(_("year"))
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Short identifier, unique within the contract-year")
    )
    name = models.CharField(_("indicator"), max_length=100)
    group = models.CharField(_("group"), max_length=20, choices=IndicatorGroup.choices)
    kind = models.CharField(
        _("kind"), max_length=12, choices=IndicatorKind.choices, default=IndicatorKind.QUANTITATIVE
    )
    measure_code = models.CharField(
        _("measure"),
        max_length=80,
        blank=True,
        help_text=_("Code of the measure that computes the actual value from the records"),
    )
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    weight = models.DecimalField(_("weight (points)"), max_digits=6, decimal_places=2)
    rate_display = models.CharField(
        _("rate over 100 %"), max_length=10, choices=RateDisplay.choices, default=RateDisplay.CAPPED
    )
    rate_label = models.CharField(
        _("rate name"), max_length=30, blank=True, help_text=_("Empty: 完成率. The seed calls one 电子监管率")
    )
    coverage_measure_code = models.CharField(
        _("coverage measure"),
        max_length=80,
        blank=True,
        help_text=_("A true coverage rate shown beside an uncapped rate (location.esupervision_rate)"),
    )
    description = models.TextField(_("definition"), blank=True)
    manual_actual = models.DecimalField(
        _("actual value (entered)"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Only for indicators no measure computes, e.g. a survey result"),
    )
    manual_source = models.CharField(_("source of the entered value"), max_length=200, blank=True)
    band = models.CharField(_("assessment"), max_length=14, choices=Band.choices, blank=True)
    band_percent = models.PositiveSmallIntegerField(_("share of the weight (%)"), null=True, blank=True)
    assessment_note = models.TextField(_("evidence"), blank=True)
    deviation_reason = models.TextField(_("reason for the shortfall"), blank=True)
    corrective_measure = models.TextField(_("corrective measure"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    objects = ScopedManager()
    scope_rule = _performance_scope()

    class Meta:
        ordering = ["contract", "year", "sort_order", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "year", "code"],
                name="indicator_unique_code",
                violation_error_message=_("This contract-year already has an indicator with this code."),
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0),
                name="indicator_weight_not_negative",
                violation_error_message=_("A weight cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"

    @property
    def is_qualitative(self) -> bool:
        return self.kind == IndicatorKind.QUALITATIVE


class PlanMonth(AuditedModel):
    """The planned quantity of one month (the planned curve); without rows the plan is linear."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="plan")
    month = models.PositiveSmallIntegerField(_("month"))
    planned = models.DecimalField(_("planned in the month"), max_digits=12, decimal_places=2)

    objects = ScopedManager()
    scope_rule = _performance_scope("indicator__contract")

    class Meta:
        ordering = ["indicator", "month"]
        verbose_name = _("planned month")
        verbose_name_plural = _("planned months")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month"], name="planmonth_unique"),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="planmonth_month_range"
            ),
            models.CheckConstraint(condition=models.Q(planned__gte=0), name="planmonth_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.month}: {self.planned}"


class Narrative(AuditedModel):
    """An editable paragraph block of a report, stored per contract-year (month 0 = the annual report).

    Figures are written as tokens (``{{m.education.sessions_held}}``) and computed at rendering time.
    """

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="narratives", verbose_name=_("contract")
    )
    year = models.PositiveIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), default=0)
    key = models.CharField(_("section"), max_length=40)
    text = models.TextField(_("text"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope_rule = _performance_scope()

    class Meta:
        ordering = ["contract", "year", "month", "key"]
        verbose_name = _("report text")
        verbose_name_plural = _("report texts")
        constraints = [
            models.UniqueConstraint(fields=["contract", "year", "month", "key"], name="narrative_unique"),
            models.CheckConstraint(condition=models.Q(month__lte=12), name="narrative_month_range"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.code} {self.year}/{self.month} {self.key}"


class ReportRun(AuditedModel):
    """A generated report file, with the figures as they stood when it was generated."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="report_runs", verbose_name=_("contract")
    )
    year = models.PositiveIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), default=0)
    kind = models.CharField(_("report"), max_length=16, choices=ReportKind.choices)
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    total_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField(max_length=10, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    audit_exclude = ("data",)
    objects = ScopedManager()
    scope_rule = _performance_scope()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("generated report")
        verbose_name_plural = _("generated reports")

    def __str__(self) -> str:
        return f"{self.contract.code} {self.year} {self.get_kind_display()} ({self.format})"


class IndicatorResult(models.Model):
    """One indicator's figures in a generated report: raw actual, target and unit, the uncapped ratio and
    the capped score kept apart (domain.md (d): "store the raw actual, the target and its unit, and compute
    the uncapped ratio and the capped score separately")."""

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="results")
    indicator = models.ForeignKey(Indicator, null=True, on_delete=models.SET_NULL, related_name="+")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    actual = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    target = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    unit = models.CharField(max_length=20, blank=True)
    ratio = models.DecimalField(
        max_digits=10, decimal_places=6, null=True, help_text="actual ÷ target, uncapped"
    )
    weight = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"))
    score = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["run", "id"]

    def __str__(self) -> str:
        return f"{self.code}: {self.actual} / {self.target}"
