"""Progress parameters a province or county may change (defaults with their source labels)."""

from django.utils.translation import gettext_lazy as _

from jiaozheng.core.rules import non_negative_number, positive_int, register_rule

register_rule(
    "indicators.behind_tolerance_pct",
    5,
    _("An indicator is behind its plan when it lags the planned figure to date by more than this percentage"),
    source="D",
    validate=non_negative_number,
)
register_rule(
    "indicators.pace_window_days",
    90,
    _("Days of recent records whose pace forecasts the year end"),
    source="D",
    validate=positive_int,
)
register_rule(
    "indicators.min_days_to_act",
    10,
    _("A suggestion asks for work by the end of this month only if at least this many days remain"),
    source="D",
    validate=positive_int,
)
