"""Who opens the contract pages.

Contracts, their funds, indicators and reports are county-level records: the county bureau's staff, the
provider's supervisor and county-wide counsellor, and the finance auditor reach them (each further limited
by the domain: FINANCE for funds, PERFORMANCE for indicators). Staff posted to a single squadron (squadron
officers, social workers) do not open contract pages; the per-squadron suggestions reach them as
notifications.
"""

from __future__ import annotations

from jiaozheng.core.roles import Role

CONTRACT_ROLES = frozenset(
    {Role.BUREAU_ADMIN, Role.BUREAU_OFFICER, Role.COUNSELLOR, Role.SUPERVISOR, Role.AUDITOR}
)
