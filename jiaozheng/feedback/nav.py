from django.utils.translation import gettext_lazy as _

from jiaozheng.core.access import Policy
from jiaozheng.core.registry import NavItem
from jiaozheng.core.roles import STAFF_ROLES, Domain

GROUP = _("Education and service")

NAV = [
    NavItem(
        _("Participant feedback"),
        "feedback:stats",
        Policy(roles=STAFF_ROLES, domain=Domain.SERVICES),
        order=37,
        group=GROUP,
    ),
    NavItem(_("Buyer's evaluation"), "feedback:buyer_list", Policy(domain=Domain.PERFORMANCE), order=62),
]
