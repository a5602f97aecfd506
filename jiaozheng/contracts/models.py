"""Purchased-service contracts (政府购买服务合同) and their funds.

A contract says which provider serves which counties in which period, for which budget (财政预算) and
contract price (中标价). Its funds are the budget lines by category (预算科目), the payments received from
the buyer (资金到位), the expenditures with their vouchers, each mapped to a line (专款专用), and the
adjustments agreed during the contract (e.g. because of the pandemic) with their approval records.

Everything here is FINANCE data: finance auditors read it, the bureau administrator and the provider's
supervisor change it (see core/roles.py). Contractor supervisors see the counties of their contracts.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.models import AuditedModel
from jiaozheng.contracts.choices import AdjustmentKind, AdjustmentStatus, Decision, FundCategory
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import ScopedManager, ScopeRule


def _funds_scope(path: str = "contract") -> ScopeRule:
    return ScopeRule(domain=Domain.FINANCE, county=f"{path}__counties", multi=True)


class Contract(AuditedModel):
    code = models.CharField(_("contract code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    buyer = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="contracts_bought",
        verbose_name=_("buyer (county bureau)"),
    )
    provider = models.ForeignKey(
        "orgs.ServiceProvider",
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("service provider"),
    )
    counties = models.ManyToManyField(
        "orgs.OrgUnit", related_name="contracts", verbose_name=_("counties served")
    )
    start_on = models.DateField(_("service period start"))
    end_on = models.DateField(_("service period end"))
    budget_amount = models.DecimalField(
        _("budget (yuan)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    contract_amount = models.DecimalField(
        _("contract price (yuan)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    procurement = models.CharField(
        _("procurement method"),
        max_length=100,
        blank=True,
        help_text=_("For example: public tender (公开招标)"),
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = ScopedManager()
    # County-level rows: staff posted to a single squadron do not reach contracts (their roles have no
    # FINANCE access, and the contract pages are for county-level roles: see core/roles CONTRACT_ROLES).
    scope_rule = ScopeRule(domain=Domain.FINANCE, county="counties", multi=True)

    class Meta:
        ordering = ["-start_on", "code"]
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")),
                name="contract_period_order",
                violation_error_message=_("The period cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def years(self) -> list[int]:
        """Calendar years the service period touches (one contract-year each)."""
        return list(range(self.start_on.year, self.end_on.year + 1))


class FundLine(AuditedModel):
    """A budget line (预算科目) of the contract: what the money is for."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="fund_lines", verbose_name=_("contract")
    )
    category = models.CharField(_("category"), max_length=20, choices=FundCategory.choices)
    name = models.CharField(_("line"), max_length=120)
    amount = models.DecimalField(_("budgeted (yuan)"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    objects = ScopedManager()
    scope_rule = _funds_scope()

    class Meta:
        ordering = ["contract", "sort_order", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "name"],
                name="fundline_unique_name",
                violation_error_message=_("This contract already has a line with this name."),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="fundline_amount_not_negative",
                violation_error_message=_("A budgeted amount cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Payment(AuditedModel):
    """Money received from the buyer (资金到位 / 拨款)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="payments", verbose_name=_("contract")
    )
    paid_on = models.DateField(_("paid on"), db_index=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    payer = models.CharField(_("payer"), max_length=100, blank=True)
    reference = models.CharField(
        _("reference"), max_length=60, blank=True, help_text=_("Transfer or document number")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedManager()
    scope_rule = _funds_scope()

    class Meta:
        ordering = ["-paid_on", "-id"]
        verbose_name = _("payment received")
        verbose_name_plural = _("payments received")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="payment_amount_positive",
                violation_error_message=_("A payment must be more than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paid_on:%Y-%m-%d} ¥{self.amount:,.2f}"


class Expenditure(AuditedModel):
    """Money spent under the contract, mapped to a budget line (专款专用) and backed by vouchers."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="expenditures", verbose_name=_("contract")
    )
    line = models.ForeignKey(
        FundLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expenditures",
        verbose_name=_("budget line"),
        help_text=_("Empty: not yet mapped to a line (flagged)"),
    )
    spent_on = models.DateField(_("date"), db_index=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    payee = models.CharField(_("payee"), max_length=100, blank=True)
    description = models.CharField(_("purpose"), max_length=200)
    voucher_no = models.CharField(
        _("voucher number"), max_length=40, blank=True, help_text=_("Bookkeeping voucher number (记账凭证号)")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedManager()
    scope_rule = _funds_scope()

    class Meta:
        ordering = ["-spent_on", "-id"]
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        indexes = [models.Index(fields=["contract", "spent_on"], name="expenditure_contract_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="expenditure_amount_positive",
                violation_error_message=_("An expenditure must be more than zero."),
            ),
            models.UniqueConstraint(
                fields=["contract", "voucher_no"],
                condition=~models.Q(voucher_no=""),
                name="expenditure_unique_voucher_no",
                violation_error_message=_("This voucher number is already recorded for the contract."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spent_on:%Y-%m-%d} {self.description} ¥{self.amount:,.2f}"


class Voucher(AuditedModel):
    """A scanned voucher (invoice, receipt, payroll sheet) attached to an expenditure."""

    expenditure = models.ForeignKey(
        Expenditure, on_delete=models.CASCADE, related_name="vouchers", verbose_name=_("expenditure")
    )
    file = models.FileField(_("file"), upload_to="contracts/vouchers/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedManager()
    scope_rule = _funds_scope("expenditure__contract")

    class Meta:
        ordering = ["expenditure", "id"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")

    def __str__(self) -> str:
        return self.original_name


class Adjustment(AuditedModel):
    """A contract adjustment (合同调整), e.g. activities halted by pandemic rules, with its approval."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("contract")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AdjustmentKind.choices)
    title = models.CharField(_("title"), max_length=120)
    reason = models.TextField(_("reason"))
    content = models.TextField(_("what changes"))
    requested_on = models.DateField(_("requested on"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AdjustmentStatus.choices,
        default=AdjustmentStatus.PENDING,
        db_index=True,
    )
    new_end_on = models.DateField(_("new end of period"), null=True, blank=True)
    new_contract_amount = models.DecimalField(
        _("new contract price (yuan)"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    # [{"indicator": id, "code": ..., "name": ..., "year": ..., "from": "156", "to": "150"}]
    target_changes = models.JSONField(_("target changes"), default=list, blank=True)
    # The values before the adjustment was applied, kept for the record.
    previous = models.JSONField(default=dict, blank=True, editable=False)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True, editable=False)

    objects = ScopedManager()
    scope_rule = _funds_scope()

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("contract adjustment")
        verbose_name_plural = _("contract adjustments")

    def __str__(self) -> str:
        return self.title


class AdjustmentDecision(AuditedModel):
    """An approval record (审批记录): who decided, when, under which document, with which opinion."""

    adjustment = models.ForeignKey(
        Adjustment, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("adjustment")
    )
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approver = models.CharField(
        _("approver"), max_length=100, help_text=_("Name and post, e.g. 县司法局局长 向建国")
    )
    document_no = models.CharField(_("document number"), max_length=60, blank=True)
    opinion = models.TextField(_("opinion"))
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedManager()
    scope_rule = _funds_scope("adjustment__contract")

    class Meta:
        ordering = ["adjustment", "decided_on", "id"]
        verbose_name = _("approval record")
        verbose_name_plural = _("approval records")

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.decided_on}"
