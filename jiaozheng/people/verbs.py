"""Timeline verbs of the caseload registry."""

from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.timeline import register_verb
from jiaozheng.people.choices import DisciplineKind, SupervisionClass, TeamRole, TerminationReason

register_verb("person.registered", _("Registered on the caseload"), icon="＋")
register_verb("person.reported", _("Reported in on {date}"), icon="✓")
register_verb(
    "person.reported_late", _("Reported in on {date}, {late_days} days after the deadline"), icon="!"
)
register_verb("person.announced", _("Admission announced on {date}"), icon="📣")
register_verb(
    "person.class_changed",
    _("Supervision class changed: {from_class} → {to_class}"),
    choices={"from_class": SupervisionClass, "to_class": SupervisionClass},
    icon="⇅",
)
register_verb("person.released", _("Released from correction on {date}"), icon="✔")
register_verb("person.sealed", _("Records sealed on {date}"), icon="🔒")
register_verb("person.unsealed", _("Seal lifted"), icon="🔓")
register_verb(
    "person.terminated", _("Correction terminated: {reason}"), choices={"reason": TerminationReason}, icon="■"
)
register_verb("person.team_member_added", _("Team member added: {name} ({role})"), choices={"role": TeamRole})
register_verb("person.plan_made", _("Correction plan made; review due {review}"))
register_verb("person.plan_reviewed", _("Correction plan reviewed; next review {review}"))
register_verb("person.prohibition_added", _("Prohibition order recorded"))
register_verb("person.hardship_set", _("Marked as a family in hardship"))
register_verb("person.hardship_cleared", _("Hardship mark removed"))
register_verb("person.discipline", _("Discipline: {kind}"), choices={"kind": DisciplineKind}, icon="!")
