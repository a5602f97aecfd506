from django.utils.translation import gettext_lazy as _

from jiaozheng.core.access import Policy
from jiaozheng.core.registry import NavItem
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain, Role

SERVICES = Policy(roles=STAFF_ROLES, domain=Domain.SERVICES)
GROUP = _("Education and service")

NAV = [
    NavItem(_("Education sessions"), "education:session_list", SERVICES, order=30, group=GROUP),
    NavItem(_("Monthly plans"), "education:plan_list", SERVICES, order=31, group=GROUP),
    NavItem(_("Service calendar"), "education:calendar", SERVICES, order=32, group=GROUP),
    NavItem(_("Course library"), "education:course_list", SERVICES, order=33, group=GROUP),
    NavItem(_("Hours and shortfalls"), "education:hours", SERVICES, order=37, group=GROUP),
    NavItem(_("Service statistics"), "education:stats", SERVICES, order=38, group=GROUP),
    NavItem(
        _("Import education records"),
        "education:import",
        Policy(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE),
        order=39,
        group=GROUP,
    ),
    NavItem(
        _("My study and service"),
        "education:me",
        Policy(roles=[Role.SUBJECT], domain=Domain.SERVICES),
        order=30,
    ),
]
