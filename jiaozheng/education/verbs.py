"""Timeline verbs of education and study."""

from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.timeline import register_verb

register_verb("education.attended", _("Attended education: {title} ({date}, {hours} h)"), icon="✎")
register_verb(
    "education.checked_in", _("Checked in on the phone for remote education: {title} ({date})"), icon="✎"
)
register_verb("education.absent", _("Absent from education: {title} ({date})"), icon="!")
