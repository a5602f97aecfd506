"""Timeline verbs of face check-in."""

from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.timeline import register_verb
from jiaozheng.checkins.choices import PhotoSource, Result, ReviewDecision

register_verb(
    "checkin.reference_enrolled",
    _("Face reference photo enrolled ({source})"),
    choices={"source": PhotoSource},
    icon="☺",
)
register_verb("checkin.plan_set", _("Own check-in plan set: {times}; {random} random a week"))
register_verb("checkin.plan_cleared", _("Own check-in plan removed; class defaults apply"))
register_verb("checkin.completed", _("Face check-in completed"), icon="✓")
register_verb("checkin.missed", _("Face check-in missed"), icon="!")
register_verb("checkin.failed", _("Face check-in failed: {result}"), choices={"result": Result}, icon="!")
register_verb(
    "checkin.reviewed", _("Face check-in reviewed: {decision}"), choices={"decision": ReviewDecision}
)
