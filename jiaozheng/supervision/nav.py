from django.utils.translation import gettext_lazy as _

from jiaozheng.core.access import Policy
from jiaozheng.core.registry import NavItem
from jiaozheng.core.roles import STAFF_ROLES, Domain

GROUP = _("Supervision procedures")

NAV = [
    NavItem(
        _("Investigation commissions"),
        "supervision:investigation_list",
        Policy(roles=STAFF_ROLES, domain=Domain.CASELOAD),
        order=21,
        group=GROUP,
    ),
    NavItem(
        _("Travel approvals"),
        "supervision:travel_list",
        Policy(roles=STAFF_ROLES, domain=Domain.CASELOAD),
        order=22,
        group=GROUP,
    ),
    NavItem(
        _("Due for release"),
        "supervision:release_due",
        Policy(roles=STAFF_ROLES, domain=Domain.CASELOAD),
        order=23,
        group=GROUP,
    ),
    NavItem(
        _("Missed reports"),
        "supervision:followup_list",
        Policy(roles=STAFF_ROLES, domain=Domain.CASELOAD),
        order=20,
        group=GROUP,
    ),
    NavItem(
        _("Rewards and sanctions"),
        "supervision:sanction_list",
        Policy(roles=STAFF_ROLES, domain=Domain.CASELOAD),
        order=24,
        group=GROUP,
    ),
    NavItem(
        _("Residence, visitor and place approvals"),
        "supervision:approval_list",
        Policy(roles=STAFF_ROLES, domain=Domain.CASELOAD),
        order=25,
        group=GROUP,
    ),
    NavItem(
        _("Medical re-examinations due"),
        "supervision:reexam_due",
        Policy(roles=STAFF_ROLES, domain=Domain.CASELOAD),
        order=26,
        group=GROUP,
    ),
]
