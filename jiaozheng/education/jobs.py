"""Background jobs of education and community service.

Their imports now run as the shared ``core.import`` job (``jiaozheng.core.import_pages``). The two job kinds
below are kept for jobs queued before that change; their parameters name the import kind, as the shared
job's do, so the shared handler runs them.
"""

from __future__ import annotations

from jiaozheng.core.jobs import import_kind, register_job

register_job("education.import")(import_kind)
register_job("community.import")(import_kind)
