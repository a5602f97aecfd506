from django.utils.translation import gettext_lazy as _

from jiaozheng.core.access import Policy
from jiaozheng.core.registry import NavItem
from jiaozheng.core.roles import STAFF_ROLES, Domain, Role
from jiaozheng.counselling.views import GROUP_ROLES

GROUP = _("Psychological correction")

NAV = [
    NavItem(
        _("Referrals"),
        "counselling:referral_list",
        Policy(roles=STAFF_ROLES, domain=Domain.SERVICES),
        order=73,
        group=GROUP,
    ),
    NavItem(
        _("Individual counselling"),
        "counselling:case_list",
        Policy(roles=STAFF_ROLES, domain=Domain.SERVICES),
        order=74,
        group=GROUP,
    ),
    NavItem(
        _("Group counselling"),
        "counselling:group_list",
        Policy(roles=GROUP_ROLES, domain=Domain.SERVICES),
        order=75,
        group=GROUP,
    ),
    NavItem(
        _("Import counselling cases"),
        "counselling:import_cases",
        Policy(any_staff=True, roles=frozenset({Role.COUNSELLOR, Role.BUREAU_ADMIN})),
        order=78,
        group=GROUP,
    ),
    NavItem(
        _("Import group sessions"),
        "counselling:import_groups",
        Policy(any_staff=True, roles=frozenset({Role.COUNSELLOR, Role.BUREAU_ADMIN})),
        order=79,
        group=GROUP,
    ),
]
