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


def _measure_codes(value: object) -> None:
    from django.core.exceptions import ValidationError

    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValidationError(f"must be a list of measure codes, got {value!r}")


def _grade(value: object) -> None:
    from django.core.exceptions import ValidationError

    from jiaozheng.indicators.choices import Grade

    if value not in Grade.values:
        raise ValidationError(f"must be one of {', '.join(Grade.values)}, got {value!r}")


# The grade bound for core indicators. 财预〔2020〕10号 scores each indicator on its own; a province's
# method may add that a core indicator far short of its target bounds the grade whatever the total. The
# content of Hunan's 《政府购买社区矫正服务绩效评估办法》 has not been found (domain.md (e)), so the values
# below are the platform's defaults (D); a province sets its own, with the document, as a rule value.
register_rule(
    "indicators.core_measures",
    [
        "education.sessions_held",
        "community.activities_held",
        "assessments.persons_assessed",
        "visits.focus_on_time_rate",
        "location.lost_contact_persons",
    ],
    _("Core indicators: the measures whose indicators bound the grade when they fall far short"),
    source="D",
    validate=_measure_codes,
)
register_rule(
    "indicators.core_floor_pct",
    60,
    _("A core indicator whose completion is below this percentage bounds the grade (0: no bound)"),
    source="D",
    validate=non_negative_number,
)
register_rule(
    "indicators.core_floor_grade",
    "fair",
    _("The highest grade of a year in which a core indicator is below the floor"),
    source="D",
    validate=_grade,
)
