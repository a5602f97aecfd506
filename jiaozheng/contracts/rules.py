"""Contract and funds parameters a province or county may change (defaults with their source labels)."""

from django.utils.translation import gettext_lazy as _

from jiaozheng.core.rules import positive_int, register_rule

register_rule(
    "contracts.settlement_grace_days",
    90,
    _(
        "Days after the end of the service period during which expenditures still count as the "
        "contract's settlement; later ones are flagged"
    ),
    source="D",
    validate=positive_int,
)
register_rule(
    "contracts.voucher_max_mb",
    10,
    _("Largest voucher file accepted (MB)"),
    source="D",
    validate=positive_int,
)
