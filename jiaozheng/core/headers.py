"""Response headers that keep personal data out of caches.

Every answer to a signed-in user, every API answer and every file download carries
``Cache-Control: no-store`` (plus ``Pragma: no-cache`` for old proxies), so neither the browser's
back-forward cache nor a shared proxy keeps a copy of a page or a file with personal data. Static
assets are served before this middleware (WhiteNoise) and stay cacheable. The Content-Security-Policy
itself comes from django-csp (``CONTENT_SECURITY_POLICY`` in settings).
"""

from __future__ import annotations

PUBLIC_CONTENT = "_jz_public_content"


def mark_public_content(response):
    """Let ``response`` keep its own Cache-Control: for content that holds no personal data (a base-map
    tile), which the browser may cache like a static asset."""
    setattr(response, PUBLIC_CONTENT, True)
    return response


def needs_no_store(request, response) -> bool:
    if getattr(response, PUBLIC_CONTENT, False):
        return False
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return True
    if request.path.startswith("/api/"):
        return True
    return "attachment" in response.headers.get("Content-Disposition", "") or response.streaming


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if needs_no_store(request, response):
            response.headers["Cache-Control"] = "no-store, private"
            response.headers["Pragma"] = "no-cache"
        return response
