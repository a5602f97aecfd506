"""Community-service parameters a province (or county) may change; defaults with their source labels."""

from django.utils.translation import gettext_lazy as _

from jiaozheng.core.rules import non_negative_number, positive_int, register_rule

register_rule(
    "community.service_hours_strict",
    12,
    _("Public-welfare hours a month required of a person under strict supervision"),
    source="S: provincial example, 严管 ≥12 h/month public welfare",
    validate=non_negative_number,
)
register_rule(
    "community.service_hours_ordinary",
    8,
    _("Public-welfare hours a month required of a person under ordinary supervision"),
    source="U: 2012 national rule, ≥8 h/month (provinces now set hours)",
    validate=non_negative_number,
)
register_rule(
    "community.service_hours_lenient",
    8,
    _("Public-welfare hours a month required of a person under lenient supervision"),
    source="U: 2012 national rule, ≥8 h/month (provinces now set hours)",
    validate=non_negative_number,
)
register_rule(
    "community.activities_per_year",
    156,
    _("Community-service activities a county holds in a contract year (used for the pace line)"),
    source="R: seed report, 全年累计开展156场次",
    validate=positive_int,
)
