"""Parameters of the monthly hand-over."""

from django.utils.translation import gettext_lazy as _

from jiaozheng.core.rules import positive_int, register_rule

register_rule(
    "evidence.handover_due_day",
    5,
    _("Day of the following month by which the provider hands over a month's materials"),
    source="D: the first working week of the next month",
    validate=positive_int,
)
