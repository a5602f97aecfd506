"""What orgs implements for core (``jiaozheng.core.registry.provider``): signing in and the system account."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jiaozheng.core.registry import provide
from jiaozheng.orgs import services
from jiaozheng.orgs.models import ApiToken, User


def system_user() -> User:
    return services.system_user()


def login_allowed(username: str, ip: str) -> bool:
    return services.login_allowed(username, ip)


def login_record(username: str, ip: str, success: bool) -> None:
    services.login_record(username, ip, success)


def totp_verify(user: User, code: str) -> bool:
    return services.totp_verify(user, code)


def user_for_token(token: str) -> Any:
    """The active account an unrevoked, unexpired API token belongs to (None otherwise)."""
    if not token or len(token) > 200:
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(token), revoked=False)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


provide("orgs.system_user", system_user)
provide("auth.login_allowed", login_allowed)
provide("auth.login_record", login_record)
provide("auth.totp_verify", totp_verify)
provide("auth.user_for_token", user_for_token)
