from django.utils.translation import gettext_lazy as _

from jiaozheng.core.access import Policy
from jiaozheng.core.registry import NavItem
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain

NAV = [
    NavItem(
        _("Caseload"),
        "people:person_list",
        Policy(roles=STAFF_ROLES, domain=Domain.CASELOAD),
        order=10,
        group=_("Caseload"),
    ),
    NavItem(
        _("Register a person"),
        "people:person_create",
        Policy(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE),
        order=11,
        group=_("Caseload"),
    ),
    NavItem(
        _("Import caseload"),
        "people:person_import",
        Policy(roles=STAFF_ROLES, domain=Domain.CASELOAD, action=CHANGE),
        order=12,
        group=_("Caseload"),
    ),
]
