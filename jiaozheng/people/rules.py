"""Caseload parameters a province may change (domain.md (c)); defaults with their source labels."""

from django.utils.translation import gettext_lazy as _

from jiaozheng.core.rules import positive_int, register_rule

register_rule(
    "people.new_entrant_months",
    2,
    _("Months after intake during which a person counts as a new entrant (新入矫)"),
    source="S: provincial example, strict while in correction < 2 months",
    validate=positive_int,
)
register_rule(
    "people.report_deadline_days",
    10,
    _("Days after the judgment takes effect within which the person must report (报到)"),
    source="L art. 21",
    validate=positive_int,
)
register_rule(
    "people.admonition_max_days_late",
    10,
    _(
        "Late report or out of supervision for up to this many days "
        "suggests an admonition; more suggests a warning"
    ),
    source="S: 2020 实施办法 as quoted (Wenzhou)",
    validate=positive_int,
)
register_rule(
    "people.admonitions_to_warning",
    2,
    _("Admonitions after which a warning is suggested"),
    source="S: 2020 实施办法 as quoted (Wenzhou)",
    validate=positive_int,
)
register_rule(
    "people.warnings_to_revocation",
    2,
    _("Warnings after which a revocation proposal is suggested"),
    source="S: 2020 实施办法 as quoted (Wenzhou)",
    validate=positive_int,
)
register_rule(
    "people.commendation_min_months",
    6,
    _("Months in correction before a commendation may be given"),
    source="U: 2020 实施办法 art. 33",
    validate=positive_int,
)
register_rule(
    "people.plan_review_days",
    90,
    _("Default interval between reviews of a correction plan"),
    source="D",
    validate=positive_int,
)
