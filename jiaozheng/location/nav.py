from django.utils.translation import gettext_lazy as _

from jiaozheng.core.access import Policy
from jiaozheng.core.registry import NavItem
from jiaozheng.core.roles import STAFF_ROLES, Domain, Role

NAV = [
    NavItem(
        _("Location map"),
        "location:map",
        Policy(roles=STAFF_ROLES, domain=Domain.LOCATION),
        order=65,
        group=_("Location supervision"),
    ),
    NavItem(
        _("Alerts"),
        "location:alert_list",
        Policy(roles=STAFF_ROLES, domain=Domain.LOCATION),
        order=66,
        group=_("Location supervision"),
    ),
    NavItem(
        _("Devices"),
        "location:device_list",
        Policy(roles=STAFF_ROLES, domain=Domain.LOCATION),
        order=67,
        group=_("Location supervision"),
    ),
    NavItem(
        _("My location reporting"),
        "location:mine",
        Policy(roles=frozenset({Role.SUBJECT}), domain=Domain.LOCATION),
        order=63,
        group=_("Location supervision"),
    ),
]
