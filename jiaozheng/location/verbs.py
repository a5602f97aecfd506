"""Timeline verbs of location supervision."""

from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.timeline import register_verb
from jiaozheng.location.choices import AlertOutcome, AlertType, DevicePlatform

register_verb("location.alert_raised", _("Alert: {type}"), choices={"type": AlertType}, icon="⚠")
register_verb("location.alert_escalated", _("Alert escalated: {type}"), choices={"type": AlertType}, icon="⚠")
register_verb(
    "location.alert_resolved",
    _("Alert resolved: {type} ({outcome})"),
    choices={"type": AlertType, "outcome": AlertOutcome},
    icon="✓",
)
register_verb(
    "location.device_enrolled",
    _("Location device enrolled ({platform})"),
    choices={"platform": DevicePlatform},
    icon="📱",
)
register_verb("location.device_ended", _("Location device taken out of use"), icon="📱")
register_verb("location.travel_permitted", _("Travel permitted to {destination}, {start} to {end}"), icon="→")
register_verb("location.travel_cancelled", _("Travel permit cancelled: {destination}"), icon="→")
