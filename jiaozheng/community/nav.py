from django.utils.translation import gettext_lazy as _

from jiaozheng.core.access import Policy
from jiaozheng.core.registry import NavItem
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain

SERVICES = Policy(roles=STAFF_ROLES, domain=Domain.SERVICES)
GROUP = _("Education and service")

NAV = [
    NavItem(_("Community service"), "community:activity_list", SERVICES, order=34, group=GROUP),
    NavItem(_("Partner venues"), "community:venue_list", SERVICES, order=35, group=GROUP),
    NavItem(_("Volunteer team"), "community:volunteer_list", SERVICES, order=36, group=GROUP),
    NavItem(
        _("Import community records"),
        "community:import",
        Policy(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE),
        order=40,
        group=GROUP,
    ),
]
