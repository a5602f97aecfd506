"""Sessions end after a period of inactivity (JZ_SESSION_IDLE seconds)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout


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
        return self.get_response(request)
