from django.utils.translation import gettext_lazy as _

from jiaozheng.core.access import Policy
from jiaozheng.core.registry import NavItem
from jiaozheng.core.roles import STAFF_ROLES, Domain, Role

NAV = [
    NavItem(
        _("Today's check-ins"),
        "checkins:board",
        Policy(roles=STAFF_ROLES, domain=Domain.LOCATION),
        order=60,
        group=_("Face check-in"),
    ),
    NavItem(
        _("Check-in records"),
        "checkins:request_list",
        Policy(roles=STAFF_ROLES, domain=Domain.LOCATION),
        order=61,
        group=_("Face check-in"),
    ),
    NavItem(
        _("My check-ins"),
        "checkins:mine",
        Policy(roles=frozenset({Role.SUBJECT}), domain=Domain.LOCATION),
        order=62,
        group=_("Face check-in"),
    ),
]
