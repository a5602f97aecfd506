"""Check-in parameters a province or county may change (``jiaozheng rules set``); defaults and sources.

Sources (domain.md labels): no national rule sets check-in frequencies or face-match thresholds; the
frequencies follow practice seen in deployed systems (S: Futian three fixed daily check-ins, Putian daily
face check-in) and are design choices (D); the distance threshold is the dlib library's default and must
be calibrated on local enrolment data (dependencies.md §3.3).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiaozheng.core.rules import positive_int, register_rule

CLASSES = ("strict", "ordinary", "lenient")
CHALLENGES = ("turn_left", "turn_right", "blink", "open_mouth", "nod")


def _fraction(value):
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value < 2:
        raise ValidationError(f"must be a number between 0 and 2, got {value!r}")


def _hhmm(value) -> bool:
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        return False
    hours, minutes = value[:2], value[3:]
    return hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60


def validate_schedule(value):
    """{"strict": {"times": ["08:30", ...], "weekdays": [0..6]}, ...} for every supervision class."""
    if not isinstance(value, dict) or set(value) != set(CLASSES):
        raise ValidationError(f"give a schedule for each class: {', '.join(CLASSES)}")
    for key, entry in value.items():
        if not isinstance(entry, dict) or set(entry) - {"times", "weekdays"}:
            raise ValidationError(f"{key}: give 'times' and 'weekdays'")
        times, weekdays = entry.get("times", []), entry.get("weekdays", [])
        if not isinstance(times, list) or not all(_hhmm(t) for t in times) or len(times) > 12:
            raise ValidationError(f"{key}: times are up to 12 'HH:MM' values")
        if not isinstance(weekdays, list) or not all(isinstance(d, int) and 0 <= d <= 6 for d in weekdays):
            raise ValidationError(f"{key}: weekdays are numbers 0 (Monday) to 6 (Sunday)")


def validate_random(value):
    if not isinstance(value, dict) or set(value) != set(CLASSES):
        raise ValidationError(f"give a number for each class: {', '.join(CLASSES)}")
    for key, n in value.items():
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 14:
            raise ValidationError(f"{key}: 0 to 14 random check-ins a week")


def validate_hours(value):
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(h, int) and not isinstance(h, bool) for h in value)
        or not 0 <= value[0] < value[1] <= 24
    ):
        raise ValidationError("give [first hour, last hour], e.g. [8, 21]")


def validate_challenges(value):
    if not isinstance(value, list) or not value or not all(v in CHALLENGES for v in value):
        raise ValidationError(f"choose one or more of: {', '.join(CHALLENGES)}")


def validate_threshold(value):
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0.2 <= value <= 1.0:
        raise ValidationError("the distance threshold must be between 0.2 and 1.0")


register_rule(
    "checkins.schedule_by_class",
    {
        "strict": {"times": ["08:30", "19:30"], "weekdays": [0, 1, 2, 3, 4, 5, 6]},
        "ordinary": {"times": ["09:00"], "weekdays": [0, 1, 2, 3, 4, 5, 6]},
        "lenient": {"times": ["09:00"], "weekdays": [0, 3]},
    },
    _("Scheduled face check-ins per supervision class: local times and weekdays (0 = Monday)"),
    source="D; S: Futian three fixed daily check-ins, Putian daily face check-in",
    validate=validate_schedule,
)
register_rule(
    "checkins.random_per_week",
    {"strict": 3, "ordinary": 1, "lenient": 0},
    _("Random (unannounced) face check-ins per week, per supervision class"),
    source="D; S: random 人机分离 spot checks (Hubei 公众司法e通)",
    validate=validate_random,
)
register_rule(
    "checkins.random_hours",
    [8, 21],
    _("Random check-ins are sent only between these local hours [from, until)"),
    source="D",
    validate=validate_hours,
)
register_rule(
    "checkins.window_minutes",
    60,
    _("Minutes a person has to answer a check-in request"),
    source="D",
    validate=positive_int,
)
register_rule(
    "checkins.max_attempts",
    3,
    _("Attempts a person may make for one check-in request before it fails"),
    source="D",
    validate=positive_int,
)
register_rule(
    "checkins.match_threshold",
    0.6,
    _(
        "Face distance at or below which the automated check reports a match (dlib's default 0.6; "
        "must be calibrated on local enrolment data)"
    ),
    source="D: dlib/face_recognition default; dependencies.md §3.3 caveats",
    validate=validate_threshold,
)
register_rule(
    "checkins.liveness_challenges",
    ["turn_left", "turn_right", "blink", "open_mouth"],
    _("Liveness challenges a check-in may ask for (one chosen at random per request)"),
    source="D ('nod' is available but a tilted photograph can imitate it)",
    validate=validate_challenges,
)
register_rule(
    "checkins.liveness_turn",
    0.10,
    _("Head turn: least change of the nose offset, in inter-ocular distances"),
    source="D: set on synthetic frames; calibrate locally",
    validate=_fraction,
)
register_rule(
    "checkins.liveness_blink",
    0.4,
    _("Blink: least relative drop of the eye-openness measure"),
    source="D: set on synthetic frames; calibrate locally",
    validate=_fraction,
)
register_rule(
    "checkins.liveness_mouth",
    0.15,
    _("Open mouth: least rise of the dark mouth-area share"),
    source="D: set on synthetic frames; calibrate locally",
    validate=_fraction,
)
register_rule(
    "checkins.liveness_nod",
    0.12,
    _("Nod: least change of the nose drop, in inter-ocular distances"),
    source="D: set on synthetic frames; calibrate locally",
    validate=_fraction,
)
register_rule(
    "checkins.secondary_face_min_score",
    0.5,
    _("Another detector box counts as a second face only from this detector score"),
    source=(
        "D: on the shipped test images HOG false boxes scored 0.06-0.31 (0.31 on a camera frame), "
        "real second faces 1.2-1.5"
    ),
    validate=_fraction,
)
register_rule(
    "checkins.reference_min_face_px",
    80,
    _("Smallest face width (pixels) accepted for a reference photo"),
    source="D: HOG finds faces from about 80 px without upsampling",
    validate=positive_int,
)
register_rule(
    "checkins.frame_retention_days",
    180,
    _("Days the captured check-in frames are kept (results and distances are kept)"),
    source="D; L art. 29 (location data used only for correction work)",
    validate=positive_int,
)
