from django.utils.translation import gettext_lazy as _

from jiaozheng.core.access import Policy
from jiaozheng.core.registry import NavItem
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain, Role

GROUP = _("Psychological correction")

NAV = [
    NavItem(
        _("Assessment results"),
        "assessments:result_list",
        Policy(roles=STAFF_ROLES, domain=Domain.PSYCH),
        order=70,
        group=GROUP,
    ),
    NavItem(
        _("Assign an assessment"),
        "assessments:assign",
        Policy(roles=STAFF_ROLES, domain=Domain.PSYCH, action=CHANGE),
        order=71,
        group=GROUP,
    ),
    NavItem(
        _("Urgent flags"),
        "assessments:flag_list",
        Policy(roles=STAFF_ROLES, domain=Domain.PSYCH),
        order=72,
        group=GROUP,
    ),
    NavItem(
        _("Import assessment results"),
        "assessments:import",
        Policy(any_staff=True, roles=frozenset({Role.COUNSELLOR, Role.BUREAU_ADMIN})),
        order=77,
        group=GROUP,
    ),
    NavItem(
        _("External results"),
        "assessments:external_list",
        Policy(roles=STAFF_ROLES, domain=Domain.PSYCH),
        order=76,
        group=GROUP,
    ),
    NavItem(
        _("Scales and norms"),
        "assessments:scale_list",
        Policy(roles=STAFF_ROLES, domain=Domain.PSYCH),
        order=77,
        group=GROUP,
    ),
    NavItem(
        _("My psychological tests"),
        "assessments:my_list",
        Policy(roles=[Role.SUBJECT], domain=Domain.PSYCH),
        order=70,
    ),
]
