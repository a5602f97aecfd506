"""Timeline verbs of counselling."""

from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.timeline import register_verb
from jiaozheng.counselling.choices import CaseOutcome, ReferralSource

register_verb(
    "counselling.referred",
    _("Referred to counselling ({source})"),
    choices={"source": ReferralSource},
    icon="→",
)
register_verb("counselling.case_opened", _("Individual counselling case opened"), icon="◎")
register_verb("counselling.session", _("Individual counselling session on {date}"))
register_verb(
    "counselling.case_closed",
    _("Counselling case closed: {outcome}"),
    choices={"outcome": CaseOutcome},
    icon="✔",
)
register_verb("counselling.group_joined", _("Joined counselling group {group}"))
register_verb("counselling.group_session", _("Attended group counselling on {date}"))
