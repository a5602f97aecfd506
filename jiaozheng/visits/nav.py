from django.utils.translation import gettext_lazy as _

from jiaozheng.core.access import Policy
from jiaozheng.core.registry import NavItem
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain

GROUP = _("Visits")

NAV = [
    NavItem(
        _("Visits due"),
        "visits:due_list",
        Policy(roles=STAFF_ROLES, domain=Domain.SERVICES),
        order=50,
        group=GROUP,
    ),
    NavItem(
        _("Record a visit"),
        "visits:visit_pick",
        Policy(roles=STAFF_ROLES, domain=Domain.SERVICES, action=CHANGE),
        order=51,
        group=GROUP,
    ),
    NavItem(
        _("Visit records"),
        "visits:visit_list",
        Policy(roles=STAFF_ROLES, domain=Domain.SERVICES),
        order=52,
        group=GROUP,
    ),
    NavItem(
        _("Follow-up tasks"),
        "visits:task_list",
        Policy(roles=STAFF_ROLES, domain=Domain.SERVICES),
        order=53,
        group=GROUP,
    ),
    NavItem(
        _("Hardship list"),
        "visits:hardship_list",
        Policy(roles=STAFF_ROLES, domain=Domain.SERVICES),
        order=54,
        group=GROUP,
    ),
    NavItem(
        _("Route planning"),
        "visits:route_list",
        Policy(roles=STAFF_ROLES, domain=Domain.SERVICES),
        order=55,
        group=GROUP,
    ),
    NavItem(
        _("Visit quotas"),
        "visits:quotas",
        Policy(roles=STAFF_ROLES, domain=Domain.PERFORMANCE),
        order=56,
        group=GROUP,
    ),
    NavItem(
        _("Visit standards"),
        "visits:standards",
        Policy(roles=STAFF_ROLES, domain=Domain.SERVICES),
        order=57,
        group=GROUP,
    ),
    NavItem(
        _("Provincial export"),
        "visits:export",
        Policy(roles=STAFF_ROLES, domain=Domain.SERVICES),
        order=58,
        group=GROUP,
    ),
]
