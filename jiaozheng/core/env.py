"""Typed helpers that read settings from environment variables.

A badly formed value stops start-up with ImproperlyConfigured instead of being silently ignored.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0/true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}")


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url: str, *, conn_max_age: int = 0) -> dict:
    """Translate a DATABASE_URL into Django's DATABASES entry.

    Supported: ``postgresql://user:pass@host:port/name?sslmode=...`` (also ``postgres://``)
    and ``sqlite:///absolute/path.db``.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme in {"postgres", "postgresql", "pgsql"}:
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "jiaozheng",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": conn_max_age,
            "CONN_HEALTH_CHECKS": conn_max_age > 0,
            "OPTIONS": options,
            "ATOMIC_REQUESTS": False,
        }
    if scheme == "sqlite":
        path = "/" + unquote(parsed.path).lstrip("/")
        if parsed.netloc:  # sqlite://relative/path is ambiguous: refuse it
            raise ImproperlyConfigured("DATABASE_URL for SQLite must be sqlite:///absolute/path.db")
        return sqlite_database(path)
    raise ImproperlyConfigured(f"DATABASE_URL scheme {scheme!r} is not supported (postgresql or sqlite)")


def sqlite_database(path: str) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets readers work while a writer commits; IMMEDIATE avoids lock upgrades that deadlock.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        },
    }
