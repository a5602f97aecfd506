from django.utils.translation import gettext_lazy as _

from jiaozheng.contracts.access import CONTRACT_ROLES
from jiaozheng.core.access import Policy
from jiaozheng.core.registry import NavItem
from jiaozheng.core.roles import CHANGE, Domain, Role

NAV = [
    NavItem(
        _("Performance and reports"),
        "indicators:index",
        Policy(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE),
        order=81,
        group=_("Contract performance"),
    ),
    NavItem(
        _("New contract-year"),
        "indicators:contract_setup",
        Policy(roles=frozenset({Role.BUREAU_ADMIN}), domain=Domain.FINANCE, action=CHANGE),
        order=895,
        group=_("System"),
    ),
]
