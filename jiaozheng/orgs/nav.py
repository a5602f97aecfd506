from django.utils.translation import gettext_lazy as _

from jiaozheng.core.access import Policy
from jiaozheng.core.registry import NavItem
from jiaozheng.core.roles import Domain

NAV = [
    NavItem(_("County set-up"), "orgs:setup", Policy(domain=Domain.ADMIN), order=890, group=_("System")),
    NavItem(
        _("Staff accounts"), "orgs:staff_list", Policy(domain=Domain.ADMIN), order=900, group=_("System")
    ),
    NavItem(_("My account"), "orgs:account", Policy(any_staff=True), order=910, group=_("System")),
]
