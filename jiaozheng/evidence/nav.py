from django.utils.translation import gettext_lazy as _

from jiaozheng.contracts.access import CONTRACT_ROLES
from jiaozheng.core.access import Policy
from jiaozheng.core.registry import NavItem
from jiaozheng.core.roles import Domain

NAV = [
    NavItem(
        _("Monthly hand-over and evidence"),
        "evidence:index",
        Policy(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE),
        order=63,
    ),
]
