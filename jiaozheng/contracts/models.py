"""Purchased-service contracts (政府购买服务合同).

The foundation keeps what scoping needs: which provider serves which counties in which period.
Contractor supervisors see the counties of their organisation's contracts.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.models import AuditedModel
from jiaozheng.core.roles import Domain
from jiaozheng.core.scoping import ScopedManager, ScopeRule


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

    objects = ScopedManager()
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
