"""Parameters of participant feedback."""

from django.utils.translation import gettext_lazy as _

from jiaozheng.core.rules import positive_int, register_rule

register_rule(
    "feedback.window_days",
    7,
    _("Days after an activity during which a participant may give feedback"),
    source="D: a week, so the activity is still remembered",
    validate=positive_int,
)
register_rule(
    "feedback.satisfied_min",
    4,
    _("Lowest mean item score (1-5) that counts a response as satisfied"),
    source="D: 满意 or 非常满意 on the five-point scale, the usual 满意率 definition",
    validate=positive_int,
)
