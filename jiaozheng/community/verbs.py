"""Timeline verbs of community service."""

from django.utils.translation import gettext_lazy as _

from jiaozheng.audit.timeline import register_verb

register_verb(
    "community.took_part", _("Took part in community service: {theme} ({date}, {hours} h)"), icon="♥"
)
register_verb("community.absent", _("Absent from community service: {theme} ({date})"), icon="!")
