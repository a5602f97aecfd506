"""Sessions end after a period of inactivity (JZ_SESSION_IDLE seconds); a temporary password is
changed before anything else is reached."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse


class SessionSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get("jz_last_seen")
            if last is not None and now - int(last) > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
            elif last is None or now - int(last) > 30:
                request.session["jz_last_seen"] = now
            if getattr(request.user, "must_change_password", False) and not _exempt(request.path):
                return redirect(f"{reverse('orgs:account')}?first=1")
        return self.get_response(request)


def _exempt(path: str) -> bool:
    """Pages reachable before a temporary password is changed: the account page, signing out, assets."""
    allowed = (
        reverse("orgs:account"),
        reverse("logout"),
        reverse("set_language"),
        settings.STATIC_URL or "/static/",
        "/i18n/",
    )
    return any(path.startswith(p) for p in allowed) or path.startswith("/api/")
