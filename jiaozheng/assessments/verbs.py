"""Timeline verbs of psychological assessment."""

from django.utils.translation import gettext_lazy as _

from jiaozheng.assessments.choices import Validity
from jiaozheng.audit.timeline import register_verb

register_verb("assessment.assigned", _("Assessment assigned: {scale}"), icon="✎")
register_verb(
    "assessment.completed",
    _("Assessment completed: {scale} ({validity})"),
    choices={"validity": Validity},
    icon="✓",
)
register_verb("assessment.flag", _("Urgent assessment flag: {label}"), icon="!")
register_verb("assessment.report_issued", _("Assessment report {number} issued"), icon="▤")
register_verb("assessment.external", _("External result recorded: {instrument}"))
