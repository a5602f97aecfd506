"""Timeline verbs of visits and investigations."""

from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.timeline import register_verb
from jiaozheng.visits.choices import HelpKind, InterventionKind, TaskStatus, VisitMethod, VisitType

register_verb(
    "visit.recorded",
    _("{kind} on {date} ({method})"),
    choices={"kind": VisitType, "method": VisitMethod},
    icon="⌂",
)
register_verb(
    "visit.imported",
    _("{kind} on {date} ({method}), imported"),
    choices={"kind": VisitType, "method": VisitMethod},
    icon="⌂",
)
register_verb("visit.not_found", _("Visit on {date}: the person was not reached"), icon="?")
register_verb("visit.corrected", _("Visit record of {date} corrected"), icon="✎")
register_verb(
    "visit.intervention",
    _("Intervention after a visit: {kind}"),
    choices={"kind": InterventionKind},
    icon="!",
)
register_verb("visit.hardship_help", _("Hardship help: {kind}"), choices={"kind": HelpKind}, icon="♥")
register_verb("visit.task_added", _("Follow-up task: {title} (due {due})"), icon="☐")
register_verb(
    "visit.task_closed", _("Follow-up task {status}: {title}"), choices={"status": TaskStatus}, icon="☑"
)
register_verb("visit.attachments_added", _("{n} files added to a visit record"), icon="📎")
register_verb(
    "visit.overdue", _("{kind} overdue (window ended {end})"), choices={"kind": VisitType}, icon="⚠"
)
