"""Roles, data domains and which role may view or change which domain.

Roles decide *actions* (403 when missing); scoping (jiaozheng.core.scoping) decides *rows* (404 when
outside). Both are declared here once and used by the UI, the API, services and the access-matrix tests.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", _("Bureau administrator")
    BUREAU_OFFICER = "bureau_officer", _("Bureau officer")
    SQUADRON_OFFICER = "squadron_officer", _("Squadron officer")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    COUNSELLOR = "counsellor", _("Counsellor")
    SUPERVISOR = "supervisor", _("Contractor supervisor")
    AUDITOR = "auditor", _("Finance auditor")
    SUBJECT = "subject", _("Supervised person")


class Domain(models.TextChoices):
    """A family of data with the same access rule."""

    CASELOAD = "caseload", _("Caseload")  # persons, lifecycle, class, discipline, team, plans
    SERVICES = "services", _("Services")  # education, community service, visits
    PSYCH = "psych", _("Psychological results")
    COUNSELLING_NOTES = "counselling_notes", _("Confidential counselling notes")
    LOCATION = "location", _("Location supervision")
    FINANCE = "finance", _("Contract funds")
    PERFORMANCE = "performance", _("Indicators and reports")
    ADMIN = "admin", _("Organisation and accounts")
    AUDIT = "audit", _("Audit trail")


VIEW = "view"
CHANGE = "change"
V = frozenset({VIEW})
VC = frozenset({VIEW, CHANGE})

# role -> domain -> actions. Anything not listed is denied.
ROLE_DOMAIN_ACTIONS: dict[str, dict[str, frozenset[str]]] = {
    Role.BUREAU_ADMIN: {
        Domain.CASELOAD: VC,
        Domain.SERVICES: VC,
        Domain.PSYCH: V,
        Domain.LOCATION: VC,
        Domain.FINANCE: VC,
        Domain.PERFORMANCE: VC,
        Domain.ADMIN: VC,
        Domain.AUDIT: V,
    },
    Role.BUREAU_OFFICER: {
        Domain.CASELOAD: VC,
        Domain.SERVICES: VC,
        Domain.PSYCH: V,
        Domain.LOCATION: VC,
        Domain.FINANCE: V,
        Domain.PERFORMANCE: VC,
    },
    Role.SQUADRON_OFFICER: {
        Domain.CASELOAD: VC,
        Domain.SERVICES: VC,
        Domain.PSYCH: V,
        Domain.LOCATION: VC,
        Domain.PERFORMANCE: V,
    },
    Role.SOCIAL_WORKER: {
        Domain.CASELOAD: V,
        Domain.SERVICES: VC,
        Domain.PSYCH: V,
        Domain.LOCATION: VC,
        Domain.PERFORMANCE: VC,
    },
    Role.COUNSELLOR: {
        Domain.CASELOAD: V,
        Domain.SERVICES: VC,
        Domain.PSYCH: VC,
        Domain.COUNSELLING_NOTES: VC,
        Domain.PERFORMANCE: V,
    },
    Role.SUPERVISOR: {
        Domain.CASELOAD: V,
        Domain.SERVICES: V,
        Domain.PSYCH: V,
        Domain.LOCATION: V,
        Domain.FINANCE: VC,
        Domain.PERFORMANCE: VC,
    },
    Role.AUDITOR: {Domain.FINANCE: V, Domain.PERFORMANCE: V},
    # A supervised person reaches only rows about themselves (see scoping); these are the domains
    # whose own rows they may see or submit (check-ins, answers, fixes).
    Role.SUBJECT: {
        Domain.CASELOAD: V,
        Domain.SERVICES: V,
        Domain.PSYCH: VC,
        Domain.LOCATION: VC,
    },
}

STAFF_ROLES = frozenset(r for r in Role.values if r != Role.SUBJECT)
# Roles whose staff are posted to squadrons (the squadron system, 队建制) or to a whole county.
ASSIGNABLE_ROLES = STAFF_ROLES - {Role.SUPERVISOR}
# Roles that see juveniles' records by default (L art. 52-58: identities of minors stay confidential);
# an administrator may grant or withdraw it per account.
JUVENILE_DEFAULT_ROLES = frozenset(
    {Role.BUREAU_ADMIN, Role.BUREAU_OFFICER, Role.SQUADRON_OFFICER, Role.COUNSELLOR}
)


def role_allows(role: str | None, domain: str, action: str = VIEW) -> bool:
    if not role:
        return False
    return action in ROLE_DOMAIN_ACTIONS.get(role, {}).get(domain, frozenset())


def roles_allowed(domain: str, action: str = VIEW) -> frozenset[str]:
    return frozenset(r for r in Role.values if role_allows(r, domain, action))
