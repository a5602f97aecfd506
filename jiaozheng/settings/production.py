"""Production settings: PostgreSQL, Redis, secrets from the environment, HTTPS.

Start-up fails unless JZ_SECRET_KEY, JZ_FIELD_KEYS, JZ_FIELD_HASH_KEY and DATABASE_URL are set.
`jiaozheng check --deploy --settings=jiaozheng.settings.production` is clean with these settings.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

for _required in ("JZ_SECRET_KEY", "JZ_FIELD_KEYS", "JZ_FIELD_HASH_KEY", "DATABASE_URL"):
    if not os.environ.get(_required):
        raise ImproperlyConfigured(f"{_required} must be set in production")

from jiaozheng.core.env import env_bool, env_int  # noqa: E402
from jiaozheng.settings.base import *  # noqa: E402,F403

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("JZ_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("JZ_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("JZ_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
